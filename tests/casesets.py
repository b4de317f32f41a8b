"""Scoring of the table-driven case files (tests/data/*.jsonl): shared by the tests and reports."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from transforms.claims import extract_claims
from transforms.clean import classify_lines
from transforms.dates import find_dates
from transforms.events import extract_event_mentions
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


def _match_case(score: Score, case_id: str, expected: list, got: list, agrees, describe_want, describe_got) -> None:
    """One-to-one greedy matching of a case's expected items against what the extractor gave."""
    score.predicted += len(got)
    score.expected += len(expected)
    unused = list(got)
    for want in expected:
        hit = next((g for g in unused if agrees(g, want)), None)
        if hit is None:
            score.errors.append(f"{case_id}: missed {describe_want(want)}")
            continue
        unused.remove(hit)
        score.tp += 1
    score.errors.extend(f"{case_id}: spurious {describe_got(g)}" for g in unused)


def score_claims(cases: list[dict], attributes: tuple[str, ...] = ()) -> Score:
    """Claims match on (metric, value); with attributes, those must agree too ("" == None)."""
    score = Score()
    for case in cases:
        got = claims_for_text(case["text"], date.fromisoformat(case["published_date"]))
        _match_case(score, case["id"], case["expected"], got,
                    lambda g, w: g["metric"] == w["metric"] and g["value"] == w["value"]
                    and all(_same(g.get(a), w.get(a)) for a in attributes if a in w),
                    lambda w: f"{w['metric']}={w['value']}", lambda g: f"{g['metric']}={g['value']}")
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
        _match_case(score, case["id"], case["expected"], got,
                    lambda g, w: g.date.isoformat() == w["date"]
                    and (g.date_end.isoformat() if g.date_end else None) == w.get("date_end")
                    and g.precision == w["precision"] and g.tense == w["tense"],
                    lambda w: f"{w['date_text']!r} -> {w['date']} {w['precision']} {w['tense']}",
                    lambda g: f"{g.text!r} -> {g.date} {g.precision} {g.tense}")
    return score


def events_for_text(text: str, published: date) -> list:
    sentences = split_sentences(classify_lines(text))
    sentences = [s if s.line_kind == "body" else s.__class__(s.start, s.end, s.text, "body", s.index) for s in sentences]
    return extract_event_mentions(sentences, published)


def score_events(cases: list[dict], with_tense: bool = False) -> Score:
    """An event matches on type and start date within a day (as score.py does); with_tense, the
    tense must agree too."""
    score = Score()
    for case in cases:
        got = events_for_text(case["text"], date.fromisoformat(case["reference"]))
        _match_case(score, case["id"], case["expected"], got,
                    lambda g, w: g.event_type == w["event_type"]
                    and abs((g.event_date - date.fromisoformat(w["date"])).days) <= 1
                    and (not with_tense or g.tense == w["tense"]),
                    lambda w: f"{w['event_type']} {w['date']} {w['tense']}",
                    lambda g: f"{g.event_type} {g.event_date} {g.tense} ({g.trigger_text!r}, {g.date_text!r})")
    return score
