"""One article from decoded text to rows: the pure core that every runner calls per batch."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from urllib.parse import urlparse

from transforms import ids
from transforms.claims import Claim, extract_claims
from transforms.clean import classify_lines
from transforms.events import EventMention, extract_event_mentions
from transforms.prefilter import prefiltered
from transforms.pubdate import published_date
from transforms.sentences import split_sentences

_OUTLET_HINTS = prefiltered(
    r"\b(Al Jazeera|Reuters|Associated Press|AFP|Gulf News|Doha News|The African Mirror|BBC|CNN|"
    r"The New York Times|The Guardian|Haaretz|Times of Israel|Anadolu|Middle East Eye|The National|"
    r"Arab News|Al-Monitor|Washington Post)\b(?:\s+(?:WhatsApp channel|and news agencies))")


# Row columns in field order, as dataclasses.asdict gave them (whose deep copy of every value
# cost more than the rest of building the rows; every field is a scalar, so nothing is shared).
_CLAIM_COLUMNS = tuple(f.name for f in fields(Claim) if f.name != "extras")
_MENTION_COLUMNS = tuple(f.name for f in fields(EventMention))


@dataclass(frozen=True)
class ArticleInput:
    source_path: str
    text: str
    encoding: str
    content_type: str
    metadata: dict = field(default_factory=dict)  # published_at, url, outlet, title


@dataclass
class ArticleRows:
    article: dict
    claims: list[dict]
    event_mentions: list[dict]


def _outlet(metadata: dict, text: str) -> str | None:
    if metadata.get("outlet"):
        return str(metadata["outlet"]).strip()
    url = metadata.get("url")
    if url:
        host = urlparse(str(url)).netloc.lower().removeprefix("www.")
        if host:
            return host
    m = _OUTLET_HINTS.search(text)
    return m.group(1) if m else None


def process_article(item: ArticleInput) -> ArticleRows:
    text = item.text
    aid = ids.article_id(text)
    lines = classify_lines(text)
    sentences = split_sentences(lines)
    pub = published_date(item.metadata.get("published_at"), text, lines)
    claims = extract_claims(sentences, pub.value)
    mentions = extract_event_mentions(sentences, pub.value)
    headline = next((line.text.strip() for line in lines if line.kind == "headline"), None)
    common = {"article_id": aid, "source_path": item.source_path, "published_date": pub.value}
    claim_rows = []
    for claim in claims:
        row = {name: getattr(claim, name) for name in _CLAIM_COLUMNS}
        row.update(common)
        row["claim_id"] = ids.stable_id(aid, claim.char_start, claim.char_end, claim.metric)
        row["flags"] = []
        claim_rows.append(row)
    mention_rows = []
    for mention in mentions:
        row = {name: getattr(mention, name) for name in _MENTION_COLUMNS}
        row.update(common)
        row["mention_id"] = ids.stable_id(aid, mention.char_start, mention.char_end, mention.event_type)
        row["event_id"] = None
        row["flags"] = []
        mention_rows.append(row)
    article = {
        **common,
        "title": item.metadata.get("title") or headline,
        "outlet": _outlet(item.metadata, text),
        "url": item.metadata.get("url"),
        "published_date_basis": pub.basis,
        "published_date_confidence": pub.confidence,
        "published_date_evidence": pub.evidence,
        "published_date_rule": pub.rule,
        "metadata_conflict": pub.conflict,
        "content_type": item.content_type,
        "encoding": item.encoding,
        "n_chars": len(text),
        "n_sentences": len(sentences),
        "n_claims": len(claim_rows),
        "n_event_mentions": len(mention_rows),
        "text": text,
    }
    return ArticleRows(article, claim_rows, mention_rows)
