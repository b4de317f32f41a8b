"""Mark each line of an article as headline, body, caption or boilerplate.

Lines are marked, never removed, so that offsets into the article text stay valid.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.lexicon import load_patterns
from transforms.prefilter import Prefiltered, fold, prefiltered


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str
    kind: str  # headline | body | caption | boilerplate
    rule: str


_PATTERNS = load_patterns("clean_patterns.json")
# Each line is tried against every pattern; most lines lack each pattern's words (prefilter.py).
_BOILERPLATE = [(name, prefiltered(rx, re.IGNORECASE)) for name, rx in _PATTERNS["boilerplate"].items()]
_CAPTION = [(name, prefiltered(rx)) for name, rx in _PATTERNS["caption"].items()]


def _unwrapped(patterns) -> list[tuple[str, re.Pattern, tuple[str, ...] | None]]:
    """(name, pattern, required words or None): the words are tested on the line folded once,
    instead of each prefilter folding it again."""
    return [(name, rx.pattern, rx.words) if isinstance(rx, Prefiltered) else (name, rx, None)
            for name, rx in patterns]


_BOILERPLATE_TESTS = _unwrapped(_BOILERPLATE)
_CAPTION_TESTS = _unwrapped(_CAPTION)
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s*$")
# A fourth word (run of letters) after three others: one search instead of counting the words.
_FOUR_WORDS = re.compile(r"[A-Za-z]+[^A-Za-z]+[A-Za-z]+[^A-Za-z]+[A-Za-z]+[^A-Za-z]+[A-Za-z]")
# A line of a few words with a long run of digits and no sentence punctuation is a page id
# ("gaza aidaa-1709823574255"): it is kept for date inference but never read for claims.
_ID_LINE = re.compile(r"^[\w\s\-/#:.]*\d{6,}[\w\-/#:.]*$")
_SIX_DIGITS = re.compile(r"\d{6}")  # which every id line holds: a quick search rules most lines out


def _classify(text: str, first_content: bool) -> tuple[str, str]:
    stripped = text.strip()
    # Cached: a line that is one sentence is folded again by the date and figure scanners.
    has = fold(stripped).__contains__
    for name, rx, words in _BOILERPLATE_TESTS:
        if (words is None or any(map(has, words))) and rx.search(stripped):
            return "boilerplate", name
    if _SIX_DIGITS.search(stripped) and _ID_LINE.match(stripped) and len(stripped.split()) <= 6:
        return "boilerplate", "id_line"
    for name, rx, words in _CAPTION_TESTS:
        if (words is None or any(map(has, words))) and rx.search(stripped):
            return "caption", name
    if first_content and len(stripped) <= 160 and not _SENTENCE_END.search(stripped):
        return "headline", "first_line_no_period"
    # "at most three words": no fourth
    if not _FOUR_WORDS.search(stripped) and not _SENTENCE_END.search(stripped):
        # Section labels ("Rafah assault") and bylines carry no claims or events of their own.
        return "boilerplate", "short_label"
    return "body", "default"


def classify_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    seen_content = False
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if not raw.strip():
            continue
        kind, rule = _classify(raw, not seen_content)
        if kind in ("headline", "body", "caption"):
            seen_content = seen_content or kind != "caption"
        lines.append(Line(start, end, raw, kind, rule))
    return lines
