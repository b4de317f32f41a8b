"""Find date expressions in a sentence and resolve them against a reference (publication) date.

Pure: the reference date is an argument, never the clock. Every mention keeps its span, precision,
tense and the id of the rule that resolved it. Conventions: docs/conventions.md, "Dates".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from transforms.prefilter import Prefiltered, fold, fold_window

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
            "sunday": 6}
WAR_START = date(2023, 10, 7)  # the Hamas attack on Israel: "October 7" names it in this domain

_MON = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
        r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_MD = rf"(?:{_MON}\s+{_DAY}|{_DAY}\s+(?:of\s+)?{_MON})"

_PATTERNS = [
    ("iso", rf"\b(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>[0-3]\d)\b"),
    ("md_range", rf"\b(?:between|from)\s+(?:the\s+(?:mornings?|afternoons?|evenings?|nights?)\s+of\s+)?(?P<r1>{_MD}|{_DAY}(?=\s+(?:and|to|until|till|through)\s+{_MD}))(?:,?\s+(?P<r1y>{_YEAR}))?\s+(?:and|to|until|till|through)\s+(?P<r2>{_MD}|{_DAY})(?:,?\s+(?P<r2y>{_YEAR}))?\b"),
    ("md_or", rf"\b(?:on\s+)?(?P<o1>{_MON}\s+{_DAY})\s*(?:or|-|–|to)\s*(?P<o2>{_DAY})(?:,?\s+(?P<oy>{_YEAR}))?\b(?!\s*(?:{_MON}|,\d|%))"),
    ("md", rf"(?:\b(?P<md_prep>on|since|by|until|till|before|after|from|late on|early on)\s+)?(?:(?:{_WD}),?\s+)?\b(?P<md>{_MD})(?:,?\s+(?P<md_y>{_YEAR}))?\b(?!-)"),
    ("part_month", rf"\b(?P<pm_part>early|mid|late|the end of|the start of|the beginning of|end of|start of)[\s-]+(?P<pm_mon>{_MON})(?:\s+(?P<pm_y>{_YEAR}))?\b"),
    ("rel_year", r"\b(?P<ry_part>early|late|earlier|later)?\s*(?P<ry_rel>last|this|next)\s+year\b"),
    ("month_year", rf"\b(?:(?P<my_prep>in|since|during|by|until|last|next|this)\s+)?(?P<my_mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)(?:\s+(?P<my_y>{_YEAR}))?\b(?!\s+\d)"),
    ("rel_week", r"\b(?P<rw>(?:earlier|later)\s+this\s+week|this\s+week|next\s+week|last\s+week|the\s+previous\s+week|the\s+following\s+week)\b"),
    ("rel_month", r"\b(?P<rm>(?:earlier|later)\s+this\s+month|this\s+month|next\s+month|last\s+month)\b"),
    ("within", r"\b(?:within|in\s+the\s+next|over\s+the\s+next)\s+(?P<wn>\d+|a|one|two|three|four|five|six|seven)\s+(?P<wu>hours?|days?)\b"),
    ("ago", r"\b(?P<an>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<au>days?|weeks?)\s+ago\b"),
    ("weekday", rf"(?:\b(?P<wd_prep>on|since|late on|early on|by|until|last|next|this|from|late|early)\s+)?\b(?P<wd>{_WD})(?P<wd_part>{_PART})\b(?!\s+(?:market|prayers?|sermon|service|edition)\b)"),
    ("deictic", r"\b(?P<dx>earlier\s+today|later\s+today|today|this\s+morning|this\s+afternoon|this\s+evening|tonight|yesterday(?:\s+(?:morning|afternoon|evening))?|tomorrow(?:\s+(?:morning|afternoon|evening))?|last\s+night|overnight)\b"),
]
_MASTER = re.compile("|".join(f"(?P<k_{name}>{rx})" for name, rx in _PATTERNS), re.IGNORECASE)
_DAY_ALONE = re.compile(_DAY, re.IGNORECASE)  # fullmatch: a bare day of a range ("12 and 14 March")
# Where a mention can begin, tested on the folded text: a necessary condition read off the
# patterns above (each starts at a word boundary with one of these words and what must follow it;
# md's weekday alone needs no boundary, "xMonday, March 5"; rel_year may start on the space before
# "last/this/next year"). _MASTER.match is then tried at these positions only, in order, resuming
# after each match: the same matches finditer finds, since no pattern can match anywhere else,
# without paying for the alternation at every character. tests/unit/test_prefilter.py checks
# the two agree.
_MONTH_NAME = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
_WEEKDAY_NAME = "(?:" + "|".join(WEEKDAYS) + ")"
_COUNT_WORD = "(?:" + "|".join(["a", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]) + r")\b"
_DAY_OF_MONTH = r"\d+(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_NAME  # "7 October", "7th of October"
_STARTS = re.compile(r"\b(?=" + "|".join([
    # on/since/by... a weekday or a date (md, weekday, month_year)
    r"(?:on|by|since|until|till|before|after|from|between|during|in)\s+(?:"
    + "|".join([_MONTH_NAME, _WEEKDAY_NAME, _DAY_OF_MONTH]) + ")",
    # md_range: "between the mornings of", "from 12 to 14 March"; within: "in/over the next", "within 48 hours"
    r"(?:between|from)\s+(?:the\s+(?:morning|afternoon|evening|night)|\d+(?:st|nd|rd|th)?\s+(?:and|to|until|till|through)\b)",
    r"(?:in|over)\s+the\s+next", r"within\s+(?:\d|" + _COUNT_WORD + ")",
    # rel_year (which may start on the space before "last"), rel_week, rel_month, month_year, weekday, deictic
    r"(?:this|last|next)\s+(?:year|week|month|night|morning|afternoon|evening|" + _MONTH_NAME + "|" + _WEEKDAY_NAME + ")",
    r"\s+(?:this|last|next)\s+year",
    r"(?:early|earlier|late|later)(?:\s*(?:this|last|next)|[\s-]+(?:" + _MONTH_NAME + "|" + _WEEKDAY_NAME + r"|today|this)| on\s)",
    r"(?:the\s+)?(?:end|start|beginning) of[\s-]+" + _MONTH_NAME, r"mid[\s-]+" + _MONTH_NAME,
    r"the\s+(?:previous|following)\s+week", r"(?:today|tonight|yesterday|tomorrow|overnight)",
    r"(?:\d+|" + _COUNT_WORD + r")\s+(?:day|week)",  # "two days ago"
    _DAY_OF_MONTH, r"(?:19|20)\d\d-", _MONTH_NAME, _WEEKDAY_NAME,
]) + ")|(?=" + _WEEKDAY_NAME + r",?\s+(?:" + _MONTH_NAME + r"|\d))")
# _STARTS, tried at every character, would itself cost more than it saves: it is tried only near
# a date's key word, and there only where its first word can stand.
#
# Every mention holds one of these key words (folded): a month's first three letters, "day"
# (weekdays, "today", "yesterday", "days"), "week", "month", "year", "hour", "ago", "night"
# ("tonight", "overnight"), "morning", "afternoon", "evening", "tomorrow", or is an ISO date.
# Before its first key word a mention holds only word characters and at most five runs of
# white space and hyphens ("between 12th and 14th of March", "in the next 48 hours", "the
# beginning of-March"); md_range's lookahead reads no farther. So every mention starts in
# a window that ends at a key word and reaches back five such runs, and stops at any other
# character.
_MONTH_KEYS = tuple(sorted({name[:3] for name in MONTHS}))
_KEY_WORDS = _MONTH_KEYS + (
    "day", "week", "month", "year", "hour", "ago", "night", "morning", "afternoon", "evening", "tomorrow")
# The patterns whose every match holds a month's key word, or is an ISO date.
_MONTH_OR_ISO_KINDS = frozenset({"iso", "md_range", "md_or", "md", "part_month", "month_year"})
_ISO_KEY = re.compile(r"(?:19|20)\d\d-")
_RUNS_BEFORE_KEY = 5
# Read on the reversed text from a key word backwards: how far back a mention may start.
_REACH_BACK = re.compile(r"(?:\w*[\s\-]+){0,%d}\w*" % _RUNS_BEFORE_KEY)
_WORD = re.compile(r"\w+")
# Where _STARTS may match in a window: at the start of a word in _START_WORDS, of a word
# beginning with a digit or with "earl/late" ("earlier", "earlylast year"), on the space before
# "this/last/next", and on a weekday inside a word.
_START_WORDS = frozenset(["on", "by", "since", "until", "till", "before", "after", "from", "between",
                          "during", "in", "over", "within", "this", "last", "next", "the", "end",
                          "start", "beginning", "mid", "today", "tonight", "yesterday", "tomorrow",
                          "overnight", "a", "one", "two", "three", "four", "five", "six", "seven",
                          "eight", "nine", "ten", *MONTHS, *WEEKDAYS])


def _key_positions(folded: str) -> list[int]:
    """Where each key word occurs (overlaps included), in order."""
    found = []
    find = folded.find
    for word in _KEY_WORDS:
        if word not in folded:  # most are not there, and `in` costs less than a call
            continue
        at = find(word)
        while at >= 0:
            found.append(at)
            at = find(word, at + 1)
    if "-" in folded:
        found += [m.start() for m in _ISO_KEY.finditer(folded)]
    found.sort()
    return found


def _windows(folded: str) -> list[tuple[int, int]]:
    """Disjoint (first, last) spans of positions, in order, holding every position where a date
    mention can start."""
    keys = _key_positions(folded)
    if not keys:
        return []
    backwards = folded[::-1]
    n = len(folded)
    windows: list[tuple[int, int]] = []
    for key in keys:
        first = n - _REACH_BACK.match(backwards, n - key).end()  # the reach ends at first, read backwards
        if windows and first <= windows[-1][1] + 1:  # keys come in order, and so do their firsts
            windows[-1] = (windows[-1][0], key)
        else:
            windows.append((first, key))
    return windows


def _starts_between(folded: str, first: int, last: int):
    """Positions in [first, last], in order, where _STARTS may match (every position where it
    does). A window's first is never inside a word (it reaches back by whole words); a word that
    `first` cuts (find_full_dates resumes one character into a year) is read from there, as the
    slice of the text was before: no mention starts inside it but on a weekday, found either way."""
    for token_match in _WORD.finditer(folded, first):
        at = token_match.start()
        if at > last:
            return
        token = token_match.group()
        if token in ("this", "last", "next") and at and folded[at - 1].isspace():
            space = at - 1
            while space and folded[space - 1].isspace():
                space -= 1
            if space >= first:
                yield space
        for offset in _starts_in_word(token):
            if at + offset > last:
                return
            yield at + offset


@lru_cache(maxsize=16384)
def _starts_in_word(token: str) -> tuple[int, ...]:
    """Offsets in a word where _STARTS may match: its start, and any weekday inside it. Cached:
    a text is mostly words seen before."""
    offsets = [0] if token in _START_WORDS or not token[0].isalpha() or token.startswith(("earl", "late")) else []
    if "day" in token:
        offsets += sorted(i for day in WEEKDAYS for i in _occurrences(token, day) if i)
    return tuple(offsets)


def _occurrences(text: str, word: str):
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


_FUTURE = re.compile(
    r"\b(?:will|would|shall|'ll|is|are|was|were)\s+(?:\w+\s+)?(?:expected|set|due|scheduled|slated|planned|poised|likely)\b"
    r"|\b(?:will|shall|'ll|would)\b|\bplans?\s+to\b|\bplanned\b|\bscheduled\b|\bupcoming\b"
    r"|\b(?:is|are)\s+to\s+\w+|\bexpected\s+to\b|\bdue\s+to\s+\w+|\baims?\s+to\b|\bintends?\s+to\b|\bset\s+to\b"
    r"|\b(?:before|until|ahead of|when)\b[^,.;]{0,60}?\b(?:begins|starts|ends|begin|start|expires|is due)\b",
    re.IGNORECASE)
_FUTURE = Prefiltered(_FUTURE)  # most clauses hold none of its words
_CLAUSE_CUT = re.compile(r"[,;:—–(\"“”]|\b(?:said|says|told|added|announced|reported|confirmed|stated)\b", re.IGNORECASE)
_SMALL = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: date
    date_end: date | None
    precision: str  # day | week | month | range
    tense: str  # past | future
    rule: str


def nearest_date(dates: list[DateMention], position: int, text: str | None = None,
                 clause_break: re.Pattern | None = None) -> DateMention:
    """The date nearest a position; with the text and a clause-break pattern, a date across a
    clause break ("..., after Qatar announced") counts as 40 characters farther than one in the
    position's own clause."""
    def cost(d: DateMention) -> int:
        lo, hi = (d.end, position) if d.end <= position else (position, d.start)
        crossed = text is not None and clause_break is not None and clause_break.search(text, lo, hi)
        return hi - lo + (40 if crossed else 0)
    return min(dates, key=cost)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=8192)
