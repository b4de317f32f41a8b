"""Event mentions: dated happenings (talks, departures, attacks, releases...) found in sentences."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from transforms.dates import DateMention, find_dates
from transforms.lexicon import LEXICON_DIR, load_patterns
from transforms.sentences import Sentence

_LEX = load_patterns("events.json")
_TRIGGERS = [(code, re.compile(rx, re.IGNORECASE)) for code, rx in _LEX["triggers"]]
_ACTORS = [(name, re.compile(rx)) for name, rx in _LEX["actors"]]
# A sentence may report a departure and the planned return; more than two types is mostly noise.
_MAX_EVENTS_PER_SENTENCE = 2


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    pattern: re.Pattern


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Place, ...]:
    with open(LEXICON_DIR / "gazetteer.csv", encoding="utf-8") as handle:
        return tuple(Place(row["name"], float(row["lat"]), float(row["lon"]),
                           re.compile(r"\b(?:" + row["pattern"] + r")\b", re.IGNORECASE))
                     for row in csv.DictReader(handle))


@dataclass
class EventMention:
    event_type: str
    event_date: date
    event_date_end: date | None
    date_text: str
    date_precision: str
    date_rule: str
    tense: str
    location: str | None
    location_lat: float | None
    location_lon: float | None
    actors: str | None
    quote: str
    quote_start: int
    char_start: int
    char_end: int
    trigger_text: str
    line_kind: str
    extraction_rule: str
    confidence: float


def locate(text: str) -> Place | None:
    """The first gazetteer place named in the text, the most specific first (the list's order)."""
    best: tuple[int, Place] | None = None
    for place in gazetteer():
        m = place.pattern.search(text)
        if m and (best is None or (place.name != "Gaza Strip" and best[1].name == "Gaza Strip")
                  or (m.start() < best[0] and best[1].name != "Gaza Strip" and place.name != "Gaza Strip")):
            best = (m.start(), place)
    return best[1] if best else None


def actors_in(text: str) -> str | None:
    names = [name for name, rx in _ACTORS if rx.search(text)]
    return ";".join(names) or None


def _nearest_date(dates: list[DateMention], position: int) -> DateMention:
    return min(dates, key=lambda d: min(abs(d.start - position), abs(d.end - position)))


def extract_event_mentions(sentences: list[Sentence], reference: date | None) -> list[EventMention]:
    if reference is None:
        return []
    out: list[EventMention] = []
    for sentence in sentences:
        text = sentence.text
        dates = [d for d in find_dates(text, reference)]
        if not dates:
            continue
        seen_types: set[str] = set()
        for code, rx in _TRIGGERS:
            m = rx.search(text)
            if not m or code in seen_types:
                continue
            seen_types.add(code)
            when = _nearest_date(dates, m.start())
            place = locate(text)
            tense = when.tense
            if code == "talks_resume" or (code == "holiday" and when.date > reference):
                tense = "future"
            out.append(EventMention(
                event_type=code, event_date=when.date, event_date_end=when.date_end,
                date_text=when.text, date_precision=when.precision, date_rule=when.rule, tense=tense,
                location=place.name if place else None,
                location_lat=place.lat if place else None, location_lon=place.lon if place else None,
                actors=actors_in(text), quote=text, quote_start=sentence.start,
                char_start=sentence.start + m.start(), char_end=sentence.start + m.end(),
                trigger_text=m.group(0), line_kind=sentence.line_kind,
                extraction_rule=f"trigger:{code}/date:{when.rule}",
                confidence=0.6 if sentence.line_kind == "caption" else 0.7,
            ))
            if len(seen_types) >= _MAX_EVENTS_PER_SENTENCE:
                break
    return out
