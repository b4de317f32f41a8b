"""Scoring of the table-driven case files (tests/data/*.jsonl): shared by the tests and reports."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from transforms.claims import extract_claims
from transforms.clean import classify_lines
from transforms.dates import find_dates
from transforms.sentences import split_sentences

DATA = Path(__file__).parent / "data"


def load_cases(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    expected: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0


def claims_for_text(text: str, published: date) -> list[dict]:
    sentences = split_sentences(classify_lines(text))
    # Case texts are single sentences or short passages: treat every line as body text.
    sentences = [s if s.line_kind == "body" else s.__class__(s.start, s.end, s.text, "body", s.index) for s in sentences]
    return [vars(c) for c in extract_claims(sentences, published)]


def score_claims(cases: list[dict], attributes: tuple[str, ...] = ()) -> Score:
    """Claims match on (metric, value); with attributes, those must agree too ("" == None)."""
    score = Score()
    for case in cases:
        got = claims_for_text(case["text"], date.fromisoformat(case["published_date"]))
        score.predicted += len(got)
        score.expected += len(case["expected"])
        unused = list(got)
        for want in case["expected"]:
            hit = next((g for g in unused if g["metric"] == want["metric"] and g["value"] == want["value"]
                        and all(_same(g.get(a), want.get(a)) for a in attributes if a in want)), None)
            if hit is None:
                score.errors.append(f"{case['id']}: missed {want['metric']}={want['value']}")
                continue
            unused.remove(hit)
            score.tp += 1
        score.errors.extend(f"{case['id']}: spurious {g['metric']}={g['value']}" for g in unused)
    return score


def _same(got, want) -> bool:
    if isinstance(got, date):
        got = got.isoformat()
    return (got or "") == (want or "")


def score_dates(cases: list[dict]) -> Score:
    """A date mention matches when its resolved date, end, precision and tense all agree."""
    score = Score()
    for case in cases:
        got = find_dates(case["text"], date.fromisoformat(case["reference_date"]))
        score.predicted += len(got)
        score.expected += len(case["expected"])
        unused = list(got)
        for want in case["expected"]:
            hit = next((g for g in unused if g.date.isoformat() == want["date"]
                        and (g.date_end.isoformat() if g.date_end else None) == want.get("date_end")
                        and g.precision == want["precision"] and g.tense == want["tense"]), None)
            if hit is None:
                score.errors.append(f"{case['id']}: missed {want['date_text']!r} -> {want['date']} {want['precision']} {want['tense']}"
                                    f" (got {[ (g.text, str(g.date), g.precision, g.tense) for g in got]})")
                continue
            unused.remove(hit)
            score.tp += 1
        score.errors.extend(f"{case['id']}: spurious {g.text!r} -> {g.date}" for g in unused)
    return score
