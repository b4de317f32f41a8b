"""Split lines into sentences, keeping offsets into the article text."""
from __future__ import annotations

import re
import string
from dataclasses import dataclass

from transforms.clean import Line

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "adm", "brig",
    "sen", "rep", "gov", "pres", "st", "mt", "no", "nos", "vs", "v", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu",
    "thur", "thurs", "fri", "sat", "sun", "u.s", "u.n", "u.k", "e.u", "a.m", "p.m", "i.e", "e.g",
    "inc", "ltd", "co", "corp", "jr", "sr", "approx", "est", "fig",
}
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_TOKEN_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_TOKEN_CHARS = frozenset(string.ascii_letters + ".")
_DOTTED_ACRONYM = re.compile(r"(?:[a-z]\.)+[a-z]")  # fullmatch: "u.s"


@dataclass(frozen=True)
class Sentence:
    start: int  # offset in the article text
    end: int
    text: str
    line_kind: str
    index: int  # position among the article's sentences


def _token_before(line: str, dot_at: int) -> str | None:
    """What _TOKEN_BEFORE.search(line, 0, dot_at) captures: the run of letters and dots that ends
    at dot_at (before a newline there, as `$` allows), from its first letter. Found by walking
    back from the dot: the regex, tried from the start of the line at every dot, made long lines
    quadratic."""
    end = dot_at - 1 if dot_at and line[dot_at - 1] == "\n" else dot_at
    start = end
    while start and line[start - 1] in _TOKEN_CHARS:
        start -= 1
    while start < end and line[start] == ".":
        start += 1
    return line[start:end] if start < end else None


def _is_abbreviation(line: str, dot_at: int) -> bool:
    token = _token_before(line, dot_at)
    if token is None:
        return False
    token = token.lower().rstrip(".")
    if token in _ABBREVIATIONS:
        return True
    # Single initials ("John F. Kennedy") and dotted acronyms ("U.S.") do not end sentences.
    return len(token) == 1 or bool(_DOTTED_ACRONYM.fullmatch(token))


def split_line(line: Line, first_index: int = 0) -> list[Sentence]:
    text = line.text
    pieces: list[tuple[int, int]] = []
    begin = 0
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        pieces.append((begin, match.end()))
        begin = match.end()
    pieces.append((begin, len(text)))
    sentences = []
    for a, b in pieces:
        # Trim white space so that quote == text[start:end] exactly (strip removes what isspace names).
        piece = text[a:b]
        trimmed = piece.strip()
        if trimmed:
            a += len(piece) - len(piece.lstrip())
            sentences.append(Sentence(line.start + a, line.start + a + len(trimmed), trimmed, line.kind,
                                      first_index + len(sentences)))
    return sentences


def split_sentences(lines: list[Line]) -> list[Sentence]:
    out: list[Sentence] = []
    for line in lines:
        if line.kind == "boilerplate":
            continue
        out.extend(split_line(line, len(out)))
    return out
