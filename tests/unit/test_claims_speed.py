"""The shortcuts that make claims extraction fast must find exactly what the plain searches find.

Each helper below replaces a search (or a loop of searches) with a cheaper one that claims the
same result; these tests hold it to the plain version on random text built from the words the
patterns look for, near-misses and case traps included.
"""
import random
import re

import pytest

from transforms import attribution, claims, numbers
from transforms.prefilter import fold


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


def _random_texts(pieces: list[str], seed: int, count: int = 20000, most: int = 8) -> list[str]:
    rng = random.Random(seed)
    gaps = ["", " ", " ", "  ", "-", ", ", "\t", "\n", "\u00a0"]
    return ["".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(rng.randint(0, most)))
            for _ in range(count)]


# Digits alone, number words alone, and both; words that hold a number word without being one
# ("someone", "often"); "a" and "half" with and without the scale words they need; traps that
# fold to a number word ("ſix", "\u212aILLED"); digits that are not ASCII or not decimal.
_FIGURE_PIECES = ["1", "7", "12", "2,300", "30,000", "1.5", "1.1m", "2.3 million", "12345678", "\u0663", "\u00b2",
                  "\u00bd", "_1", "1_", "1one", "one1", "a", "A", "an", "half", "Half", "one", "someone", "often", "ten",
                  "\u017fix", "s\u0131x", "zero", "twenty-five", "dozen", "a dozen", "a billion", "billions", "hundred",
                  "a hundred", "half a million", "thousand", "four-day", "six weeks", "40-day-long", "x", "$", "#",
                  "/", ".", ",", "%", "people", "killed", "\u212aILLED", "and", "to", "or", "between", "years old"]


@pytest.mark.parametrize("text, starts", [
    ("30 people were killed", [0]),
    ("someone often said so", []),  # number words inside other words begin no figure
    ("a dozen and 12", [0, 12]),
    ("half a million fled", [0]),
    ("x1 and _2 and 3", [14]),  # digits inside a word begin no figure
    ("\u0663\u0660 were hurt", [0]),  # any decimal digit, as `\d` reads it
])
def test_number_scanner_starts(text, starts):
    assert [m.start() for m in numbers._number_matches(text)] == starts


def test_number_scanner_by_digit_runs_and_by_words_finds_what_finditer_finds():
    texts = _random_texts(_FIGURE_PIECES, 20261201)
    by_digits = 0
    for text in texts:
        if numbers._WORD_FIGURE_WORDS.isdisjoint(re.findall(r"\w+", fold(text))):
            by_digits += 1
        assert _spans(numbers._number_matches(text)) == _spans(numbers._NUMBER.finditer(text)), text
    assert 2000 < by_digits < len(texts) - 2000  # both ways of finding starts were tried


def _exclusion_by_loop(sentence: str, match: re.Match) -> str | None:
    """The first reason of _EXCLUDE_AFTER, in order, whose pattern finds the words after a figure."""
    after = sentence[match.end():match.end() + 30]
    for reason, rx in numbers._EXCLUDE_AFTER:
        if match.group("dur") and reason == "measure":
            continue
        if rx.search(after):
            return reason
    return None


@pytest.mark.parametrize("text, reason", [
    ("40 per cent", "percentage"),
    ("40 million dollars", "money"),
    ("10:30 am", "clock_time"),
    ("12 years old", "age"),
    ("12 March", "date"),
    ("1 in ten", "fraction"),
    ("5-storey", "compound"),
    ("40 km", "measure"),
    ("3 days", None),  # a duration: "days" reads as its unit, not as a measure
    ("40 people", None),
])
def test_first_exclusion_after_a_figure(text, reason):
    match = numbers._number_matches(text)[0]
    assert _exclusion_by_loop(text, match) == reason
    first = (numbers._EXCLUDED_AFTER_DURATION if match.group("dur") else numbers._EXCLUDED_AFTER).match(
        text[match.end():match.end() + 30])
    assert (first.lastgroup if first else None) == reason


def test_one_pattern_for_the_exclusions_after_a_figure_gives_the_first_reason_of_the_loop():
    # every word written in the patterns themselves, so that each of them, and several at once, match
    words = sorted({w for _, rx in numbers._EXCLUDE_AFTER for w in re.findall(r"[a-z]+", rx.pattern)})
    pieces = words + ["%", ":30", "-", "$", "12", "7", "of", "the", " ", "people", "AM", "p.m.", "\u017ft", "Years-Old"]
    rng = random.Random(20261202)
    checked = 0
    for _ in range(20000):
        number = rng.choice(["12", "1,200", "three", "3", "40-day", "2 weeks"])
        tail = "".join(rng.choice(pieces) + rng.choice(["", " ", " ", "-", "  "]) for _ in range(rng.randint(0, 4)))
        text = number + rng.choice(["", " ", "-", ""]) + tail
        for match in numbers._number_matches(text):
            checked += 1
            first = (numbers._EXCLUDED_AFTER_DURATION if match.group("dur") else numbers._EXCLUDED_AFTER).match(
                text[match.end():match.end() + 30])
            assert (first.lastgroup if first else None) == _exclusion_by_loop(text, match), text
    assert checked > 10000


