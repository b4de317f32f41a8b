"""Event extraction's shortcuts (case-sensitive twins on folded text, one folding per sentence,
sentences without a trigger word skipped) must find exactly what the plain patterns find."""
import random
import re
from datetime import date

import pytest

from tests.casesets import load_cases
from transforms import events
from transforms.events_folded import FoldedSearch, folded_pattern, words_pattern
from transforms.prefilter import Prefiltered, fold
from transforms.sentences import Sentence

CASE_TEXTS = [c["text"] for name in ("claims_cases.jsonl", "date_cases.jsonl", "event_cases.jsonl")
              for c in load_cases(name)]


@pytest.mark.parametrize("pattern, twin", [
    (r"\bTalks\s+(?:IN|at)\b", r"\btalks\s+(?:in|at)\b"),
    (r"\SA\W\D\B", r"\Sa\W\D\B"),  # a class escape keeps its letter
    (r"(?P<Name>Cairo)[A-Z]", r"(?P<Name>cairo)[a-z]"),  # a group keeps its name
    (r"a\\W", r"a\\w"),  # an escaped backslash, then a literal W
    (r"cease[-–]fire’s", r"cease[-–]fire’s"),  # symbols without case stay
    (r"(?-i:Gaza)", None),  # case switched back on
    (r"(?i)x", None),
    (r"caf\u00c9", None),  # an escape may stand for a cased letter
    (r"\N{LATIN CAPITAL LETTER A}", None),
    (r"caf\xe9", None),
    (r"café", None),  # a non-ASCII letter
    (r"(A)\1", None),
    (r"(?P<n>A)(?P=n)", None),
    (r"[A-z]", None),  # the range would lose [\]^_`
    (r"[Z-a]", None),
])
def test_folded_pattern(pattern, twin):
    result = folded_pattern(re.compile(pattern, re.IGNORECASE))
    assert (result.pattern if result is not None else None) == twin


def test_folded_pattern_needs_ignorecase():
    assert folded_pattern(re.compile("Gaza")) is None


def _searches():
    found = [(code, rx) for code, rx in events._TRIGGERS] + [(name, rx) for name, rx in events._ACTORS]
    found += list(events._EXCLUSIONS.items()) + [("talks_span", events._TALKS_SPAN)]
    found += [(place.name, place.pattern) for place in events.gazetteer()]
    return found


SEARCHES = _searches()
_PIECES = sorted({w for _, rx in SEARCHES if isinstance(rx, Prefiltered) for w in rx.words}) + [
    " ", " ", "  ", ".", ",", "The", "GAZA", "Cairo", "DOHA", "\u017f", "\u0130", "\u212a", "\u0131", "Talks",
    "RETURNED", "bodies", "will", "expected to", "2024", "\u03a3", "a", "of", "the"]


def _texts():
    rng = random.Random(20261122)
    texts = list(CASE_TEXTS)
    for _ in range(3000):
        texts.append("".join(rng.choice(_PIECES) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 14))))
    return texts


TEXTS = _texts()


def test_every_events_pattern_has_its_twin():
    """Speed only: a pattern without a twin would still be searched right, but slowly."""
    missing = [name for name, rx in SEARCHES
               if (rx.pattern if isinstance(rx, Prefiltered) else rx).flags & re.IGNORECASE
               and FoldedSearch(rx).twin is None]
    assert missing == []


@pytest.mark.parametrize("name, rx", SEARCHES, ids=[name for name, _ in SEARCHES])
def test_folded_search_finds_what_the_pattern_finds(name, rx):
    search = FoldedSearch(rx)
    for text in TEXTS:
        folded = fold(text)
        plain = rx.search(text)
        got = search.search(text, folded)
        assert (got.span(), got.groupdict()) == (plain.span(), plain.groupdict()) if plain else got is None, text
        assert search.found(text, folded) is bool(plain), text
        assert search.first_start(text, folded) == (plain.start() if plain else None), text
        assert [(m.span(), m.group()) for m in search.finditer(text, folded, 2)] == [
            (m.span(), m.group()) for m in list(rx.finditer(text))[:2]], text


@pytest.mark.parametrize("words, expected", [
    ([("talks",), ("talks", "negotiations")], ("negotiations", "talks")),
    ([("talk",), ("talks", "meet")], ("meet", "talk")),  # "talks" holds "talk"
    ([("a",), None], None),  # a pattern without words rules nothing out
])
def test_any_of_words(words, expected):
    class Search:
        def __init__(self, words):
            self.words = words
    assert events._any_of_words([Search(w) for w in words]) == expected


def _sentences(texts):
    out, start = [], 0
    for i, text in enumerate(texts):
        out.append(Sentence(start, start + len(text), text, "body", i))
        start += len(text) + 1
    return out


@pytest.mark.parametrize("reference", [date(2024, 3, 7), date(2023, 11, 24)])
def test_skipping_sentences_without_trigger_words_changes_nothing(monkeypatch, reference):
    rng = random.Random(11)
    articles = [_sentences(rng.sample(CASE_TEXTS, 12)) for _ in range(150)]
    articles.append(_sentences(["Talks were held in Cairo on Monday.", "No word here.",
                                "His remarks came during a session in Riyadh."]))
    fast = [events.extract_event_mentions(sentences, reference) for sentences in articles]
    monkeypatch.setattr(events, "_ANY_TRIGGER_WORD", None)  # every sentence read
    assert fast == [events.extract_event_mentions(sentences, reference) for sentences in articles]


@pytest.mark.parametrize("words, text, found", [
    (("arrive", "artillery", "talks"), "they will ARRIVE".lower(), True),
    (("arrive", "artillery", "talks"), "an arrival", False),
    (("arrive", "artillery", "talks"), "the artiller", False),
    (("a.b", "x"), "acb", False),  # the words are literal
    (("a.b", "x"), "a.b", True),
    ((" back", "with a"), "came back", True),
    ((" back", "with a"), "withdrew", False),
])
def test_words_pattern(words, text, found):
    assert (words_pattern(words).search(text) is not None) is found


def test_words_pattern_agrees_with_in_on_the_trigger_words():
    pattern = words_pattern(events._TRIGGER_WORDS)
    for text in TEXTS:
        folded = fold(text)
        assert (pattern.search(folded) is not None) is any(w in folded for w in events._TRIGGER_WORDS), text
