"""Case-insensitive patterns run as case-sensitive ones on the folded text.

Python's engine compares every character of an IGNORECASE pattern through a case table, and
gives up its fast paths; the same pattern with its letters lower-cased, run on prefilter.fold(text)
(lower-cased character for character, offsets kept), finds the same matches at the same offsets
at about half the cost. This holds when every literal of the pattern is ASCII or a symbol without
case: then a character of the text matches a literal under IGNORECASE exactly when its folded
form matches the lower-cased literal (prefilter.fold maps the only non-ASCII characters that
IGNORECASE equates with ASCII letters), and \\w, \\s, \\d and \\b read the folded text as the
original (tests/unit/test_prefilter.py checks both over every code point). Spans and the truth of
a search carry over; the matched text is read from the original by those spans.
"""
from __future__ import annotations

import re
from itertools import islice
from re import _constants as sre
from re import _parser as sre_parse

from transforms.prefilter import Prefiltered


# Inline flags other than plain groups and lookarounds ("(?-i:" switches case back on), and
# back-references by name.
_UNVOUCHED = re.compile(r"\(\?(?!:|=|!|<=|<!|P<)")
# Escapes whose letter is the meaning (\S is not \s), kept as written; any other escaped letter
# or digit (\x41, \u00c9, \N{...}, \1) may stand for a cased character, and is not vouched for.
_CLASS_ESCAPES = frozenset("bBwWsSdDAZ")


def _literals_are_foldable(pattern: str) -> bool:
    return all(c.isascii() or (c.lower() == c == c.upper() and not c.isalpha()) for c in pattern)


def _ranges_keep_their_letters(items) -> bool:
    """Lower-casing a class range keeps its meaning when both ends are upper-case letters
    ("A-Z" becomes "a-z") or neither end changes; "A-z" would lose "[\\]^_`"."""
    for op, av in items:
        if op is sre.IN:
            for item_op, item_av in av:
                if item_op is sre.RANGE:
                    low, high = map(chr, item_av)
                    both_upper = "A" <= low <= high <= "Z"
                    if not both_upper and (low.lower() != low or high.lower() != high):
                        return False
        elif op is sre.BRANCH:
            if not all(_ranges_keep_their_letters(list(alternative)) for alternative in av[1]):
                return False
        elif op is sre.SUBPATTERN:
            if not _ranges_keep_their_letters(list(av[3])):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if not _ranges_keep_their_letters(list(av[2])):
                return False
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if not _ranges_keep_their_letters(list(av[1])):
                return False
        elif op is sre.ATOMIC_GROUP:
            if not _ranges_keep_their_letters(list(av)):
                return False
    return True


def folded_pattern(pattern: re.Pattern) -> re.Pattern | None:
    """The case-sensitive twin of an IGNORECASE pattern, to run on folded text; None when the
    pattern is not IGNORECASE or its text is outside what the twin is vouched for (non-ASCII
    letters, character escapes, inline flags)."""
    if not pattern.flags & re.IGNORECASE or pattern.flags & (re.VERBOSE | re.LOCALE | re.ASCII):
        return None
    text = pattern.pattern
    if not isinstance(text, str) or not _literals_are_foldable(text) or _UNVOUCHED.search(text):
        return None
    if not _ranges_keep_their_letters(list(sre_parse.parse(text, pattern.flags))):
        return None
    lowered = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            escaped = text[i + 1:i + 2]
            if escaped.isalnum() and escaped not in _CLASS_ESCAPES:
                return None
            lowered.append(text[i:i + 2])
            i += 2
        elif text.startswith("(?P<", i):  # a group's name stays as written
            close = text.index(">", i)
            lowered.append(text[i:close + 1])
            i = close + 1
        else:
            lowered.append(text[i].lower())
            i += 1
    return re.compile("".join(lowered), pattern.flags & ~re.IGNORECASE)


class FoldedSearch:
    """A prefiltered pattern searched on a text whose folded form the caller already holds:
    the required words are tested on it, and the pattern, when it has a case-sensitive twin, runs
    on it too; the matches handed back are the pattern's own, on the original text (same spans:
    one attempt at the twin's start gives it)."""

    def __init__(self, rx: Prefiltered | re.Pattern):
        self.pattern = rx.pattern if isinstance(rx, Prefiltered) else rx
        self.words = rx.words if isinstance(rx, Prefiltered) else None
        self.twin = folded_pattern(self.pattern)

    def may_match(self, folded: str) -> bool:
        return self.words is None or any(map(folded.__contains__, self.words))

    def search(self, text: str, folded: str) -> re.Match | None:
        if not self.may_match(folded):
            return None
        if self.twin is None:
            return self.pattern.search(text)
        m = self.twin.search(folded)
        return self.pattern.match(text, m.start()) if m else None

    def first_start(self, text: str, folded: str) -> int | None:
        """Where search's match starts (no match object needed)."""
        if not self.may_match(folded):
            return None
        m = self.twin.search(folded) if self.twin is not None else self.pattern.search(text)
        return m.start() if m else None

    def found(self, text: str, folded: str) -> bool:
        """Whether search would find a match (no match object needed)."""
        if not self.may_match(folded):
            return False
        return bool(self.twin.search(folded) if self.twin is not None else self.pattern.search(text))

    def finditer(self, text: str, folded: str, limit: int) -> list[re.Match]:
        """The first `limit` matches of finditer."""
        if not self.may_match(folded):
            return []
        if self.twin is None:
            return list(islice(self.pattern.finditer(text), limit))
        return [self.pattern.match(text, m.start()) for m in islice(self.twin.finditer(folded), limit)]


def words_pattern(words: tuple[str, ...]) -> re.Pattern:
    """A pattern that finds any of the words, as a trie ("ar(?:rive|tillery)"): the engine then
    compares each character of the text with a few first letters, not with every word; searched
    once, it answers "is one of the words in the text" at about half the cost of testing each
    with `in`. No word may begin another (the longer one could never be needed)."""
    assert not any(a != b and b.startswith(a) for a in words for b in words), words
    return re.compile(_trie(sorted(set(words))))


def _trie(words: list[str]) -> str:
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + (_trie(rests) if rests != [""] else "") for first, rests in by_first.items()]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
