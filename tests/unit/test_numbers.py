import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from transforms.numbers import find_numbers, words_to_int

CASES = [json.loads(line) for line in (Path(__file__).parents[1] / "data" / "numbers_cases.jsonl").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_numbers_table(case):
    got = find_numbers(case["text"])
    assert len(got) == len(case["expected"]), [m.text for m in got]
    for mention, want in zip(got, case["expected"]):
        assert mention.text == want["text"]
        assert mention.value == want["value"]
        assert mention.qualifier == want["qualifier"]
        assert mention.excluded == want["excluded"]
        assert case["text"][mention.start:mention.end] == mention.text
        if "value_low" in want:
            assert (mention.value_low, mention.value_high) == (want["value_low"], want["value_high"])


@pytest.mark.parametrize("words,value", [("forty", 40), ("twenty-three", 23), ("a dozen", 12),
                                         ("one hundred", 100), ("two thousand five hundred", 2500),
                                         ("half a million", 500000), ("a million", 1000000)])
def test_words_to_int(words, value):
    assert words_to_int(words) == value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(text):
    for mention in find_numbers(text):
        assert 0 <= mention.start < mention.end <= len(text)
