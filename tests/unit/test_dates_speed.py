"""The date scanner's shortcuts (key-word windows, kinds read alone, the ISO timestamp searched
from its T) must find exactly what the plain patterns find."""
import random
import re
from datetime import date

import pytest

from tests.casesets import load_cases
from transforms import dates, pubdate

CASE_TEXTS = [c["text"] for name in ("claims_cases.jsonl", "date_cases.jsonl", "event_cases.jsonl")
              for c in load_cases(name)]


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@pytest.mark.parametrize("text", [
    "Talks ran between 12th and 14th of March in Cairo.",  # five runs before the month
    "between 12 and\t14  of March",
    "Aid is due in the next 48 hours, officials said.",
    "over the next seven days",
    "It ends at the beginning of - March.",  # hyphens and spaces are one kind of run
    "the end of-March",
    "Talks resume later this year.",
    "The war began\n last year.",  # rel_year starts on the white space before "last"
    "xMonday, March 5 was quiet",  # a weekday inside a word
    "Dated 2024-03-05, and 2024-03-05x, and 1999-12-31.",
    "early on 12 of March they met",
    "agoct tuesday; octuesday, March 5",  # key words that overlap others
    "On (Monday) and \u00a0\u00a0 last\u00a0week",
    "Nothing here at all.",
])
def test_every_mention_starts_in_a_window_and_the_scan_finds_them(text):
    folded = dates.fold(text)
    windows = dates._windows(folded)
    assert windows == sorted(windows)
    assert all(a <= b < c for (a, b), (c, _) in zip(windows, windows[1:]))  # disjoint, in order
    for m in dates._MASTER.finditer(text):
        assert any(first <= m.start() <= last for first, last in windows), (text, m)
    assert _spans(hit.match for hit in dates._scan(text)) == _spans(dates._MASTER.finditer(text))


def test_windows_reach_back_five_runs_and_stop_at_other_characters():
    folded = "a b c d e f g h march"
    (first, last), = dates._windows(folded)
    assert last == folded.index("march")
    assert folded[first:] == "d e f g h march"
    (first, _), = dates._windows("x (12 march")
    assert first == 3  # a parenthesis is in no mention


@pytest.mark.parametrize("text, kinds", [
    ("On Monday, March 4 the talks began; by March 6, 2024 they had ended.", {"md"}),
    ("Last week, in early March and on 2024-03-05, aid came.", {"md", "iso", "part_month"}),
    ("Yesterday and tomorrow, next week.", {"md"}),
    ("He left on Sunday and returns on Friday.", {"weekday"}),
])
def test_kinds_read_alone_are_those_of_find_dates(text, kinds):
    reference = date(2024, 3, 7)
    hits = dates._scan(text)
    expected = [m for hit, m in zip(hits, [dates._mention(h, reference) for h in hits])
                if m is not None and hit.kind in kinds]
    assert dates.find_dates_of_kinds(text, reference, frozenset(kinds)) == expected
    assert set(expected) <= set(dates.find_dates(text, reference))


@pytest.mark.parametrize("text", ["It came \u017feven days ago, on 5 March.", "On 5TH March and \u017funday"])
def test_kinds_read_alone_fail_where_find_dates_fails(text):
    reference = date(2024, 3, 7)
    with pytest.raises(Exception) as plain:
        dates.find_dates(text, reference)
    with pytest.raises(type(plain.value)) as alone:
        dates.find_dates_of_kinds(text, reference, frozenset({"md"}))
    assert str(alone.value) == str(plain.value)


@pytest.mark.parametrize("text, reference, safe", [
    ("on Monday, March 4", date(2024, 3, 7), True),
    ("\u017funday", date(2024, 3, 7), False),
    ("on March 5TH", date(2024, 3, 7), False),
    ("on Monday", date(1850, 1, 1), False),
])
def test_resolves_safely(text, reference, safe):
    assert dates.resolves_safely(text, reference) is safe


def test_resolves_safely_is_never_wrong_on_the_case_texts():
    for text in CASE_TEXTS:
        if dates.resolves_safely(text, date(2024, 3, 7)):
            dates.find_dates(text, date(2024, 3, 7))  # does not raise


_ISO_TS = re.compile(r"\b(20\d{2}-\d{2}-\d{2})T\d{2}:\d{2}")  # as first written


@pytest.mark.parametrize("text", [
    "id 2024-03-05T12:30:00Z", "x2024-03-05T12:30", "2024-03-05T1:30 then 2023-11-24T08:00",
    "T12:30 2024-03-05 T", "12024-03-05T12:30", "2024-03-05T12:3", "", "TTT2024-03-05TT12:30",
])
def test_iso_timestamp_is_the_first_match_of_the_plain_pattern(text):
    m = _ISO_TS.search(text)
    assert pubdate._iso_timestamp(text) == ((m.group(0), m.group(1)) if m else None)


def test_iso_timestamp_on_random_text():
    rng = random.Random(7)
    pieces = ["2024-03-05", "T", "12:30", "1", "x", " ", "-", "20", "T08:00", "2023-11-2"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        m = _ISO_TS.search(text)
        assert pubdate._iso_timestamp(text) == ((m.group(0), m.group(1)) if m else None), text


@pytest.mark.parametrize("text, kinds, expected", [
    ("Aid came last week and on Monday.", {"md", "iso", "part_month"}, []),  # no month: not scanned
    ("On Monday, March 4 and on 2024-03-05.", {"md", "iso"}, ["md", "iso"]),
    ("Early March, then late last year.", {"part_month", "rel_year"}, ["part_month", "rel_year"]),
    ("It was 2024-03-05x or 1999-12-31.", {"iso"}, ["iso"]),
])
def test_kinds_read_alone_when_no_month_is_named(text, kinds, expected):
    reference = date(2024, 3, 7)
    got = dates.find_dates_of_kinds(text, reference, frozenset(kinds))
    hits = [h for h in dates._scan(text) if h.kind in kinds]
    assert [h.kind for h in hits] == expected
    assert got == [m for h in hits if (m := dates._mention(h, reference)) is not None]


def test_a_text_safe_to_resolve_is_safe_in_every_part():
    """pubdate reads each line of an article as safe when the article is (known_safe)."""
    reference = date(2024, 3, 7)
    rng = random.Random(9)
    for text in CASE_TEXTS + ["\n".join(rng.sample(CASE_TEXTS, 6)) for _ in range(100)]:
        if not dates.resolves_safely(text, reference):
            continue
        for _ in range(5):
            a = rng.randrange(len(text) + 1)
            b = rng.randrange(a, len(text) + 1)
            assert dates.resolves_safely(text[a:b], reference), (text, a, b)
            kinds = frozenset({"md", "iso", "part_month"})
            assert dates.find_dates_of_kinds(text[a:b], reference, kinds, known_safe=True) == \
                dates.find_dates_of_kinds(text[a:b], reference, kinds)
