"""Find date expressions in a sentence and resolve them against a reference (publication) date.

Pure: the reference date is an argument, never the clock. Every mention keeps its span, precision,
tense and the id of the rule that resolved it. Conventions: docs/conventions.md, "Dates".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
_FUTURE = re.compile(
    r"\b(?:will|would|shall|'ll|is|are|was|were)\s+(?:\w+\s+)?(?:expected|set|due|scheduled|slated|planned|poised|likely)\b"
    r"|\b(?:will|shall|'ll|would)\b|\bplans?\s+to\b|\bplanned\b|\bscheduled\b|\bupcoming\b"
    r"|\b(?:is|are)\s+to\s+\w+|\bexpected\s+to\b|\bdue\s+to\s+\w+|\baims?\s+to\b|\bintends?\s+to\b|\bset\s+to\b"
    r"|\b(?:before|until|ahead of|when)\b[^,.;]{0,60}?\b(?:begins|starts|ends|begin|start|expires|is due)\b",
    re.IGNORECASE)
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


def clause_tense(sentence: str, start: int) -> str:
    """Future when the clause leading to the date is a plan or an expectation."""
    window = sentence[max(0, start - 70):start]
    cuts = list(_CLAUSE_CUT.finditer(window))
    clause = window[cuts[-1].end():] if cuts else window
    return "future" if _FUTURE.search(clause) else "past"


def _month_number(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")[:3] if token.lower().rstrip(".") not in MONTHS else token.lower().rstrip(".")]


def _parse_md(text: str) -> tuple[int, int]:
    text = re.sub(r"(st|nd|rd|th)\b", "", text.replace(" of ", " "))
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


def _resolve(m: re.Match, sentence: str, reference: date) -> tuple[date, date | None, str, str | None, str] | None:
    """(date, date_end, precision, forced tense or None, rule)."""
    kind = next(name for name, _ in _PATTERNS if m.group("k_" + name) is not None)
    g = m.groupdict()
    tense = clause_tense(sentence, m.start())
    if kind == "iso":
        d = _safe_date(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
        return (d, None, "day", None, "iso") if d else None
    if kind == "md_range":
        second = g["r2"]
        if re.fullmatch(_DAY, g["r1"], re.IGNORECASE):  # "between 12 and 14 March"
            m2, d2 = _parse_md(second)
            m1, d1 = m2, int(re.sub(r"\D", "", g["r1"]))
        else:
            m1, d1 = _parse_md(g["r1"])
            if re.fullmatch(_DAY, second, re.IGNORECASE):
                m2, d2 = m1, int(re.sub(r"\D", "", second))
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
        d2 = int(re.sub(r"\D", "", g["o2"]))
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
    found = []
    for m in _MASTER.finditer(sentence):
        resolved = _resolve(m, sentence, reference)
        if resolved is None:
            continue
        start_date, end_date, precision, forced_tense, rule = resolved
        tense = forced_tense or clause_tense(sentence, m.start())
        if forced_tense is None and tense == "past" and (end_date or start_date) > reference and precision != "range":
            tense = "future"
        text = m.group(0).strip()
        offset = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        found.append(DateMention(offset, offset + len(text), text, start_date, end_date, precision, tense, rule))
    return found
