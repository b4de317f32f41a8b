"""Event mentions: dated happenings (talks, departures, attacks, releases...) found in sentences."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from transforms.dates import DateMention, clause_tense, find_dates, nearest_date, resolves_safely
from transforms.events_folded import FoldedSearch, words_pattern
from transforms.numbers import words_to_int
from transforms.lexicon import LEXICON_DIR, load_patterns
from transforms.prefilter import Prefiltered, fold, prefiltered
from transforms.sentences import Sentence

_LEX = load_patterns("events.json")
# Every trigger, actor, exclusion and place is tried on every dated sentence; most sentences
# lack the words each needs, and are ruled out before the regex runs (prefilter.py).
_TRIGGERS = [(code, prefiltered(rx, re.IGNORECASE)) for code, rx in _LEX["triggers"]]
_ACTORS = [(name, prefiltered(rx)) for name, rx in _LEX["actors"]]
_EXCLUSIONS = {code: prefiltered(rx, re.IGNORECASE) for code, rx in _LEX["exclusions"].items()}
# The same, searched on the sentence folded once (events_folded.py): its words are tested there,
# and the case-insensitive patterns run there as case-sensitive twins.
_TRIGGER_SEARCH = [(code, FoldedSearch(rx)) for code, rx in _TRIGGERS]
_ACTOR_SEARCH = [(name, FoldedSearch(rx)) for name, rx in _ACTORS]
_EXCLUSION_SEARCH = {code: FoldedSearch(rx) for code, rx in _EXCLUSIONS.items()}


def _any_of_words(searches: list[FoldedSearch]) -> tuple[str, ...] | None:
    """Words one of which is in every text any of the patterns can match (None: no such words),
    without those that hold another of them."""
    if any(search.words is None for search in searches):
        return None
    words = {word for search in searches for word in search.words}
    return tuple(sorted(w for w in words if not any(other != w and other in w for other in words)))


# A sentence with none of these words can yield no event.
_TRIGGER_WORDS = _any_of_words([search for _, search in _TRIGGER_SEARCH])
_ANY_TRIGGER_WORD = words_pattern(_TRIGGER_WORDS) if _TRIGGER_WORDS is not None else None
# Types that name something still to come whatever the tense of the clause.
_FUTURE_TYPES = frozenset(_LEX["future_types"])
_ANY_TENSE_TYPES = frozenset(_LEX["any_tense_types"])
_NOUN_TRIGGER = re.compile(_LEX["noun_triggers"], re.IGNORECASE)
# A sentence may report a departure and the planned return, or two arrivals on different days;
# more than three is mostly noise.
_MAX_EVENTS_PER_SENTENCE = 3
_MAX_PER_TYPE = 2
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}
_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\b(?:after|before|when|while|as|since|because|but|and then)\b", re.IGNORECASE)
# A sentence that continues the previous one's story: it may take that sentence's day.
_CARRY_CUE = prefiltered(r"^\W*(?:His|Her|Their|The|These|Those)\s+(?:remarks|comments|statement|announcement|speech|meeting|talks|visit)\b"
                        r"|\bsaid\s+(?:at|during|in)\s+(?:a|an|the)\s+(?:conference|meeting|summit|session|briefing|news conference|press conference)\b",
                        re.IGNORECASE)
_PLACE_DISTINCT_TYPES = frozenset({"attack"})
_CARRY_SENTENCES = 5  # a quote of several sentences may sit between the day and "X said at a conference"
_CARRY_TYPES = frozenset({"meeting", "statement", "talks", "proposal"})
_OFFSET = re.compile(r"\b(?P<n>a|one|two|three|four|five|six|seven|\d+)\s+days?\s+(?P<dir>after|before)\b",
                     re.IGNORECASE)
_TALKS_SPAN = prefiltered(
    r"\b(?:after|following)\s+(?P<after_n>two|three|four|five|six|seven|eight|nine|ten|\d+)\s+days\s+of\s+"
    r"(?:indirect\s+|intensive\s+|marathon\s+)?(?:talks|negotiations)\b"
    r"|\b(?:the|their|its|a)\s+(?P<nth>second|third|fourth|fifth|sixth|seventh|\d+(?:st|nd|rd|th))\s+"
    r"(?:straight\s+|consecutive\s+)?day\s+of\s+(?:indirect\s+)?(?:talks|negotiations)\b"
    r"|\b(?:talks|negotiations)\s+(?:[\w,]+\s+){0,4}?(?:entered|went\s+into)\s+(?:their|its|a)\s+"
    r"(?P<nth_entered>second|third|fourth|fifth|sixth|seventh|\d+(?:st|nd|rd|th))\s+(?:straight\s+|consecutive\s+)?day\b",
    re.IGNORECASE)
_TALKS_SPAN_SEARCH = FoldedSearch(_TALKS_SPAN)


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    pattern: re.Pattern | Prefiltered


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Place, ...]:
    with open(LEXICON_DIR / "gazetteer.csv", encoding="utf-8") as handle:
        return tuple(Place(row["name"], float(row["lat"]), float(row["lon"]),
                           prefiltered(r"\b(?:" + row["pattern"] + r")\b", re.IGNORECASE))
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


@lru_cache(maxsize=1)
def _place_search() -> tuple[tuple[Place, FoldedSearch], ...]:
    return tuple((place, FoldedSearch(place.pattern)) for place in gazetteer())


@lru_cache(maxsize=1024)
def locate(text: str) -> Place | None:
    """The first gazetteer place named in the text, the most specific first (the list's order)."""
    best: tuple[int, Place] | None = None
    folded = fold(text)
    for place, search in _place_search():
        at = search.first_start(text, folded)
        if at is not None and (best is None or (place.name != "Gaza Strip" and best[1].name == "Gaza Strip")
                               or (at < best[0] and best[1].name != "Gaza Strip" and place.name != "Gaza Strip")):
            best = (at, place)
    return best[1] if best else None


@lru_cache(maxsize=1024)
def actors_in(text: str) -> str | None:
    folded = fold(text)
    names = [name for name, search in _ACTOR_SEARCH if search.found(text, folded)]
    return ";".join(names) or None


def _nearest_date(dates: list[DateMention], position: int, text: str | None = None) -> DateMention:
    return nearest_date(dates, position, text, _CLAUSE_BREAK)


def _count(token: str) -> int | None:
    """'four', '4', 'second', '2nd'."""
    token = token.lower()
    if token.isdigit():
        return int(token)
    return words_to_int(token) or _ORDINALS.get(token) or (int(token[:-2]) if token[:-2].isdigit() else None)


def _shifted(when: DateMention, between: str, trigger_first: bool) -> tuple[date, date | None, str]:
    """'On Monday, a day after forces withdrew': the trigger happened a day before the date."""
    m = _OFFSET.search(between)
    if not m or when.precision != "day" or (days := _count(m.group("n"))) is None:
        return when.date, when.date_end, when.rule
    after = m.group("dir").lower() in ("after", "later")
    if trigger_first:  # "struck a house two days before the talks opened on Tuesday"
        sign = 1 if after else -1
    else:  # "On Monday, a day after forces withdrew"
        sign = -1 if after else 1
    return when.date + timedelta(days=sign * days), None, f"{when.rule}+offset"


def _talks_span(m: re.Match, anchor: date) -> tuple[date, date, str] | None:
    """'After four days of talks' ends the day before the anchor; 'the second day of talks' is the anchor."""
    if m.group("after_n") and (n := _count(m.group("after_n"))):
        return anchor - timedelta(days=n), anchor - timedelta(days=1), "days_of_talks"
    nth = m.group("nth") or m.group("nth_entered")
    if nth and (n := _count(nth)):
        return anchor - timedelta(days=n - 1), anchor, "nth_day_of_talks"
    return None


def _choose_date(code: str, dates: list[DateMention], text: str, m: re.Match,
                 reference: date) -> DateMention | None:
    """The nearest date whose tense fits the trigger: a departure told in the past does not take
    the date of the planned return later in the sentence; a noun ("a meeting ... next week") takes
    its tense from its clause, so any date fits it."""
    position = m.start()
    if code in _ANY_TENSE_TYPES or _NOUN_TRIGGER.search(m.group(0)):
        return _nearest_date(dates, position, text)
    # the trigger's own words count: "is expected to arrive", "to leave"
    trigger_future = code in _FUTURE_TYPES or clause_tense(text, m.end()) == "future"
    fitting = [d for d in dates if (d.tense == "future") == trigger_future
               or (not trigger_future and d.date <= reference)]
    if fitting:
        return _nearest_date(fitting, position, text)
    if not trigger_future and all(d.tense == "future" for d in dates):
        # "departs Cairo and will return on Tuesday": the departure is the story's own day.
        return DateMention(position, position, "", reference, None, "day", "past", "publication_date")
    return None


def _excluded(code: str, text: str, folded: str, m: re.Match) -> bool:
    search = _EXCLUSION_SEARCH.get(code)
    if search is None:
        return False
    lo, hi = max(0, m.start() - 80), m.end() + 50
    # a slice of the folded sentence is the folded slice (the letters tested are ASCII)
    return search.found(text[lo:hi], folded[lo:hi])


def extract_event_mentions(sentences: list[Sentence], reference: date | None) -> list[EventMention]:
    """Dated happenings, one row per (type, date window) per article: a second sentence telling the
    same departure adds nothing."""
    if reference is None:
        return []
    out: list[EventMention] = []
    seen: dict[tuple[str, date, date | None, str], set[str | None]] = {}
    previous_day: tuple[int, DateMention] | None = None  # (sentence index, its last past day)
    folded_texts = [fold(sentence.text) for sentence in sentences]
    triggered = [_ANY_TRIGGER_WORD is None or _ANY_TRIGGER_WORD.search(folded) is not None for folded in folded_texts]
    # A sentence without a trigger word yields nothing itself; its days matter only to a later
    # sentence that takes them (_CARRY_CUE), and that one yields something only with a trigger
    # word. Without such a sentence the others are skipped, unless reading their dates could
    # fail (then they are read, to fail as before).
    carried = any(is_triggered and _CARRY_CUE.search(sentence.text)
                  for sentence, is_triggered in zip(sentences, triggered))
    for sentence, folded, is_triggered in zip(sentences, folded_texts, triggered):
        text = sentence.text
        if not is_triggered and not carried and resolves_safely(text, reference):
            continue
        dates = find_dates(text, reference)
        talks_span = _TALKS_SPAN_SEARCH.search(text, folded)
        if (not dates and not talks_span and previous_day is not None
                and sentence.index - previous_day[0] <= _CARRY_SENTENCES and _CARRY_CUE.search(text)):
            # "His remarks came during a session in Riyadh": the day was named just before.
            last = previous_day[1]
            dates = [DateMention(len(text), len(text), last.text, last.date, last.date_end,
                                 last.precision, last.tense, f"carried:{last.rule}")]
        elif dates:
            days = [d for d in dates if d.tense == "past" and d.precision == "day"]
            previous_day = (sentence.index, days[-1]) if days else None
        if not dates and not talks_span:
            continue
        place = None
        n_events = 0
        for code, search in _TRIGGER_SEARCH:
            if n_events >= _MAX_EVENTS_PER_SENTENCE:
                break  # nothing more is taken from this sentence: its other triggers need no search
            for m in search.finditer(text, folded, _MAX_PER_TYPE):
                if n_events >= _MAX_EVENTS_PER_SENTENCE:
                    break
                if _excluded(code, text, folded, m):
                    continue
                if code == "talks" and clause_tense(text, m.start()) == "future":
                    continue  # talks still to come are a talks_resume, if anything
                span = (_talks_span(talks_span, _nearest_date(dates, m.start()).date if dates else reference)
                        if code == "talks" and talks_span else None)
                if span:
                    start, end, rule = span
                    when = DateMention(m.start(), m.end(), talks_span.group(0), start, end, "range", "past", rule)
                    event_date, event_end, date_rule = start, end, rule
                else:
                    if not dates or (dates[0].rule.startswith("carried:") and code not in _CARRY_TYPES):
                        continue
                    when = _choose_date(code, dates, text, m, reference)
                    if when is None:
                        continue
                    lo, hi = sorted((when.end, m.start())) if when.end <= m.start() else (m.end(), when.start)
                    event_date, event_end, date_rule = _shifted(when, text[lo:hi], m.start() < when.start)
                tense = when.tense
                if code in _FUTURE_TYPES and event_date >= reference:
                    tense = "future"
                place = place or locate(text)
                key = (code, event_date, event_end, tense)
                where = place.name if place else None
                # the same happening told again; but strikes on one day in two named places are two
                if key in seen and (code not in _PLACE_DISTINCT_TYPES or where is None or seen[key] & {where, None}):
                    continue
                seen.setdefault(key, set()).add(where)
                n_events += 1
                out.append(EventMention(
                    event_type=code, event_date=event_date, event_date_end=event_end,
                    date_text=when.text, date_precision=when.precision if event_end is None or when.precision == "range" else "range",
                    date_rule=date_rule, tense=tense,
                    location=place.name if place else None,
                    location_lat=place.lat if place else None, location_lon=place.lon if place else None,
                    actors=actors_in(text), quote=text, quote_start=sentence.start,
                    char_start=sentence.start + m.start(), char_end=sentence.start + m.end(),
                    trigger_text=m.group(0), line_kind=sentence.line_kind,
                    extraction_rule=f"trigger:{code}/date:{date_rule}",
                    confidence=(0.5 if date_rule == "publication_date" else 0.6 if sentence.line_kind == "caption" else 0.7),
                ))
    return out
