"""Loads the data files under transforms/lexicons/ (rules kept as data, not code)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons"


@lru_cache(maxsize=None)
def load_patterns(name: str) -> dict:
    with open(LEXICON_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)