def clause_tense(sentence: str, start: int) -> str:
    """Future when the clause leading to the date is a plan or an expectation. Cached: claims,
    events and every reference date ask about the same positions."""
    lo = max(0, start - 70)
    window = sentence[lo:start]
    # The sentence is folded once for all its positions (fold is cached); a slice of it holds the
    # same ASCII letters as the folded slice, and the words looked for are ASCII.
    folded = fold(sentence)[lo:start]
    cut = _clause_start(window, folded)
    if not any(map(folded[cut:].__contains__, _FUTURE.words)):
        return "past"
    return "future" if _FUTURE.pattern.search(window[cut:]) else "past"


_CUT_MARKS = ",;:—–(\"“”"
_CUT_VERBS = ("said", "says", "told", "added", "announced", "reported", "confirmed", "stated")


def _clause_start(window: str, folded: str | None = None) -> int:
    """Where the last _CLAUSE_CUT match in the window ends (0 if none). Its matches are single
    marks and whole verbs, which cannot overlap; without a verb in the window the last one is
    the last mark, found with rfind instead of the alternation tried at every character.
    `folded`: the window folded, when the caller has it."""
    if any(map((fold_window(window) if folded is None else folded).__contains__, _CUT_VERBS)):
        cuts = list(_CLAUSE_CUT.finditer(window))
        return cuts[-1].end() if cuts else 0
    return max(map(window.rfind, _CUT_MARKS)) + 1


