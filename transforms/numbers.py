"""Find the figures in a sentence: digits, scale words, number words, durations, ranges, qualifiers.

Each figure keeps its span, the rule that read it, and, when it is not a countable claim (a year,
a date, a percentage, money, an age, an ordinal, an id, a clock time), the reason why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.prefilter import fold, fold_window, prefiltered

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "k": 1_000}
_DURATION_DAYS = {"day": 1, "week": 7, "month": 30}

_UNIT_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_TENS_WORD = "|".join(_TENS)
_SMALL_WORD = rf"(?:(?:{_TENS_WORD})(?:[- ](?:{_UNIT_WORD}))?|{_UNIT_WORD})"
_WORD_NUMBER = (
    rf"(?:half\s+a\s+million|(?:a|{_UNIT_WORD})\s+dozen|a\s+(?:hundred|thousand|million|billion)"
    rf"|{_SMALL_WORD}(?:\s+(?:hundred|thousand|million|billion)(?:\s+(?:and\s+)?{_SMALL_WORD})?)*)"
)
_DIGITS = r"\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,6})?|\d{1,15}(?:\.\d{1,6})?"  # longer runs are ids
_SCALE = r"(?:\s*(?:million|billion|thousand|mn|bn|m|k)\b|\s+hundred\b)"
_NUMBER = re.compile(
    rf"(?<![\w.,$€£₪/#-])(?P<num>(?P<digits>{_DIGITS})(?P<scale>{_SCALE})?|(?P<words>{_WORD_NUMBER}))"
    rf"(?P<dur>-(?:day|week|month)s?(?:-long|-old)?\b|\s+(?:days?|weeks?|months?)\b)?"
    rf"(?![\w]|,\d|\.\d)",
    re.IGNORECASE,
)
# Where a figure can begin: _NUMBER's lookbehind puts every match at the start of a word, and
# that word is a run of digits or, whole, a number word ("twenty" of "twenty-five", "a" of "a
# dozen", "half" of "half a million": each is followed by a space, a hyphen or the match's end,
# which its lookahead keeps off word characters). Trying _NUMBER at those words only, in order and
# resuming after each match, gives the matches finditer gives without trying it at every character.
_NUMBER_STARTS = frozenset([*_UNITS, *_TENS, "a", "half"])
# Those words are found by kind. A word that is not a letter first can begin a figure only with a
# decimal digit, where a run of them begins (the lookbehind rejects runs inside a word). A figure
# in words holds, whole, one of _WORD_FIGURE_WORDS: a number word, or after "a" and "half" (which
# begin a figure only so) "dozen", "hundred", "thousand", "million" or "billion". So the words of
# _NUMBER_STARTS that the sentence holds whole are looked for alone, and "a" and "half" only
# beside one of those scale words.
_SCALE_AFTER_A = frozenset(["dozen", "hundred", "thousand", "million", "billion"])
_WORD_FIGURE_WORDS = frozenset([*_UNITS, *_TENS, *_SCALE_AFTER_A])
_WORD_RUN = re.compile(r"\w+")
_DIGIT_RUN = re.compile(r"\d+")
# The word, whole: its literal first lets the engine find it as str.find does.
_WHOLE_WORD = {word: re.compile(rf"{word}(?<!\w{word})(?!\w)") for word in _NUMBER_STARTS}


def _figure_starts(sentence: str) -> list[int]:
    """In order, the positions where _NUMBER can match: digit runs, and whole words of _NUMBER_STARTS."""
    starts = [m.start() for m in _DIGIT_RUN.finditer(sentence)]
    present = _WORD_FIGURE_WORDS.intersection(_WORD_RUN.findall(fold(sentence)))
    if present:
        words = present & _NUMBER_STARTS
        if not _SCALE_AFTER_A.isdisjoint(present):
            words |= {"a", "half"}
        folded = fold(sentence)
        for word in words:
            starts += [m.start() for m in _WHOLE_WORD[word].finditer(folded)]
        starts.sort()
    return starts


def _number_matches(sentence: str) -> list[re.Match]:
    found = []
    resume = 0
    for at in _figure_starts(sentence):
        if at >= resume:
            m = _NUMBER.match(sentence, at)
            if m:
                found.append(m)
                resume = m.end()
    return found


_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to|and|or)\s*$", re.IGNORECASE)

# Qualifier words that stand just before a figure, longest first; values are ANNOTATION.md codes.
_QUALIFIERS = [
    ("no fewer than", "at_least"), ("no less than", "at_least"), ("a minimum of", "at_least"),
    ("at least", "at_least"), ("passed", "at_least"), ("passing", "at_least"),
    ("more than", "more_than"), ("upwards of", "more_than"), ("in excess of", "more_than"),
    ("well over", "more_than"), ("just over", "more_than"), ("over", "more_than"),
    ("topped", "at_least"), ("tops", "at_least"), ("topping", "at_least"),
    ("exceeded", "at_least"), ("exceeds", "at_least"), ("exceeding", "at_least"),
    ("surpassed", "at_least"), ("surpasses", "at_least"), ("surpassing", "at_least"),
    ("crossed", "at_least"), ("passes", "at_least"), ("above", "more_than"),
    ("nearly", "nearly"), ("almost", "nearly"), ("up to", "nearly"), ("close to", "nearly"),
    ("as many as", "nearly"), ("just under", "nearly"), ("approaching", "nearly"),
    ("an estimated", "about"), ("estimated", "about"), ("approximately", "about"),
    ("roughly", "about"), ("around", "about"), ("about", "about"), ("some", "about"),
    ("circa", "about"), ("an approximate", "about"),
    ("fewer than", "less_than"), ("less than", "less_than"), ("under", "less_than"),
    ("below", "less_than"),
]
_QUALIFIER_RX = re.compile(
    r"(?:^|[\s(\"“])(?P<q>" + "|".join(re.escape(q) for q, _ in _QUALIFIERS) + r")\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_QUALIFIER_CODE = {q: code for q, code in _QUALIFIERS}
_POSTFIX_QUALIFIER = re.compile(r"^\s*(?:\+|-plus\b|\s*or (?:more|so)\b)", re.IGNORECASE)
_BETWEEN = re.compile(r"(?:between|from)\s+$", re.IGNORECASE)

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_EXCLUDE_AFTER = [
    ("percentage", re.compile(r"^\s*(?:%|per\s?cent\b|percent\b|pc\b|percentage)", re.I)),
    ("money", re.compile(r"^\s*(?:(?:million|billion|thousand|bn|m)\s+)?(?:dollars?|euros?|shekels?|pounds?|usd|eur|riyals?|dinars?)\b", re.I)),
    ("clock_time", re.compile(r"^(?::\d{2}|\s*(?:a\.?m\b\.?|p\.?m\b\.?|gmt\b|utc\b|bst\b|est\b|hrs\b|local time))", re.I)),
    ("ordinal", re.compile(r"^(?:st|nd|rd|th)\b", re.I)),
    ("age", re.compile(r"^(?:-|\s)years?(?:-|\s)old\b|^-year-old|^\s*years? of age|^-month-old", re.I)),
    ("date", re.compile(rf"^\s*(?:{_MONTH})(?![a-z])|^\s*(?:and|to|-|–)\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})(?![a-z])", re.I)),
    ("fraction", re.compile(r"^\s+(?:in|out\s+of)\s+(?:ten|10|five|5|four|three|two|every)\b", re.I)),
    ("compound", re.compile(r"^-(?:member|storey|story|floor|page|point|man|woman|strong|kilometre|kilometer|km|mile|metre|meter|hour|minute|second|year|seat|bed|room|car|truck|inch|foot|gram|kg|tonne|ton)s?\b", re.I)),
    ("measure", re.compile(r"^\s*(?:km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|kg|kilograms?|tonnes?|tons?|litres?|liters?|hours?|hrs|minutes?|mins?|seconds?|years?|decades?|centuries|trucks?|lorries|rockets?|missiles?|drones?|pallets?|parcels?|tons?|calories|acres|dunams?|square)\b", re.I)),
]


def _first_of(reasons: list[tuple[str, re.Pattern]]) -> re.Pattern:
    """One pattern whose match at the start of a text names (as its lastgroup) the first of the
    reasons, in order, whose pattern matches there. Each of them is anchored at the start (a
    search of one can only match there), and an alternation tries its branches in order."""
    return re.compile("|".join(f"(?P<{reason}>{rx.pattern})" for reason, rx in reasons), re.IGNORECASE)


_EXCLUDED_AFTER = _first_of(_EXCLUDE_AFTER)
_EXCLUDED_AFTER_DURATION = _first_of([(reason, rx) for reason, rx in _EXCLUDE_AFTER if reason != "measure"])
_EXCLUDE_BEFORE = [
    ("money", re.compile(r"(?:[$€£₪]|\bus\$|\busd|\beur)\s*$", re.I)),
    ("date", re.compile(rf"(?:^|[^a-z])(?:{_MONTH})\s+$", re.I)),
    ("age", re.compile(r"\b(?:aged|age|ages)\s+$", re.I)),
    ("fraction", re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|\d)\s+(?:in|out\s+of)\s+$", re.I)),
    ("personal", re.compile(r"\b(?:her|his|my|our|your)\s+$", re.I)),
    ("id", re.compile(r"\bday\s+$", re.I)),
    ("id", re.compile(r"\b(?:resolution|no\.|number|flight|route|highway|road|article|page|chapter|section|vol\.?|volume|brigade|division|battalion|unit|gate|platform|paragraph|item|clause|session|episode|season|phase|stage|round|verse|camp|block|building|apartment|room|tower|channel|line|code)\s+$", re.I)),
    ("score_or_ratio", re.compile(r"\d\s*[:/]\s*$")),
]
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*,\s+$")
_AGE_AFTER = re.compile(r",\s+(?:who|whose|a|an|said|says|told|recalled|explained|added|from|wept|lost|fled)\b", re.I)
_OF_AHEAD = re.compile(r"\s+of\b")
_ONE_OK = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?:person|people|palestinians?|israelis?|child|children|woman|women|man|men|hostages?|captives?|soldiers?|civilians?|journalists?|medics?|doctors?|worker|body|prisoners?|detainees?|resident|baby|infant|girl|boy|teenager|minor|(?:was|has been|is|were) (?:killed|injured|wounded|released|freed|found))\b", re.I)


@dataclass(frozen=True)
class NumberMention:
    start: int  # span of the figure in the sentence (scale word and duration unit included)
    end: int
    text: str
    value: int
    value_low: int | None
    value_high: int | None
    qualifier: str
    qualifier_text: str | None
    unit: str | None  # day | week | month, for durations
    rule: str
    excluded: str | None = None  # why it is not a countable figure


_TOKEN_SPLIT = re.compile(r"[\s-]+")


def words_to_int(text: str) -> int | None:
    tokens = _TOKEN_SPLIT.split(text.lower().replace(" and ", " "))
    if tokens[:3] == ["half", "a", "million"]:
        return 500_000
    total = current = 0
    seen = False
    for token in tokens:
        if token == "a":
            current = max(current, 1)
            seen = True
        elif token == "dozen":
            current = max(current, 1) * 12
            seen = True
        elif token in _UNITS:
            current += _UNITS[token]
            seen = True
        elif token in _TENS:
            current += _TENS[token]
            seen = True
        elif token == "hundred":
            current = max(current, 1) * 100
        elif token in ("thousand", "million", "billion"):
            total += max(current, 1) * _SCALES[token]
            current = 0
        elif token:
            return None
    return total + current if seen else None


def _digits_value(digits: str, scale: str | None) -> int:
    number = float(digits.replace(",", ""))
    if scale:
        number *= _SCALES[scale.strip().lower()]
    return int(round(number))


# Read on the reversed folded window: the white space that ends it (what rstrip strips: `\s` is
# str.isspace), then the letters before that.
_LAST_WORD_REVERSED = re.compile(r"\s*([a-z]*)")


def _last_word(window: str) -> tuple[str, str]:
    """The letters that end a window (folded, white space stripped), and its last character."""
    backwards = fold_window(window)[::-1]
    m = _LAST_WORD_REVERSED.match(backwards)
    at = m.start(1)
    return m.group(1)[::-1], backwards[at:at + 1]


# _QUALIFIER_RX and _EXCLUDE_BEFORE close with `\s+$` or `\s*$`: what they match ends the window
# before the figure, so a window whose last word, or last character, ends none of their
# alternatives is not searched (a search tries every position of the window).
_QUALIFIER_LAST_WORDS = frozenset({q.split()[-1] for q, _ in _QUALIFIERS} | {"the"})
# months ("May 5"), "aged", the "in"/"of" of fractions, possessives, "day" and the id nouns,
# "usd"/"eur"; the characters: money signs, the "." of "Jan." and "no.", the ":" and "/" of scores
_EXCLUDE_BEFORE_LAST_WORDS = frozenset([
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul",
    "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec",
    "december", "aged", "age", "ages", "in", "of", "her", "his", "my", "our", "your", "day", "usd",
    "eur", "resolution", "number", "flight", "route", "highway", "road", "article", "page", "chapter",
    "section", "vol", "volume", "brigade", "division", "battalion", "unit", "gate", "platform",
    "paragraph", "item", "clause", "session", "episode", "season", "phase", "stage", "round",
    "verse", "camp", "block", "building", "apartment", "room", "tower", "channel", "line", "code"])
_EXCLUDE_BEFORE_LAST_CHARS = frozenset(".:/$€£₪")


def _words_before(sentence: str, start: int) -> tuple[str, str, str]:
    """_last_word of the 40 characters before `start` (its word), and of the 30 before it (word
    and character), from one reading: the 30 are the 40's end, so their reversed text is a prefix
    of the 40's, which the match reads as far as it reaches."""
    backwards = fold_window(sentence[max(0, start - 40):start])[::-1]
    m = _LAST_WORD_REVERSED.match(backwards)
    spaces = min(m.start(1), 30)
    return (m.group(1)[::-1], backwards[spaces:min(m.end(1), 30)][::-1],
            backwards[spaces:spaces + 1] if spaces < 30 else "")


