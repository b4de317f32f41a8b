"""Cheap tests that rule a text out before an expensive regex runs over it.

Python's regex engine tries a pattern at every position of the text, which for our long,
case-insensitive alternations costs microseconds per character. But a pattern can only match a
text that contains one of its *required words*: literal strings read off the pattern itself, one
of which every match contains. Testing those with `in` on the lower-cased text is a memchr-speed
scan, and most sentences fail it. A prefiltered pattern therefore gives exactly the results of
the plain pattern (when the test says no, the pattern could have found nothing) at a fraction of
the cost.

The words are derived from the compiled pattern, so a lexicon edit keeps its prefilter right:
nothing is listed by hand that could drift from the pattern it guards.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from itertools import product
from re import _constants as sre
from re import _parser as sre_parse

# The only non-ASCII characters that IGNORECASE lets match an ASCII letter, and that letter
# (tests/unit/test_prefilter.py checks this against every code point). str.lower() leaves three of
# them non-ASCII and turns U+0130 into two characters, so they are mapped first: fold() is then
# one character for one character, and a word found by the engine is found by `in`.
_CASE_TRAPS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_TRAP_TABLE = str.maketrans(_CASE_TRAPS)
_TRAP = re.compile("[" + "".join(_CASE_TRAPS) + "]")

# Bounds on the analysis: beyond them a piece of pattern counts as "any text".
_MAX_WORDS = 64
_MAX_REPEAT = 4


def _fold(text: str) -> str:
    if not text.isascii() and _TRAP.search(text):
        text = text.translate(_TRAP_TABLE)
    return text.lower()


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """The text lower-cased the way IGNORECASE compares ASCII letters, character for character
    (same length, same offsets). Cached: a sentence is folded once for all its prefilters."""
    return _fold(text)


_LAST_WINDOW = ("", "")  # (text, folded): one window is often tested by several patterns in a row


def fold_window(text: str) -> str:
    """fold() without its cache, for short windows seen once (the words before a figure); the
    last one is kept, as the patterns of a group (subgroups, exclusions) test it in turn."""
    global _LAST_WINDOW
    last_text, last_folded = _LAST_WINDOW  # one tuple: a consistent pair even across threads
    if text is last_text:
        return last_folded
    folded = _fold(text)
    _LAST_WINDOW = (text, folded)
    return folded


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def words_of(folded: str) -> tuple[tuple[int, str], ...]:
    """(offset, word) of every run of word characters: where a pattern that starts on a word
    can start. Cached: dates and numbers read the same sentences."""
    return tuple([(m.start(), m.group()) for m in _WORD.finditer(folded)])


def contains_any(folded: str, words: tuple[str, ...]) -> bool:
    return any(map(folded.__contains__, words))


def required_words(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Folded literal strings, one of which is in every text the pattern can match; None when
    the pattern has none worth testing (then nothing can be ruled out)."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unparsable pattern simply gets no prefilter
        return None
    words = _required(list(parsed), bool(pattern.flags & re.IGNORECASE))
    if not words:
        return None
    return tuple(sorted(_minimal(words)))


def _minimal(words: set[str]) -> set[str]:
    """Drop words that contain another word of the set: finding the shorter one is enough."""
    return {w for w in words if not any(o != w and o in w for o in words)}


def _flags(icase: bool, add: int, remove: int) -> bool:
    if add & re.IGNORECASE:
        return True
    if remove & re.IGNORECASE:
        return False
    return icase


def _literal(code: int, icase: bool) -> set[str] | None:
    char = chr(code)
    if not icase:
        return {fold(char)}
    # Under IGNORECASE an ASCII character matches only itself, its other case and the traps,
    # all of which fold to one character, and a symbol without case (©, ’, €) only itself; letters
    # of other scripts have case rules fold() does not copy.
    if char.isascii():
        return {char.lower()}
    return {char} if char.lower() == char == char.upper() and not char.isalpha() else None


def _group_body(op, av, icase: bool) -> tuple[list, bool] | None:
    """The items inside a group (capturing, with inline flags, or atomic) and whether they are
    read ignoring case; None when the item is not a group."""
    if op is sre.SUBPATTERN:
        _group, add, remove, sub = av
        return list(sub), _flags(icase, add, remove)
    if op is sre.ATOMIC_GROUP:
        return list(av), icase
    return None


def _exact(items: list, icase: bool) -> set[str] | None:
    """Every string this sequence of pattern items can match, when they are few; else None."""
    out = {""}
    for op, av in items:
        strings = _exact_item(op, av, icase)
        if strings is None:
            return None
        if len(out) * len(strings) > _MAX_WORDS:
            return None
        out = {a + b for a, b in product(out, strings)}
    return out


def _exact_item(op, av, icase: bool) -> set[str] | None:
    if op is sre.LITERAL:
        return _literal(av, icase)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {""}  # zero-width: the literals on either side stay adjacent in the text
    inner = _group_body(op, av, icase)
    if inner is not None:
        return _exact(*inner)
    if op is sre.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            strings = _exact(list(alternative), icase)
            if strings is None:
                return None
            out |= strings
        return out if len(out) <= _MAX_WORDS else None
    if op is sre.IN:
        out = set()
        for item_op, item_av in av:
            if item_op is sre.LITERAL:
                strings = _literal(item_av, icase)
            elif item_op is sre.RANGE and item_av[1] - item_av[0] < 16:
                strings = set()
                for code in range(item_av[0], item_av[1] + 1):
                    one = _literal(code, icase)
                    if one is None:
                        return None
                    strings |= one
            else:
                return None  # negated sets, categories (\w, \s), wide ranges
            if strings is None:
                return None
            out |= strings
        return out
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = av
        if high > _MAX_REPEAT:
            return None
        one = _exact(list(sub), icase)
        if one is None:
            return None
        out, power = set(), {""}
        for count in range(high + 1):
            if count >= low:
                out |= power
            power = {a + b for a, b in product(power, one)}
            if len(power) > _MAX_WORDS:
                return None
        return out if len(out) <= _MAX_WORDS else None
    return None  # any character, categories, back-references


# Words too common in news text to rule much out: another required set is preferred to one
# holding them or a piece of them (a choice of speed only; any required set gives the same
# results).
_COMMON = ("the", "this", "that", "and", "for", "with", "from", "was", "were", "has", "have",
           "had", "will", "would", "said", "says", "to", "in", "of", "on", "at", "by", "is", "are",
           "it", "as", "an", "its", "their", "they", "who", "which", "after", "also", "been",
           # and in these articles
           "israeli", "gaza", "hamas", "palestinians", "people", "killed", "ministry")
_COMMON_PIECES = frozenset(word[i:j] for word in _COMMON for i in range(len(word))
                           for j in range(i + 1, len(word) + 1))


def _key(words: set[str]) -> tuple:
    common = any(w.strip() in _COMMON_PIECES for w in words)
    # then longer words (rarer, up to a point), then fewer words (cheaper to test)
    shortest = min(map(len, words))
    return not common, min(4, shortest), -len(words), shortest


def _required(items: list, icase: bool) -> set[str] | None:
    """A set of strings, one of which every match of this sequence contains; None if none known."""
    best: set[str] | None = None
    best_key: tuple = ()
    run: list[set[str]] = []  # exact items in a row: their strings are adjacent in any match

    def consider(words: set[str] | None) -> None:
        nonlocal best, best_key
        if words and "" not in words:
            key = _key(words)
            if best is None or key > best_key:
                best, best_key = words, key

    def flush() -> None:
        # From each item of the run: the longest join before its words multiply, and the
        # longest join within the bound.
        for start in range(len(run)):
            joined = {""}
            for strings in run[start:]:
                if len(strings) > 1 or len(joined) * len(strings) > _MAX_WORDS:
                    consider(joined)
                if len(joined) * len(strings) > _MAX_WORDS:
                    break
                joined = {a + b for a, b in product(joined, strings)}
            consider(joined)
        run.clear()

    for op, av in items:
        strings = _exact_item(op, av, icase)
        if strings is not None:
            run.append(strings)
            if len(strings) > 1:  # a group of alternatives may need fewer words than it can match
                consider(_required_item(op, av, icase))
            continue
        flush()
        consider(_required_item(op, av, icase))
    flush()
    return best


def _required_item(op, av, icase: bool) -> set[str] | None:
    inner = _group_body(op, av, icase)
    if inner is not None:
        return _required(*inner)
    if op is sre.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            words = _required(list(alternative), icase)
            if not words:
                return None  # one alternative can match without any known word
            out |= words
        out = _minimal(out)
        return out if len(out) <= _MAX_WORDS else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _required(list(av[2]), icase)
    return None


def prefiltered(pattern: re.Pattern | str, flags: int = 0) -> "Prefiltered | re.Pattern":
    """The pattern behind its prefilter; or the plain compiled pattern when it has no required
    words, or is anchored at the start of the text (it fails at once where it cannot match, so a
    prefilter would only add a call)."""
    wrapped = Prefiltered(pattern, flags)
    if wrapped.words is None or _anchored_at_start(wrapped.pattern):
        return wrapped.pattern
    return wrapped


def _anchored_at_start(pattern: re.Pattern) -> bool:
    items = list(sre_parse.parse(pattern.pattern, pattern.flags))
    starts = [items[0]] if items else []
    if starts and starts[0][0] is sre.BRANCH:
        starts = [list(alternative)[0] if len(alternative) else (None, None) for alternative in starts[0][1][1]]
    return bool(starts) and all(op is sre.AT and av in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)
                                for op, av in starts)


class Prefiltered:
    """A compiled pattern that first checks the text for the pattern's required words. Same
    methods and results as re.Pattern for search, match, finditer and findall."""

    def __init__(self, pattern: re.Pattern | str, flags: int = 0):
        self.pattern = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        self.words = required_words(self.pattern)

    def may_match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> bool:
        """False when no match can lie in text[pos:endpos]. The required words are read off the
        characters a match consumes (never its lookarounds), so a match inside the span holds one
        there: only the span is tested, and a search over a few characters of a long sentence
        stays as cheap as the search itself."""
        words = self.words
        if words is None:
            return True
        if pos or endpos < len(text):
            folded = _fold(text[pos:endpos])
        elif len(text) <= 64:  # a short window is folded afresh (cheaper than caching it, and seldom seen twice)
            folded = fold_window(text)
        else:
            folded = fold(text)
        for word in words:  # a loop: cheaper than any(map(...)) for the few words a pattern has
            if word in folded:
                return True
        return False

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        return self.pattern.search(text, pos, endpos) if self.may_match(text, pos, endpos) else None

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        # One attempt at one position: testing the text for words would cost more than it saves.
        return self.pattern.match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        return self.pattern.finditer(text, pos, endpos) if self.may_match(text, pos, endpos) else iter(())

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list:
        return self.pattern.findall(text, pos, endpos) if self.may_match(text, pos, endpos) else []

    def __repr__(self) -> str:
        return f"Prefiltered({self.pattern!r}, words={self.words!r})"


class LeadWords(Prefiltered):
    """A prefiltered pattern whose every match starts at a word (a run of word characters) that,
    folded, is one of `words` or begins with one of `prefixes`: a search of a whole text tries the
    pattern at those words only.

    A search tries the pattern at each position in turn and returns the first match; when no
    match can start anywhere else, trying the positions of those words in order gives the same
    match. The words are found by `in` and one literal-first regex each, instead of the engine
    trying the pattern's alternation at every character. The caller vouches for the words (each
    alternative of the pattern opens with a word boundary and one of them, whole or as a prefix); tests
    check that the searches agree. A search over a span (pos, endpos) is the plain prefiltered one.
    """

    def __init__(self, pattern: re.Pattern | str, flags: int = 0, words: tuple[str, ...] = (),
                 prefixes: tuple[str, ...] = ()):
        super().__init__(pattern, flags)
        self.lead_words, self.lead_prefixes = tuple(words), tuple(prefixes)
        # the literal first lets the engine find it as str.find does; the lookbehind then asks
        # for the start of a word, and (for a whole word) the lookahead for its end
        self._finders = ([(w, re.compile(rf"{re.escape(w)}(?<!\w{re.escape(w)})(?!\w)")) for w in words]
                         + [(p, re.compile(rf"{re.escape(p)}(?<!\w{re.escape(p)})")) for p in prefixes])

    def starts(self, folded: str) -> list[int]:
        """Where a match can start in the folded text, in order (a position may come twice)."""
        found: list[int] = []
        for needle, finder in self._finders:
            if needle in folded:
                found += [m.start() for m in finder.finditer(folded)]
        found.sort()
        return found

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        if pos or endpos < len(text):
            return super().search(text, pos, endpos)
        if not self.may_match(text):
            return None
        match = self.pattern.match
        for at in self.starts(fold_window(text) if len(text) <= 64 else fold(text)):
            m = match(text, at)
            if m:
                return m
        return None

    def __repr__(self) -> str:
        return f"LeadWords({self.pattern!r}, words={self.lead_words!r}, prefixes={self.lead_prefixes!r})"


def exact_strings(pattern: re.Pattern) -> frozenset[str] | None:
    """Every (folded) string the pattern can match, when there are few; else None."""
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    strings = _exact(list(parsed), bool(pattern.flags & re.IGNORECASE))
    return frozenset(strings) if strings is not None else None


def word_starts(folded: str, words: tuple[str, ...]) -> list[int]:
    """Every position where one of the words begins (overlapping occurrences included), in order."""
    found = set()
    for word in words:
        at = folded.find(word)
        while at >= 0:
            found.add(at)
            at = folded.find(word, at + 1)
    return sorted(found)


_SPACE_RUN = re.compile(r"\s+")


class NearAnchors:
    """A pattern that can only match close to one of its anchor words, searched there alone.

    The caller vouches, from the pattern's structure, that every match holds an anchor (an
    occurrence of one of `anchor_words` in the folded text) such that, between the match's start
    and the anchor, there are at most `runs_before` runs of white space and no character that
    `stops` matches; and that after the anchor the match, with any character its final
    lookaround reads, ends within `reach` characters, or, when reach is None, before the
    (runs_after + 1)-th run of white space.

    Then finditer() gives exactly pattern.finditer(text) while attempting the pattern only in one
    window per anchor, from the earliest start the bounds allow to the latest end: a window shows
    the text as it is to every match anchored at or before its anchor, so those are found
    exactly; a match found in a window that starts at or beyond the next anchor's earliest start
    may belong to a later anchor (and may have been cut short by the window's end), so it is left
    for the next window to find.

    `viable(text, anchor)`, when given, says whether a match can hold that anchor (e.g. what must
    stand just before it); anchors no match can hold are dropped, which keeps the above true.
    """

    def __init__(self, pattern: re.Pattern, anchor_words: tuple[str, ...], runs_before: int,
                 stops: re.Pattern, reach: int | None = None, runs_after: int | None = None,
                 viable=None):
        assert (reach is None) != (runs_after is None)
        self.viable = viable
        assert not any(word[:1].isspace() for word in anchor_words)
        self.pattern = pattern
        self.anchor_words = anchor_words
        self.runs_before = runs_before
        self.stops = stops
        self.reach = reach
        self.runs_after = runs_after

    def finditer(self, text: str) -> list[re.Match]:
        anchors = word_starts(fold(text), self.anchor_words)
        if self.viable is not None:
            anchors = [a for a in anchors if self.viable(text, a)]
        if not anchors:
            return []
        found: list[re.Match] = []
        bounds = [self._earliest_start(text, a) for a in anchors]
        resume = 0
        i = 0
        while i < len(anchors):
            if anchors[i] < resume:
                i += 1
                continue
            next_bound = bounds[i + 1] if i + 1 < len(anchors) else None
            m = self.pattern.search(text, max(resume, bounds[i]), self._latest_end(text, anchors[i]))
            if m and (next_bound is None or m.start() < next_bound):
                found.append(m)
                resume = m.end()
                continue
            i += 1
        return found

    def search(self, text: str) -> re.Match | None:
        found = self.finditer(text)
        return found[0] if found else None

    # The bounds read the text near the anchor only, in a window that widens until it holds the
    # runs of white space it needs; a run cut by the window's edge is never the one relied on.

    def _earliest_start(self, text: str, anchor: int) -> int:
        if self.runs_before == 0:  # no run may lie between: the stops alone bound it (0 is safe)
            bound = 0
            for stop in self.stops.finditer(text, max(0, anchor - 64), anchor):
                bound = stop.start() + 1
            return bound
        window = 64
        while True:
            low = max(0, anchor - window)
            runs = [m.start() for m in _SPACE_RUN.finditer(text, low, anchor)]
            if low == 0 or len(runs) > self.runs_before + 1:
                break
            window *= 4
        bound = runs[-self.runs_before - 1] + 1 if len(runs) > self.runs_before else 0
        for stop in self.stops.finditer(text, bound, anchor):
            bound = max(bound, stop.start() + 1)
        return bound

    def _latest_end(self, text: str, anchor: int) -> int:
        if self.reach is not None:
            return min(len(text), anchor + self.reach)
        window = 64
        while True:
            high = min(len(text), anchor + window)
            runs = [m.start() for m in _SPACE_RUN.finditer(text, anchor, high)]
            if high == len(text) or len(runs) > self.runs_after:
                break
            window *= 4
        # the first run it cannot cross, and the character there that a lookaround may read
        return runs[self.runs_after] + 1 if len(runs) > self.runs_after else len(text)