@pytest.mark.parametrize("window, last_word, last_char", [
    ("at least ", "least", "t"),
    ("killed  \t", "killed", "d"),
    ("Jan.", "", "."),
    ("", "", ""),
    ("the \u017fOME\u00a0", "some", "e"),  # folded as IGNORECASE reads it
    ("caf\u00e9 ", "", "\u00e9"),  # only ASCII letters make the word
])
def test_last_word_of_a_window(window, last_word, last_char):
    assert numbers._last_word(window) == (last_word, last_char)


def test_last_word_is_the_letters_before_the_stripped_end():
    rng = random.Random(20261203)
    pieces = ["a", "B", " ", "\t", "\u00a0", "\u2003", "\u017f", "\u0130", "\u212a", "\u0131", "\u00e9", "1", ",",
              ".", "x y", "\n", "\u00df", "_"]
    for _ in range(20000):
        window = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        tail = fold(window).rstrip()
        start = len(tail)
        while start and "a" <= tail[start - 1] <= "z":
            start -= 1
        assert numbers._last_word(window) == (tail[start:], tail[-1:]), window


def test_a_phrase_without_any_subgroup_word_has_no_subgroup():
    words = [w for _, pattern in claims._SUBGROUP_WORDS for w in re.findall(r"[a-z]+(?:[ -][a-z]+)*", pattern)]
    pieces = words + ["hostages", "people", "of", "the", "x", "12", "Israeli", "medical", "health", "aged over 80",
                      "over the age of 65", "\u017ftaff", "\u212aIDS"]
    metrics = ["killed", "hostages_held", "hostages_released", "injured"]
    rng = random.Random(20261204)
    found = 0
    for phrase in _random_texts(pieces, 20261205, count=10000, most=4):
        metric = rng.choice(metrics)
        sentence = rng.choice(["", "foreigners were freed"])
        if not claims._ANY_SUBGROUP.search(phrase):
            assert not any(rx.search(phrase) for _, rx in claims._SUBGROUP_RX), phrase
        subgroup = claims._subgroup(phrase, metric, sentence)
        found += subgroup is not None
        assert subgroup == _subgroup_by_loop(phrase, metric, sentence), phrase
    assert found > 1000


def _subgroup_by_loop(phrase: str, metric: str, sentence: str) -> str | None:
    """_subgroup without its first test: every pattern tried in turn."""
    for code, rx in claims._SUBGROUP_RX:
        if code == "israelis" and not (metric.startswith("hostages") and claims._FOREIGN_APART.search(sentence)):
            continue
        if rx.search(phrase):
            if code in ("alive", "deceased") and not metric.startswith("hostages"):
                continue
            if code == "foreign_nationals" and re.search(r"\bisraelis?\b", phrase, re.I):
                continue
            if code == "security_forces" and metric in ("killed", "injured") and "soldier" in phrase.lower():
                continue
            return code
    return None


def test_words_before_a_figure_are_the_last_words_of_both_windows():
    rng = random.Random(20261206)
    pieces = ["at least", "more than", "aged", "Jan.", "the", "X", "12", ",", " ", "  ", "\t", "\u00a0" * 3, " " * 31,
              "\u017fome", "caf\u00e9", "killedkilledkilledkilledkilledkilled", "-", "$"]
    for _ in range(20000):
        sentence = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) + " 40"
        start = len(sentence) - 2
        word_40, word_30, char_30 = numbers._words_before(sentence, start)
        assert word_40 == numbers._last_word(sentence[max(0, start - 40):start])[0], sentence
        assert (word_30, char_30) == numbers._last_word(sentence[max(0, start - 30):start]), sentence


def test_a_name_before_a_figure_ends_with_a_comma():
    """_exclusion tries _NAME_BEFORE only on a window whose stripped text ends with a comma."""
    pieces = ["Hanan", "Abu", "Saleh", "UN", "x", ",", ", ", ",\t", " ", "12", "-", "\u00e9"]
    rng = random.Random(20261207)
    matched = 0
    for _ in range(20000):
        window = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(0, 6)))
        if numbers._NAME_BEFORE.search(window):
            matched += 1
            assert numbers._last_word(window)[1] == ",", window
    assert matched > 200


@pytest.mark.parametrize("text, at, viable", [
    ("the ministry’s figures", 15, True),
    ("Gaza's  \ttally", 9, True),
    ("the UN’sfigures", 8, False),  # no white space between
    ("the country figures", 12, False),
    ("   data", 3, False),
    ("the ministry’S figures", 15, False),  # the pattern is case-sensitive
])
def test_figures_anchor_after_a_possessive(text, at, viable):
    assert attribution._after_possessive(text, at) is viable


def test_figures_search_at_possessive_anchors_finds_what_finditer_finds():
    pieces = ["the", "ministry", "Ministry", "UN", "Gaza", "’s", "'s", "’S", "figures", "tally", "count", "country",
              "data", "toll", "statistics", "of", "Health", "said", ",", ".", "x"]
    for text in _random_texts(pieces, 20261209, count=10000, most=12):
        assert _spans(attribution._FIGURES.finditer(text)) == _spans(attribution._FIGURES.pattern.finditer(text)), text


def test_raise_cues_need_the_same_words():
    """extract_claims tests a sentence once for the words of both raise cues."""
    assert claims._RAISED_TO.words and claims._RAISED_TO.words == claims._RAISED_TO_AHEAD.words
