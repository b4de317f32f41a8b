"""Content-hash identifiers: re-runs and parallel runs agree on every id."""
from __future__ import annotations

import hashlib


def stable_id(*parts: object, length: int = 16) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
