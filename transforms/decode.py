"""Bytes to article text: reject what is not an article, detect the encoding, turn HTML into text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from transforms import html_text

DEFAULT_MAX_BYTES = 5_000_000  # a news article is rarely over 200 KB; tens of MB is a dump, not a story
MIN_TEXT_CHARS = 40

_HTML_SNIFF = re.compile(rb"<(?:!doctype html|html|head|body|article|div|p)[\s>]", re.IGNORECASE)


class Rejected(Exception):
    """The input cannot be turned into an article; carries the quarantine reason."""

    def __init__(self, reason_code: str, detail: str):
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    content_type: str  # text | html | markdown
    html_metadata: dict = field(default_factory=dict)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.02


def _decode_bytes(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy encodings: English news in a single-byte code page is almost always cp1252, which
    # charset-normalizer often reports under a sibling name; prefer it when it decodes cleanly.
    try:
        text = data.decode("cp1252")
        if not re.search(r"[\x80-\x9f]", text):
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.chaos > 0.2:
        raise Rejected("undecodable", "bytes are neither UTF-8 nor a recognisable legacy encoding")
    return data.decode(best.encoding, errors="strict"), best.encoding


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_article(data: bytes, suffix: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Decode one input file's bytes; raise Rejected with a reason code when it is not an article."""
    if len(data) > max_bytes:
        raise Rejected("oversized", f"{len(data):,} bytes is over the limit of {max_bytes:,}")
    if not data.strip():
        raise Rejected("empty", "the file is empty or holds only white space")
    if _looks_binary(data):
        raise Rejected("binary", "the file holds NUL or control bytes: not text")
    try:
        raw, encoding = _decode_bytes(data)
    except UnicodeDecodeError as exc:
        raise Rejected("undecodable", str(exc)) from exc
    suffix = suffix.lower()
    is_html = suffix in (".html", ".htm") or (suffix != ".md" and bool(_HTML_SNIFF.search(data[:4096])))
    if is_html:
        text, meta = html_text.html_to_text(raw)
        content_type = "html"
    else:
        text, meta = raw, {}
        content_type = "markdown" if suffix == ".md" else "text"
    text = normalise_newlines(text).replace("\ufeff", "")
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise Rejected("not_article", f"only {len(text.strip())} characters of text after decoding")
    return Decoded(text=text, encoding=encoding, content_type=content_type, html_metadata=meta)
