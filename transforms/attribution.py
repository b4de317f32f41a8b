"""Who says so: find the attribution of a sentence and normalise it to a source_norm code."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from transforms.lexicon import load_patterns
from transforms.prefilter import NearAnchors, Prefiltered, exact_strings, required_words

_LEX = load_patterns("sources.json")
_NORM_RULES = [(code, re.compile(rx, re.IGNORECASE)) for code, rx in _LEX["rules"]]

_SAY = (r"(?i:said|says|believes|believe|estimate|puts|put|shows|show|announce|say|reported|reports|report|told|tells|added|adds|announced|announces|"
        r"stated|states|estimated|estimates|confirmed|confirms|counted|counts|recorded|records|"
        r"noted|notes|claimed|claims|wrote|writes|posted|declared|has said|have said|had said|"
        r"has reported|have reported|has spoken of|have spoken of|spoke of|put the (?:toll|number|figure))")
# "UNRWA: 171 staff killed", "18:04 — Army spokesperson: two soldiers ..."
_COLON_SOURCE = re.compile(r"^(?:[\w:|]+\s*[—–|-]\s*)*(?P<src>[A-Z][\w’'.()-]*(?:\s+[\w’'.()-]+){0,5}?):\s")
# The subject of a sentence with no speech verb: "Gaza's health ministry released figures on Tuesday."
_LEADING_SUBJECT = re.compile(r"^(?P<src>(?:the\s+)?[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|of|in|for|and|the|armed|health|foreign|prime|government|military|army|civil|media|ministry|office|officials?|spokes\w+|minister|wing|agency|authorities|ministry's|ministry’s)){0,7})\s+(?:[a-z]+ed|issued|gave|spoke|put|has|have|had|is|was|were)\b")
# The name of a source: up to eight words, starting with a capital, a determiner or a possessive.
_NAME = (r"(?P<src>(?:(?:the|a|an|its|their|his|her)\s+)?(?:[A-Z][\w’'.&-]*|[a-z][\w’'-]*)"
         r"(?:\s+(?:\(?[A-Za-z][\w’'.&-]*\)?|of|for|in|on|based|at)){0,9}?)")
_ACCORDING = re.compile(r"\b(?i:according)\s+to\s+" + _NAME + r"(?=\s*(?:[,.;:)]|$|\s+(?:said|which|who|that|as|figures|released|published|issued)\b))")
_TRAILING_CIRCUMSTANCE = re.compile(r"\s+(?:on|in|at|late|early|last|this)\s+(?:(?:a|an|the|its|their|\w+day|late|early|statement|update|report|briefing|interview|press|news|conference|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning|evening|night)\b\s*)+.*$", re.IGNORECASE)
_X_SAID = re.compile(_NAME + r"\s+(?:(?:also|later|earlier|previously|separately|has|have|had|on \w+)\s+)?" + _SAY + r"\b")
_SAID_X = re.compile(r"[,\"”]\s*(?:" + _SAY + r")\s+" + _NAME + r"(?=\s*(?:[,.;:]|$|\s+(?:on|in|at|as|who|which)\b))")
_FIGURES = re.compile(_NAME + r"(?:’s|'s)\s+(?:figures|tally|count|data|statistics|toll)\b")
_HEADLINE_SAYS = re.compile(r",\s*(?P<src>[A-Z][\w’'. -]{1,60}?)\s+(?:says|said|reports)\s*$")
# Only sentences holding their words are searched (see transforms/prefilter.py).
_ACCORDING = Prefiltered(_ACCORDING)
_SAID_X = Prefiltered(_SAID_X)
_HEADLINE_SAYS = Prefiltered(_HEADLINE_SAYS)

# _X_SAID tries a name of up to ten words before a speech verb at every character, which made it
# the costliest pattern of the pipeline; it is searched near its verbs only (prefilter.NearAnchors).
# Every match ends with a _SAY verb holding one of _SAY_WORDS; before that word lie at most 14
# runs of white space (a determiner, ten name tokens, an adverb such as "on Tuesday", the "has"
# of "has said") and only characters of name tokens; after it, at most the rest of the longest
# verb and the character its `\b` reads.
_X_SAID = NearAnchors(_X_SAID, required_words(re.compile(_SAY)), runs_before=14,
                      stops=re.compile(r"[^\w\s’'.&()\-]"),
                      reach=max(map(len, exact_strings(re.compile(_SAY)))) + 1)
# _FIGURES likewise, near its nouns: before one, a name (at most ten runs of white space with
# its determiner) and the space after its "’s"; after it, the noun's rest and the `\b`.
_FIGURE_NOUNS = ("figures", "tally", "count", "data", "statistics", "toll")
# A match holds its noun only after "’s" or "'s" and white space (the pattern is case-sensitive):
# a noun without them (most are: "count" of "country", "data") is no anchor.


def _after_possessive(text: str, at: int) -> bool:
    end = at
    while end and text[end - 1].isspace():  # `\s` is str.isspace
        end -= 1
    return end < at and text[end - 2:end] in ("’s", "'s")


_FIGURES = NearAnchors(_FIGURES, _FIGURE_NOUNS, runs_before=11, stops=re.compile(r"[^\w\s’'.&()\-]"),
                       reach=max(map(len, _FIGURE_NOUNS)) + 1, viable=_after_possessive)


_PRONOUN = re.compile(r"^(?:it|they|he|she|we|the ministry|the agency|the office|the army|the military|the group|the statement|the report|officials|the officials)$", re.IGNORECASE)
_BAD_START = re.compile(r"^(?:that|which|who|and|but|it is|there|this|these|those|what|as)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    source: str | None
    source_norm: str
    rule: str  # according_to | x_said | said_x | possessive_figures | headline_says | carried | none
    start: int = -1
    end: int = -1


NONE = Attribution(None, "unattributed", "none")


@lru_cache(maxsize=4096)
def normalise_source(source: str | None) -> str:
    if not source:
        return "unattributed"
    for code, rx in _NORM_RULES:
        if rx.search(source):
            return code
    return "unattributed"


def _clean(name: str) -> str:
    return _TRAILING_CIRCUMSTANCE.sub("", name.strip(" ,.;:\"“”'")).strip(" ,.;:\"“”'")


_CLAUSE_BEFORE_SUBJECT = re.compile(r"[,;:“”\"]|\b(?:and|but|while|as|after|when|because)\b")
_LEADING_ADVERB = re.compile(r"^(?:meanwhile|however|on \w+|in \w+|separately|earlier|later)\s+", re.IGNORECASE)


def _trim_subject(name: str) -> str:
    """Keep the subject noun phrase of 'X said': drop clauses before it ("..., Hamas said")."""
    parts = _CLAUSE_BEFORE_SUBJECT.split(name)
    return parts[-1].strip()


def leading_subject(sentence: str) -> Attribution:
    """A known party that opens a sentence without a speech verb ("The ministry issued ...")."""
    m = _LEADING_SUBJECT.match(sentence)
    if m:
        src = _clean(m.group("src"))
        norm = normalise_source(src)
        if norm != "unattributed":
            return Attribution(src, norm, "previous_subject", m.start("src"), m.end("src"))
    return NONE


def is_pronoun(source: str | None) -> bool:
    return bool(source and _PRONOUN.match(source.strip()))


def find_attributions(sentence: str, is_headline: bool = False) -> list[Attribution]:
    """Every attribution in the sentence, in no particular order."""
    return list(_attributions(sentence, is_headline))


@lru_cache(maxsize=2048)
def _attributions(sentence: str, is_headline: bool) -> tuple[Attribution, ...]:
    # Cached (attributions are immutable): a sentence is asked again as the source of later ones.
    candidates: list[Attribution] = []
    for rx, rule in ((_ACCORDING, "according_to"), (_FIGURES, "possessive_figures")):
        for m in rx.finditer(sentence):
            src = _clean(m.group("src"))
            if src and not _BAD_START.match(src):
                candidates.append(Attribution(src, normalise_source(src), rule, m.start("src"), m.end("src")))
    for m in _SAID_X.finditer(sentence):
        src = _clean(m.group("src"))
        if src and not _BAD_START.match(src):
            candidates.append(Attribution(src, normalise_source(src), "said_x", m.start("src"), m.end("src")))
    for m in _X_SAID.finditer(sentence):
        src = _clean(_trim_subject(m.group("src")))
        src = _LEADING_ADVERB.sub("", src)
        if src and not _BAD_START.match(src) and len(src.split()) <= 9:
            candidates.append(Attribution(src, normalise_source(src), "x_said", m.start("src"), m.end("src")))
    m = _COLON_SOURCE.match(sentence) if ":" in sentence else None  # its match ends with ":"
    if m and normalise_source(m.group("src")) != "unattributed":
        src = _clean(m.group("src"))
        candidates.append(Attribution(src, normalise_source(src), "colon_source", m.start("src"), m.end("src")))
    if is_headline:
        m = _HEADLINE_SAYS.search(sentence)
        if m:
            src = _clean(m.group("src"))
            candidates.append(Attribution(src, normalise_source(src), "headline_says", m.start("src"), m.end("src")))
    return tuple(candidates)


def find_attribution(sentence: str, is_headline: bool = False, near: int | None = None,
                     candidates: list[Attribution] | None = None) -> Attribution:
    """The attribution of a figure at offset `near` (or of the whole sentence); NONE when none.
    Pass the sentence's `candidates` when asking for several figures of one sentence."""
    if candidates is None:
        candidates = find_attributions(sentence, is_headline)
    if near is not None:
        # Only a speaker within a few hundred characters can govern a figure.
        candidates = [a for a in candidates if abs(a.start - near) < 400 or abs(a.end - near) < 400]
    if not candidates:
        return NONE
    if near is not None:
        # The speaker whose verb is nearest the figure governs it ("It reported 83 deaths ... and
        # witnesses said ..." is the ministry's figure, not the witnesses').
        return min(candidates, key=lambda a: (a.source_norm == "unattributed" and not is_pronoun(a.source),
                                              min(abs(a.start - near), abs(a.end - near))))
    # Prefer a source that normalises to a known party, then the later one (the main clause's
    # speaker usually closes the sentence: "..., the ministry said").
    return max(candidates, key=lambda a: (a.source_norm != "unattributed" or not is_pronoun(a.source),
                                          a.source_norm != "unattributed", a.start))