def _month_number(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")[:3] if token.lower().rstrip(".") not in MONTHS else token.lower().rstrip(".")]


_ORDINAL_SUFFIX = re.compile(r"(st|nd|rd|th)\b")
_NON_DIGIT = re.compile(r"\D")


def _parse_md(text: str) -> tuple[int, int]:
    text = _ORDINAL_SUFFIX.sub("", text.replace(" of ", " "))
    parts = text.replace(".", " ").split()
    if parts[0].isdigit():
        return _month_number(parts[1]), int(parts[0])
    return _month_number(parts[0]), int(parts[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _pick_year(month: int, day: int, reference: date, tense: str | None) -> date | None:
    """The year that puts (month, day) nearest the reference, on the side the tense asks for."""
    candidates = [d for y in (reference.year - 1, reference.year, reference.year + 1)
                  if (d := _safe_date(y, month, day)) is not None]
    if not candidates:
        return None
    if tense == "future":
        after = [d for d in candidates if d >= reference]
        return min(after) if after else None
    if tense == "past":
        before = [d for d in candidates if d <= reference]
        return max(before) if before else None
    # No marker: news looks back far more often than ahead, so a future reading must be much nearer.
    return min(candidates, key=lambda d: (reference - d).days if d <= reference else 3 * (d - reference).days)


def _weekday(reference: date, weekday: int, tense: str, prep: str) -> date:
    prep = prep.lower()
    if prep == "next":  # "next Thursday": the week after the coming one (conventions.md)
        return reference + timedelta(days=(weekday - reference.weekday()) % 7 + 7)
    if prep == "last":
        back = (reference.weekday() - weekday) % 7 or 7
        return reference - timedelta(days=back)
    if tense == "future" or prep in ("by", "until"):
        return reference + timedelta(days=(weekday - reference.weekday()) % 7)
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


class _Hit(NamedTuple):
    """What a pattern match says before any reference date is known."""
    match: re.Match  # _resolve reads its groups by name (match["md"])
    kind: str
    tense: str  # the clause tense at the match

    @property
    def groups(self) -> dict:
        return self.match.groupdict()


@lru_cache(maxsize=4096)
def _scan(text: str) -> tuple[_Hit, ...]:
    """The matches _MASTER.finditer(text) gives, found at the possible starts only (_STARTS,
    near key words). Cached by text: the same sentence is read by pubdate, claims and events,
    with different reference dates that only _resolve needs."""
    folded = fold(text)
    hits = []
    resume = 0
    for first, last in _windows(folded):
        if last < resume:
            continue
        for start in _starts_between(folded, first, last):
            if start < resume or not _STARTS.match(folded, start):
                continue
            m = _MASTER.match(text, start)
            if m:
                hits.append(_hit(text, m))
                resume = m.end()
    return tuple(hits)


def _hit(text: str, m: re.Match) -> _Hit:
    # One branch matched; its k_ group encloses all its other groups, so it closes last.
    return _Hit(m, m.lastgroup[2:], clause_tense(text, m.start()))


def _resolve(hit: _Hit, reference: date) -> tuple[date, date | None, str, str | None, str] | None:
    """(date, date_end, precision, forced tense or None, rule)."""
    kind, g, tense = hit.kind, hit.match, hit.tense
    if kind == "iso":
        d = _safe_date(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
        return (d, None, "day", None, "iso") if d else None
    if kind == "md_range":
        second = g["r2"]
        if _DAY_ALONE.fullmatch(g["r1"]):  # "between 12 and 14 March"
            m2, d2 = _parse_md(second)
            m1, d1 = m2, int(_NON_DIGIT.sub("", g["r1"]))
        else:
            m1, d1 = _parse_md(g["r1"])
            if _DAY_ALONE.fullmatch(second):
                m2, d2 = m1, int(_NON_DIGIT.sub("", second))
            else:
                m2, d2 = _parse_md(second)
        year2 = int(g["r2y"]) if g["r2y"] else None
        year1 = int(g["r1y"]) if g["r1y"] else None
        if year2 is None and year1 is None:
            end = _pick_year(m2, d2, reference, None)
            if end is None:
                return None
            year2 = end.year
        year2 = year2 or year1
        year1 = year1 or (year2 if (m1, d1) <= (m2, d2) else year2 - 1)
        start, end = _safe_date(year1, m1, d1), _safe_date(year2, m2, d2)
        return (start, end, "range", None, "month_day_range") if start and end else None
    if kind == "md_or":
        m1, d1 = _parse_md(g["o1"])
        d2 = int(_NON_DIGIT.sub("", g["o2"]))
        start = (_safe_date(int(g["oy"]), m1, d1) if g["oy"] else _pick_year(m1, d1, reference, None))
        if start is None or d2 <= d1:
            return None
        end = _safe_date(start.year, m1, d2)
        return (start, end, "range", None, "month_day_or_day") if end else None
    if kind == "md":
        month, day = _parse_md(g["md"])
        if g["md_y"]:
            d = _safe_date(int(g["md_y"]), month, day)
            rule = "month_day_year"
        elif (month, day) == (10, 7) and reference > WAR_START:
            d, rule = WAR_START, "october_7_anchor"
        else:
            forced = tense if tense == "future" else None
            d, rule = _pick_year(month, day, reference, forced), "month_day_nearest_year"
        if d is None:
            return None
        if (g["md_prep"] or "").lower() == "since":
            return (d, reference if d < reference else None, "range" if d < reference else "day", "past", rule + "_since")
        return (d, None, "day", None, rule)
    if kind == "part_month":
        month = _month_number(g["pm_mon"])
        part = g["pm_part"].lower()
        anchor_day = 5 if part in ("early", "the start of", "start of", "the beginning of") else 15 if part == "mid" else 25
        if g["pm_y"]:
            d = _safe_date(int(g["pm_y"]), month, anchor_day)
        else:
            d = _pick_year(month, anchor_day, reference, tense if tense == "future" else None)
        return (monday(d), None, "week", None, "part_of_month") if d else None
    if kind == "rel_year":
        year = reference.year + {"last": -1, "this": 0, "next": 1}[g["ry_rel"].lower()]
        part = (g["ry_part"] or "").lower()
        if part in ("late", "later"):
            return date(year, 10, 1), date(year, 12, 31), "range", None, "late_year"
        if part in ("early", "earlier"):
            return date(year, 1, 1), date(year, 3, 31), "range", None, "early_year"
        return date(year, 1, 1), date(year, 12, 31), "range", None, "relative_year"
    if kind == "month_year":
        month = _month_number(g["my_mon"])
        prep = (g["my_prep"] or "").lower()
        if g["my_y"]:
            year = int(g["my_y"])
        elif prep == "last":
            year = reference.year - 1 if month >= reference.month else reference.year
        elif prep == "next":
            year = reference.year + 1 if month <= reference.month else reference.year
        elif prep == "this":
            year = reference.year
        else:
            if month == 5 and not prep:  # "may" the verb is far commoner than May the month
                return None
            d = _pick_year(month, 1, reference.replace(day=1), tense if tense == "future" else None)
            if d is None:
                return None
            year = d.year
        return date(year, month, 1), None, "month", None, "month_name"
    if kind == "rel_week":
        text = " ".join(g["rw"].lower().split())
        this_monday = monday(reference)
        if text == "next week" or text == "the following week":
            return this_monday + timedelta(days=7), None, "week", "future", "next_week"
        if text in ("last week", "the previous week"):
            return this_monday - timedelta(days=7), None, "week", "past", "last_week"
        return this_monday, None, "week", ("future" if text.startswith("later") else None), "this_week"
    if kind == "rel_month":
        text = " ".join(g["rm"].lower().split())
        first = reference.replace(day=1)
        if text == "next month":
            return (first + timedelta(days=32)).replace(day=1), None, "month", "future", "next_month"
        if text == "last month":
            return (first - timedelta(days=1)).replace(day=1), None, "month", "past", "last_month"
        return first, None, "month", ("future" if text.startswith("later") else None), "this_month"
    if kind == "within":
        n = int(g["wn"]) if g["wn"].isdigit() else _SMALL[g["wn"].lower()]
        days = -(-n // 24) if g["wu"].lower().startswith("hour") else n
        return reference, reference + timedelta(days=days), "range", "future", "within"
    if kind == "ago":
        n = int(g["an"]) if g["an"].isdigit() else _SMALL[g["an"].lower()]
        if g["au"].lower().startswith("week"):
            return monday(reference - timedelta(days=7 * n)), None, "week", "past", "weeks_ago"
        return reference - timedelta(days=n), None, "day", "past", "days_ago"
    if kind == "weekday":
        weekday = WEEKDAYS[g["wd"].lower()]
        prep = (g["wd_prep"] or "").lower()
        d = _weekday(reference, weekday, tense, prep)
        forced = "future" if prep == "next" else "past" if prep == "last" else None
        if prep == "since" and d < reference:
            return d, reference, "range", "past", "since_weekday"
        return d, None, "day", forced, "weekday_" + ("next" if prep == "next" else "last" if prep == "last" else tense)
    if kind == "deictic":
        text = " ".join(g["dx"].lower().split())
        if text.startswith("yesterday"):
            return reference - timedelta(days=1), None, "day", "past", "yesterday"
        if text.startswith("tomorrow"):
            return reference + timedelta(days=1), None, "day", "future", "tomorrow"
        if text in ("last night", "overnight"):
            return reference - timedelta(days=1), reference, "range", "past", "overnight"
        return reference, None, "day", ("future" if text == "later today" else None), "today"
    return None


def find_dates(sentence: str, reference: date) -> list[DateMention]:
    """Date mentions in the sentence, left to right, resolved against the reference date."""
    return list(_find_dates(sentence, reference))


def find_dates_of_kinds(sentence: str, reference: date, kinds: frozenset[str],
                        known_safe: bool = False) -> list[DateMention]:
    """The mentions of find_dates(sentence, reference) found by the named patterns (_PATTERNS),
    left to right; the others are not resolved, unless one of them may fail to (then all are,
    so that this fails where find_dates fails, with the same error). `known_safe`: the caller
    knows resolves_safely(sentence, reference), as it does when that holds for a text the
    sentence is part of."""
    if not known_safe and not resolves_safely(sentence, reference):
        find_dates(sentence, reference)
    elif kinds <= _MONTH_OR_ISO_KINDS and not _has_month_or_iso_key(fold(sentence)):
        return []  # none of these kinds can match: the text need not be scanned
    return [mention for hit in _scan(sentence) if hit.kind in kinds and (mention := _mention(hit, reference)) is not None]


def _has_month_or_iso_key(folded: str) -> bool:
    return any(map(folded.__contains__, _MONTH_KEYS)) or ("-" in folded and _ISO_KEY.search(folded) is not None)


@lru_cache(maxsize=4096)
def _find_dates(sentence: str, reference: date) -> tuple[DateMention, ...]:
    # Cached (immutable mentions): claims and events read each sentence with the same reference.
    return tuple(mention for hit in _scan(sentence) if (mention := _mention(hit, reference)) is not None)


def _mention(hit: _Hit, reference: date) -> DateMention | None:
    m = hit.match
    resolved = _resolve(hit, reference)
    if resolved is None:
        return None
    start_date, end_date, precision, forced_tense, rule = resolved
    tense = forced_tense or hit.tense
    if forced_tense is None and tense == "past" and (end_date or start_date) > reference and precision != "range":
        tense = "future"
    text = m.group(0).strip()
    offset = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
    return DateMention(offset, offset + len(text), text, start_date, end_date, precision, tense, rule)


FULL_DATE_RULES = ("month_day_year", "iso")
# Every full date holds a year, and no date mention holds one of the characters below: finditer
# never carries a match across one, so a scan that starts just after one finds what a scan of
# the whole text finds from there on.
_YEAR = re.compile(r"(?:19|20)\d\d")
_NOT_IN_DATES = re.compile(r"[^\w\s.,\-–]")
# What makes _resolve fail on a mention (a KeyError, IndexError, ValueError or OverflowError,
# which quarantines the article), with a reference date of 1900 to 2100: a case trap (ſ, ı...) in
# its words, or, after a digit, an ordinal suffix not in lower case ("5TH"), a range of two bare
# days before a month glued to more letters ("from 5 and 5 Decx"), a count of time past the
# calendar ("99999 weeks ago"), or the "of" of "12 of March" not written " of ".
_CASE_TRAP_IN_TEXT = re.compile("[\u0130\u0131\u017f\u212a]")
_ODD_AFTER_DIGIT = re.compile(r"\d(?:" + "|".join([
    r"S[Tt]|sT|N[Dd]|nD|R[Dd]|rD|T[Hh]|tH",
    r"\w*\s+(?i:and|to|until|till|through)\s+\d\w*\s+(?i:of\s+)?(?i:" + "|".join(sorted({name[:3] for name in MONTHS})) + ")",
    r"\d{4,}\s+(?i:hours?|days?|weeks?)",
    r"\w*\s*(?:[^\S ](?i:of)\s| (?:Of|oF|OF)\s| of[^\S ])",
]) + ")")
_SAFE_REFERENCES = (date(1900, 1, 1), date(2100, 12, 31))


@lru_cache(maxsize=4096)
def _may_not_resolve(text: str) -> bool:
    # Cached: pubdate asks about a whole article twice (its full dates, its lines).
    return bool(_CASE_TRAP_IN_TEXT.search(text) or _ODD_AFTER_DIGIT.search(text))


def resolves_safely(text: str, reference: date) -> bool:
    """True when find_dates(text, reference) cannot fail: a caller that needs none of its
    mentions may then skip it without losing the error that quarantines the article. What
    holds for a text holds for every part of it (the tests above read characters, and runs of
    them without anchors or lookarounds)."""
    return not _may_not_resolve(text) and _SAFE_REFERENCES[0] <= reference <= _SAFE_REFERENCES[1]


def find_full_dates(text: str, reference: date) -> list[DateMention]:
    """The mentions of find_dates(text, reference) that give their own year (FULL_DATE_RULES),
    left to right. Only the text between each year and the last character before it that no
    mention can hold is read: for a whole article, a few per cent of it. A text where some
    mention may fail to resolve is read whole, so that this fails where find_dates fails, with
    the same error."""
    if not resolves_safely(text, reference):
        return [d for d in find_dates(text, reference) if d.rule in FULL_DATE_RULES]
    folded = fold(text)
    found = []
    windows: list[tuple[int, int]] | None = None  # where mentions can start (_windows), once a year is seen
    w = 0  # the first window that may reach the current begin
    resume = 0  # every position before it is settled: in a match, or no match starts there
    for year in _YEAR.finditer(text):
        if year.start() < resume:
            continue
        begin = resume
        for stop in _NOT_IN_DATES.finditer(text, resume, year.start()):
            begin = stop.end()
        if windows is None:
            windows = _windows(folded)
        while w < len(windows) and windows[w][1] < begin:
            w += 1
        # a match holding the year starts at or before it
        for first, last in windows[w:]:
            if first > year.start():
                break
            for start in _starts_between(folded, max(first, begin), min(last, year.start())):
                if start < resume or not _STARTS.match(folded, start):
                    continue
                m = _MASTER.match(text, start)
                if m:
                    mention = _mention(_hit(text, m), reference)
                    if mention is not None and mention.rule in FULL_DATE_RULES:
                        found.append(mention)
                    resume = m.end()
        resume = max(resume, year.start() + 1)
    return found