def _qualifier(sentence: str, start: int, last_word: str) -> tuple[str, str | None, int]:
    """The qualifier before the figure at `start`; last_word: that of the 40 characters before it."""
    window_start = max(0, start - 40)
    if last_word not in _QUALIFIER_LAST_WORDS:
        return "exact", None, start
    match = _QUALIFIER_RX.search(sentence[window_start:start])
    if not match:
        return "exact", None, start
    words = match.group("q")
    return _QUALIFIER_CODE[words.lower()], words, window_start + match.start("q")


def _exclusion(sentence: str, match: re.Match, value: int, last_word: str, last_char: str) -> str | None:
    """Why the figure is not a countable claim, if it is not; last_word and last_char: those of
    the 30 characters before it."""
    end = match.end()
    after = sentence[end:end + 30]
    before = sentence[max(0, match.start() - 30):match.start()]
    digits, scale, words, duration = match.group("digits", "scale", "words", "dur")
    # a duration is a measure already: "three weeks" is not excluded as one
    first = (_EXCLUDED_AFTER_DURATION if duration else _EXCLUDED_AFTER).match(after)
    if first:
        return first.lastgroup
    if last_word in _EXCLUDE_BEFORE_LAST_WORDS or last_char in _EXCLUDE_BEFORE_LAST_CHARS:
        for reason, rx in _EXCLUDE_BEFORE:
            if rx.search(before):
                return reason
    # _NAME_BEFORE closes with `,\s+$`: a comma ends the window's stripped text
    if value < 120 and last_char == "," and _NAME_BEFORE.search(before) and _AGE_AFTER.match(after):
        return "age"  # "Hanan Abu Saleh, 67, who fled ..."
    if digits and not scale:
        plain = digits.replace(",", "")
        if "," not in digits and len(plain) == 4 and 1900 <= value <= 2100:
            return "year"
        if "," not in digits and len(plain) >= 7:
            return "id"
        if "." in digits:
            return "decimal"
    if words and not duration and words.lower() in ("one", "a"):
        following = sentence[end:end + 60]
        if _OF_AHEAD.match(following) or not _ONE_OK.match(following):
            return "pronoun_one"
    return None


