"""Publication date: from metadata when given, else inferred from the text with a basis and a confidence.

Evidence, strongest first: a date line ("Published 8 Apr 2024"), a millisecond epoch inside a page
id, an ISO timestamp; else the latest explicit date in the story (dated captions included)
reconciled with the weekdays the story names and with "N months of war" anchors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from transforms.clean import Line
from transforms.dates import MONTHS, WAR_START, WEEKDAYS, find_dates_of_kinds, find_full_dates, resolves_safely
from transforms.prefilter import NearAnchors, prefiltered

_DATE_LINE = re.compile(
    r"\b(?:published|updated|posted|last updated|first published|date|dated)\s*(?:on|:)?\s*[:\-]?\s*"
    r"(?P<value>\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})",
    re.IGNORECASE)
# Searched over the whole text near its words only (prefilter.NearAnchors): a match starts at most
# one run of white space before "published/updated/posted/date" ("last updated") and ends at most
# five after ("on : 12 March 2024").
_DATE_LINE = NearAnchors(_DATE_LINE, ("date", "posted", "published"), runs_before=1, stops=re.compile(r"[^\w\s]"),
                         runs_after=5)
# "(?<!\d)(1[5-9]\d{11})(?!\d)", written to start with its literal "1" (the digit before it is
# checked after it, by the lookbehind): the engine then jumps between the 1s of the text instead
# of trying the lookbehind at every character. Same matches, same group.
_EPOCH_MS = re.compile(r"(1(?<!\d1)[5-9]\d{11})(?!\d)")
# r"\b(20\d{2}-\d{2}-\d{2})T\d{2}:\d{2}", written to start with its literal "T" (the date before
# it is checked by the lookbehind), so that the engine jumps between the Ts of the text instead of
# trying the pattern at every character; every match has the date's ten characters before its T,
# so the leftmost T is the leftmost match. _iso_timestamp gives the original's group 0 and 1.
_ISO_TS_AT_T = re.compile(r"T(?<=\b20\d\d-\d\d-\d\dT)\d\d:\d\d")
_WAR_MONTHS = re.compile(
    r"\b(?P<q>nearly|almost|more than|over|about|some|around)?\s*(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)"
    r"[\s-]months?(?:[\s-]long|[\s-]old)?\s+(?:of\s+(?:the\s+)?(?:war|conflict|fighting|bombardment|offensive)|war|conflict|ago|since|into the war)",
    re.IGNORECASE)
_PAST_MONTHS = re.compile(r"\b(?:the\s+)?(?:past|last)\s+(?P<n>\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+months\b", re.IGNORECASE)
# Both run over the whole text, where "month" is common: they are searched near each "month"
# only (prefilter.NearAnchors). Before it a match holds at most three runs of white space ("more
# than", the space before the count, "six months") and only letters, digits and hyphens; after
# it, at most four ("-long of the war", "into the war") or just "months" and the \b after it.
_WAR_MONTHS = NearAnchors(_WAR_MONTHS, ("month",), runs_before=3, stops=re.compile(r"[^\w\s-]"), runs_after=4)
_PAST_MONTHS = NearAnchors(_PAST_MONTHS, ("months",), runs_before=3, stops=re.compile(r"[^\w\s]"),
                           reach=len("months") + 1)
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20}
_WEEKDAY = prefiltered(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+")
_PLANNED = re.compile(r"\b(?:will|would|expected|set to|next|due|scheduled|plans?)\b", re.I)
_OTHER_WEEK = re.compile(r"\b(?:last|next|every|each|this past|a week from|the previous|the following)\s+$", re.I)
# The mentions that can name a day near publication: month-day dates, ISO dates, parts of months.
_DAY_KINDS = frozenset({"md", "iso", "part_month"})
_EARLIEST, _LATEST = date(2023, 10, 7), date(2030, 12, 31)


@dataclass(frozen=True)
class PublishedDate:
    value: date | None
    basis: str
    confidence: float
    evidence: str | None
    rule: str
    conflict: str | None = None


def parse_metadata_date(raw: str | None) -> date | None:
    """A published_at value from a sidecar, manifest or HTML meta tag; None when unreadable."""
    if not raw:
        return None
    raw = str(raw).strip()
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return stamp.astimezone(timezone.utc).date() if stamp.tzinfo else stamp.date()
    except ValueError:
        pass
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=256)
def _months_anchor(text: str) -> date | None:
    m = _WAR_MONTHS.search(text) or _PAST_MONTHS.search(text)
    if not m:
        return None
    n = int(m.group("n")) if m.group("n").isdigit() else _WORDS.get(m.group("n").lower())
    if not n or n > 36:
        return None
    month = WAR_START.month - 1 + n
    anchor = date(WAR_START.year + month // 12, month % 12 + 1, WAR_START.day)
    qualifier = (m.groupdict().get("q") or "").lower()
    if qualifier in ("nearly", "almost"):
        anchor -= timedelta(days=5)
    elif qualifier in ("more than", "over"):
        anchor += timedelta(days=5)
    return anchor


def _strong_evidence(text: str) -> PublishedDate | None:
    m = _DATE_LINE.search(text)
    if m:
        value = parse_metadata_date(m.group("value"))
        if value and _EARLIEST <= value <= _LATEST:
            return PublishedDate(value, "date_line", 0.95, m.group(0), "date_line")
    for m in _EPOCH_MS.finditer(text):
        value = datetime.fromtimestamp(int(m.group(1)) / 1000, tz=timezone.utc).date()
        if _EARLIEST <= value <= _LATEST:
            return PublishedDate(value, "epoch", 0.9, m.group(1), "epoch_ms_in_id")
    stamp = _iso_timestamp(text)
    if stamp:
        evidence, day = stamp
        value = parse_metadata_date(day)
        if value and _EARLIEST <= value <= _LATEST:
            return PublishedDate(value, "timestamp", 0.9, evidence, "iso_timestamp")
    return None


def _iso_timestamp(text: str) -> tuple[str, str] | None:
    """The first "2024-03-05T12:30" of the text, and its date."""
    m = _ISO_TS_AT_T.search(text)
    if m is None:
        return None
    start = m.start() - 10
    return text[start:m.end()], text[start:m.start()]


_WEEKDAY_DATE = re.compile(
    r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?:(?P<m1>[A-Z][a-z]{2,8})\.?\s+(?P<d1>\d{1,2})|(?P<d2>\d{1,2})\s+(?P<m2>[A-Z][a-z]{2,8}))\b(?!,?\s+\d{4})")
# Near its weekdays only, where it starts; it ends two runs of white space after, and its
# lookahead reads one more run and four digits.
_WEEKDAY_DATE = NearAnchors(_WEEKDAY_DATE, tuple(w.lower() for w in WEEKDAYS), runs_before=0,
                            stops=re.compile(r"\W"), runs_after=4)


def _weekday_dated(text: str) -> list[date]:
    """'Friday, November 24' names its year: the first year since the war began where that day
    falls on that weekday."""
    found = []
    for m in _WEEKDAY_DATE.finditer(text):
        month = MONTHS.get((m.group("m1") or m.group("m2")).lower())
        if month is None:
            continue
        day = int(m.group("d1") or m.group("d2"))
        for year in range(_EARLIEST.year, _LATEST.year + 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate >= _EARLIEST and candidate.weekday() == WEEKDAYS[m.group("wd").lower()]:
                found.append(candidate)
                break
    return found


def _rough_reference(text: str) -> date | None:
    """A date near publication, to give years to month-day mentions: full dates, weekday-dated
    days, or war months."""
    full = [d.date for d in find_full_dates(text, _LATEST) if d.date >= _EARLIEST]
    full += _weekday_dated(text)
    months = _months_anchor(text)
    if full and months:
        return max([d for d in full if d <= months + timedelta(days=45)] or [months])
    return max(full) if full else months


def infer_from_text(text: str, lines: list[Line]) -> PublishedDate:
    strong = _strong_evidence(text)
    if strong:
        return strong
    rough = _rough_reference(text)
    months = _months_anchor(text)
    if rough is None:
        return PublishedDate(None, "unknown", 0.0, None, "no_anchor")
    past_dates, future_dates, caption_dates, day_dates = [], [], [], []
    lede: list[str] = []
    reference = rough + timedelta(days=7)
    text_is_safe = resolves_safely(text, reference)  # then so is each of its lines
    for line in lines:
        if line.kind == "boilerplate":
            continue
        if line.kind == "body" and len(lede) < 2:
            lede.append(line.text)
        for mention in find_dates_of_kinds(line.text, reference, _DAY_KINDS, text_is_safe):
            if mention.precision not in ("day", "week") or mention.rule == "october_7_anchor":
                continue
            if not mention.rule.startswith(("month_day", "iso", "part_of_month")):
                continue
            (future_dates if mention.tense == "future" else past_dates).append(mention.date)
            if mention.precision == "day" and mention.tense != "future":
                day_dates.append(mention.date)
            if line.kind == "caption" and mention.precision == "day":
                caption_dates.append(mention.date)
    anchor = max(past_dates) if past_dates else rough
    anchor_is_day = bool(day_dates) and max(day_dates) == anchor
    upper = min([d for d in future_dates if d > anchor], default=anchor + timedelta(days=14))
    weekday_weights: dict[int, float] = {}
    for line in lines:
        if line.kind == "boilerplate":
            continue
        if not _WEEKDAY.may_match(line.text):
            continue  # no weekday in the line, so none in its sentences
        for sentence_text in _SENTENCE_GAP.split(line.text):
            for m in _WEEKDAY.finditer(sentence_text):
                window = sentence_text[max(0, m.start() - 60):m.start()]
                if _PLANNED.search(window):
                    continue
                if _OTHER_WEEK.search(window):
                    continue  # "last Friday" is the week before: it does not name a day near publication
                weight = 2.0 if (line.kind == "headline" or line.text in lede) else 1.0
                weekday_weights[WEEKDAYS[m.group("wd").lower()]] = weekday_weights.get(WEEKDAYS[m.group("wd").lower()], 0) + weight
    # Weekdays name the days around publication; the latest explicit date and a "months of war"
    # anchor bound where that week can be.
    last = anchor + timedelta(days=10)
    if months and months + timedelta(days=7) > last:
        last = min(months + timedelta(days=7), anchor + timedelta(days=60))
    candidates = [anchor + timedelta(days=k) for k in range((last - anchor).days + 1)
                  if anchor + timedelta(days=k) < upper]
    if not candidates:
        candidates = [anchor]
    if not weekday_weights:
        basis = "caption" if caption_dates and max(caption_dates) == anchor else "weekday+context"
        return PublishedDate(anchor, basis, 0.5, str(anchor), "latest_explicit_date")

    def score(day: date) -> tuple[float, float]:
        total = 0.0
        for weekday, weight in weekday_weights.items():
            back = (day.weekday() - weekday) % 7
            resolved = day - timedelta(days=back)
            if resolved < anchor - timedelta(days=1) and past_dates:
                continue
            # Only "today" and "yesterday" say much about the publication day.
            total += weight * (3 if back == 0 else 2 if back == 1 else 0)
        # An exact date in the story is usually from the week before publication; a "months of
        # war" figure only places the story within weeks.
        near_exact_anchor = anchor_is_day and (day - anchor).days <= 7
        closeness = -abs((day - months).days) if months else -(day - anchor).days
        return total, near_exact_anchor, closeness

    best = max(candidates, key=score)
    if caption_dates and best == max(caption_dates):
        return PublishedDate(best, "caption", 0.75, str(best), "caption_date_and_weekdays")
    return PublishedDate(best, "weekday+context", 0.7, f"anchor {anchor}; weekdays {sorted(weekday_weights)}",
                         "weekday_reconciliation")


def published_date(metadata_value: str | None, text: str, lines: list[Line]) -> PublishedDate:
    inferred = infer_from_text(text, lines)
    given = parse_metadata_date(metadata_value)
    if given is None:
        return inferred
    conflict = None
    if inferred.value is not None and inferred.confidence >= 0.7 and abs((given - inferred.value).days) > 7:
        conflict = (f"metadata says {given}, the text points to {inferred.value} "
                    f"({inferred.basis}: {inferred.evidence})")
    return PublishedDate(given, "metadata", 0.95 if conflict is None else 0.5, str(metadata_value),
                         "metadata", conflict)
