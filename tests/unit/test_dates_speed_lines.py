"""Line marking and sentence splitting, made cheaper, must mark and split as before."""
import random
import re
from itertools import islice

import pytest

from transforms import clean
from transforms.clean import Line
from transforms.sentences import split_line

_LETTER_RUN = re.compile(r"[A-Za-z]+")


def _at_most_three_words(text: str) -> bool:  # as first written
    return sum(1 for _ in islice(_LETTER_RUN.finditer(text), 4)) <= 3


@pytest.mark.parametrize("text, short", [
    ("Rafah assault", True),
    ("By Jane Doe", True),
    ("One two three four", False),
    ("a-b-c", True),
    ("a-b-c-d", False),
    ("x1y2z3w", False),  # digits part letter runs
    ("Caf\u00e9 na\u00efve r\u00e9sum\u00e9", False),  # non-ASCII letters part them too
    ("", True),
])
def test_four_words(text, short):
    assert (not clean._FOUR_WORDS.search(text)) is short is _at_most_three_words(text)


def test_four_words_on_random_text():
    rng = random.Random(5)
    pieces = ["a", "Ab", " ", "  ", "1", "-", ".", "\u00e9", "x y", "\t", "_", "z9"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert (not clean._FOUR_WORDS.search(text)) is _at_most_three_words(text), text


@pytest.mark.parametrize("text", [
    "  Talks began. They ended.  ",
    "Talks began.\u00a0\u2003They ended on Monday.\u3000",
    " . ",
    "Dr. Smith met Mr. Jones. U.S. officials said so.",
    "\u2003",
    "One.  Two!  \"Three?\"  Four",
])
def test_sentences_are_trimmed_and_point_into_the_line(text):
    line = Line(100, 100 + len(text), text, "body", "default")
    sentences = split_line(line, 3)
    assert [s.index for s in sentences] == list(range(3, 3 + len(sentences)))
    for sentence in sentences:
        assert sentence.text == text[sentence.start - 100:sentence.end - 100]
        assert sentence.text and sentence.text == sentence.text.strip()
    # nothing but white space and the boundaries between sentences is left out
    covered = "".join(s.text for s in sentences)
    assert "".join(covered.split()) == "".join(text.split())
