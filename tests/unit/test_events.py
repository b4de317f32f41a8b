"""Event mentions, table-driven (tests/data/event_cases.jsonl): type, date, tense, and expected nothing."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.casesets import events_for_text, load_cases, score_events

CASES = load_cases("event_cases.jsonl")
NOTHING = [c for c in CASES if not c["expected"]]


def test_the_case_file_covers_what_the_issue_asks():
    assert len(CASES) >= 150
    assert len(NOTHING) >= 35
    types = {e["event_type"] for c in CASES for e in c["expected"]}
    assert len(types) == 14  # every event_type code of ANNOTATION.md


def test_precision_and_recall_on_our_event_cases():
    score = score_events(CASES, with_tense=True)
    report = "\n".join(score.errors[:80])
    # measured 0.98 / 0.88 when written; the floors leave room for rules to trade, not to slide
    assert score.precision >= 0.95, report
    assert score.recall >= 0.85, report


@pytest.mark.parametrize("case", NOTHING, ids=[c["id"] for c in NOTHING])
def test_expected_nothing_stays_nothing_mostly(case):
    got = events_for_text(case["text"], date.fromisoformat(case["reference"]))
    # per case: a spurious event here is a real error, but a few are tolerated by the floor above;
    # photo credits, hypotheticals and "asked about the talks" must never produce one
    if any(word in case["id"] for word in ("photo", "hypothetical", "conditional", "topic")):
        assert got == [], got


def test_every_mention_points_into_its_sentence_and_names_its_rule():
    for case in CASES:
        for mention in events_for_text(case["text"], date.fromisoformat(case["reference"])):
            assert case["text"][mention.char_start:mention.char_end] == mention.trigger_text
            assert mention.extraction_rule.startswith(f"trigger:{mention.event_type}/date:")
            assert mention.tense in ("past", "future")
            assert mention.date_precision in ("day", "week", "month", "range")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_never_raises_on_any_text(text, reference):
    events_for_text(text, reference)