_DURATION_UNIT = re.compile(r"day|week|month", re.IGNORECASE)
_UNIT_LONG = prefiltered(r"\b(?:a|an|one)\s+(?P<u>day|week|month)[- ]long\b", re.IGNORECASE)


def find_numbers(sentence: str) -> list[NumberMention]:
    """All figures in the sentence, left to right; ranges are merged into one mention."""
    found = _find_numbers(sentence)
    for m in _UNIT_LONG.finditer(sentence):
        unit = m.group("u").lower()
        start = m.start("u")
        if not any(n.start <= start < n.end for n in found):
            days = _DURATION_DAYS[unit]
            found.append(NumberMention(start, m.end(), sentence[start:m.end()], days, days, days,
                                       "exact", None, unit, "unit_long"))
    return sorted(found, key=lambda n: n.start)


def _find_numbers(sentence: str) -> list[NumberMention]:
    found: list[NumberMention] = []
    matches = _number_matches(sentence)
    skip_next = False
    for i, match in enumerate(matches):
        if skip_next:
            skip_next = False
            continue
        words, digits, scale, duration = match.group("words", "digits", "scale", "dur")
        if words:
            value = words_to_int(words)
            rule = "number_words"
            if value is None:
                continue
        else:
            value = _digits_value(digits, scale)
            rule = "digits_scale" if scale else "digits"
        unit = None
        if duration:
            unit = _DURATION_UNIT.search(duration).group(0).lower()
            rule = "duration"
        start, end = match.span()
        value_low = value_high = None
        # Ranges: "10 to 20", "between 10 and 20", "10-20".
        if i + 1 < len(matches):
            nxt = matches[i + 1]
            joiner = sentence[end:nxt.start()]
            if _RANGE_JOIN.match(joiner) and (joiner.strip() not in ("and", "or") or
                                              _BETWEEN.search(sentence[max(0, start - 12):start]) or joiner.strip() == "or"):
                next_words, next_digits, next_scale, next_duration = nxt.group("words", "digits", "scale", "dur")
                high = words_to_int(next_words) if next_words else _digits_value(next_digits, next_scale)
                if next_scale and not scale and digits:
                    value = _digits_value(digits, next_scale)
                if high is not None and high > value and (joiner.strip() != "or" or next_duration):
                    value_low, value_high = value, high
                    end = nxt.end()
                    unit = unit or (_DURATION_UNIT.search(next_duration).group(0).lower()
                                    if next_duration else None)
                    rule = "range"
                    skip_next = True
        word_40, word_30, char_30 = _words_before(sentence, start)
        qualifier, qualifier_text, _ = _qualifier(sentence, start, word_40)
        if qualifier == "exact" and _POSTFIX_QUALIFIER.match(sentence[end:end + 10]):
            qualifier, qualifier_text = "at_least", sentence[end:end + 10].strip().split()[0]
        excluded = _exclusion(sentence, match, value, word_30, char_30)
        if unit:
            factor = _DURATION_DAYS[unit]
            value *= factor
            value_low = value_low * factor if value_low is not None else None
            value_high = value_high * factor if value_high is not None else None
        if value_low is None:
            value_low, value_high = _bounds(value, qualifier)
        found.append(NumberMention(start, end, sentence[start:end], value, value_low, value_high,
                                   qualifier, qualifier_text, unit, rule, excluded))
    return found


def _bounds(value: int, qualifier: str) -> tuple[int | None, int | None]:
    if qualifier == "exact":
        return value, value
    if qualifier == "at_least":
        return value, None
    if qualifier == "more_than":
        return value + 1, None
    if qualifier == "nearly":
        return None, value
    if qualifier == "less_than":
        return None, value - 1
    return None, None
