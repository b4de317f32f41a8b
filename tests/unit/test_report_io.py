"""The run report's I/O (flows/run_report.py): reading this run's published tables in either
layout (flat, or hive-partitioned by month), the death-toll series rules, the reference series,
and writing the page atomically."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from flows.run_report import collect_inputs, death_toll_series, read_reference, write_report
from flows.storage import to_arrow
from schemas import TABLES
from tests.unit import report_fixtures as fx

SNAPSHOT = f"{fx.RUN_ID}-beef"


def _claim(number: int, value: int, as_of: date | None, metric: str = "killed", scope: str = "cumulative",
           source_norm: str = "gaza_moh", population: str | None = "gaza_palestinians", article: str = "a1",
           subgroup: str | None = None, cause: str | None = None) -> dict:
    return {"claim_id": f"c{number}", "article_id": article, "source_path": f"{article}.txt",
            "published_date": as_of, "metric": metric, "value": value, "qualifier": "exact",
            "population": population, "subgroup": subgroup, "cause": cause, "scope": scope, "as_of": as_of,
            "source_norm": source_norm, "quote": "A sentence.", "quote_start": 0, "char_start": 0,
            "char_end": 2, "number_text": str(value), "line_kind": "body", "extraction_rule": "test",
            "confidence": 0.9, "flags": []}


CLAIMS = pd.DataFrame([
    _claim(1, 100, date(2024, 1, 1)),
    _claim(2, 120, date(2024, 1, 1), article="a2"),                     # same day, higher: the day's figure
    _claim(3, 50, date(2024, 1, 1), subgroup="children"),               # a part of the toll, not the toll
    _claim(10, 16, date(2024, 1, 1), cause="malnutrition"),             # likewise
    _claim(4, 150, date(2024, 2, 1)),
    _claim(5, 900, date(2024, 2, 1), scope="period"),                   # not a running total
    _claim(6, 900, date(2024, 2, 1), metric="injured"),                 # not deaths
    _claim(7, 900, None),                                               # no date to draw it at
    _claim(8, 99, date(2024, 1, 1), source_norm="un"),
    _claim(11, 600, date(2024, 2, 1), source_norm="idf", population="israeli_soldiers"),
    _claim(9, 7, date(2024, 2, 1), source_norm="idf", population=None),  # a null population sorts first
])
EXPECTED_SERIES = [
    ("gaza_moh", "gaza_palestinians", date(2024, 1, 1), 120, 2, 2),
    ("gaza_moh", "gaza_palestinians", date(2024, 2, 1), 150, 1, 1),
    ("idf", None, date(2024, 2, 1), 7, 1, 1),
    ("idf", "israeli_soldiers", date(2024, 2, 1), 600, 1, 1),
    ("un", "gaza_palestinians", date(2024, 1, 1), 99, 1, 1),
]
EVENTS = pd.DataFrame([
    {"event_id": "e1", "event_type": "talks", "event_date": date(2024, 3, 3), "event_date_end": None,
     "tense": "past", "n_mentions": 2, "n_articles": 2, "flags": []},
    {"event_id": "e2", "event_type": "truce", "event_date": None, "event_date_end": None,
     "tense": "future", "n_mentions": 1, "n_articles": 1, "flags": []},
])
QUARANTINE = pd.DataFrame([{"source_path": "bad.txt", "stage": "read", "reason_code": "empty",
                            "detail": "no bytes", "n_bytes": 0, "run_id": fx.RUN_ID}])
REFERENCE_CSV = """date,report_source,report_period,killed_cum,injured_cum,ext_killed_cum,ext_injured_cum
2024-01-01,mohtel,24,100,300,100,300
2024-01-02,missing,0,,,104,310
2024-01-03,mohtel,24,130,330,130,330
2024-01-04,missing,0,,,,
"""


def _month(day) -> str:
    return f"{day:%Y-%m}" if day is not None else "__HIVE_DEFAULT_PARTITION__"


def _write(folder: Path, name: str, frame: pd.DataFrame, partitioned: bool) -> None:
    """Flat: name/part-0.parquet. Partitioned: name/published_month=YYYY-MM/part-0.parquet, the
    partition column kept out of the files as a hive writer does."""
    table = to_arrow(frame, TABLES[name])
    if not partitioned:
        (folder / name).mkdir(parents=True)
        pq.write_table(table, folder / name / "part-0.parquet")
        return
    date_column = "published_date" if "published_date" in frame.columns else "event_date"
    months = frame[date_column].map(_month)
    for month in sorted(set(months)):
        part = folder / name / f"published_month={month}"
        part.mkdir(parents=True)
        pq.write_table(to_arrow(frame[months == month], TABLES[name]), part / "part-0.parquet")


def _output(root: Path, layout: str, tables: tuple[str, ...] = ("claims", "events", "quarantine")) -> Path:
    """An output folder as a run leaves it: 'legacy' (tables directly under OUTPUT, no manifest),
    'snapshot' (today's flat snapshot) or 'hive' (a snapshot with month-partitioned big tables)."""
    output = root / "out"
    folder = output if layout == "legacy" else output / "_snapshots" / SNAPSHOT
    frames = {"claims": CLAIMS, "events": EVENTS, "quarantine": QUARANTINE}
    for name in tables:
        _write(folder, name, frames[name], partitioned=layout == "hive" and name != "quarantine")
    # The report never opens articles (their text is the bulk of the data): a broken file proves it.
    (folder / "articles").mkdir(parents=True)
    (folder / "articles" / "part-0.parquet").write_bytes(b"not parquet")
    (folder / "validation").mkdir()
    (folder / "validation" / "index.html").write_text("<html></html>")
    if layout != "legacy":
        (output / "_manifest.json").write_text(json.dumps(
            {"snapshot": SNAPSHOT, "run_id": fx.RUN_ID, "history": [SNAPSHOT]}))
    return output


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def test_death_toll_series_rules():
    assert _rows(death_toll_series(CLAIMS)) == EXPECTED_SERIES
    assert death_toll_series(CLAIMS[CLAIMS["metric"] == "injured"]).empty


@pytest.mark.parametrize("layout, docs_href", [
    ("legacy", "../validation/index.html"),
    ("snapshot", f"../_snapshots/{SNAPSHOT}/validation/index.html"),
    ("hive", f"../_snapshots/{SNAPSHOT}/validation/index.html"),
])
def test_collect_inputs_reads_this_runs_tables_in_either_layout(tmp_path, layout, docs_href):
    output = _output(tmp_path, layout)
    inputs = collect_inputs(output, fx.run_row(), fx.validation(), None)
    assert _rows(inputs.death_toll_series) == EXPECTED_SERIES
    assert list(inputs.death_toll_series.columns) == ["source_norm", "population", "as_of", "value",
                                                      "n_claims", "n_articles"]
    assert sorted(inputs.events["event_type"]) == ["talks", "truce"]
    assert inputs.events.set_index("event_type").loc["talks", "event_date"] == date(2024, 3, 3)
    assert _rows(inputs.quarantine) == [("bad.txt", "read", "empty")]
    assert inputs.data_docs_href == docs_href
    assert inputs.reference is None and inputs.notes == ["reference series: off (no path given), not drawn"]


def test_an_earlier_runs_report_reads_its_own_snapshot(tmp_path):
    output = _output(tmp_path, "snapshot")
    later = "20260106T000000Z-ffffff-0001"
    (output / "_manifest.json").write_text(json.dumps(
        {"snapshot": later, "run_id": later[:-5], "history": [SNAPSHOT, later]}))
    inputs = collect_inputs(output, fx.run_row(), fx.validation(), None)
    assert inputs.data_docs_href == f"../_snapshots/{SNAPSHOT}/validation/index.html"
    assert len(inputs.death_toll_series) == len(EXPECTED_SERIES)


def test_a_collected_snapshot_is_noted_not_fatal(tmp_path):
    output = _output(tmp_path, "snapshot")
    (output / "_manifest.json").write_text(json.dumps({"snapshot": "other-0001", "run_id": "other",
                                                       "history": ["other-0001"]}))
    inputs = collect_inputs(output, fx.run_row(), fx.validation(), None)
    assert inputs.death_toll_series.empty and inputs.data_docs_href is None
    assert any("no longer on disk" in note for note in inputs.notes)


def test_a_missing_table_is_noted_and_empty(tmp_path):
    output = _output(tmp_path, "hive", tables=("claims", "quarantine"))
    inputs = collect_inputs(output, fx.run_row(), fx.validation(), None)
    assert inputs.events.empty and list(inputs.events.columns) == ["event_type", "event_date", "event_date_end",
                                                                   "tense"]
    assert any(note.startswith("table events not found") for note in inputs.notes)
    assert len(inputs.death_toll_series) == len(EXPECTED_SERIES)


def test_a_blocked_run_reads_no_tables(tmp_path):
    output = _output(tmp_path, "snapshot")  # the previous run's tables: not this run's to show
    inputs = collect_inputs(output, fx.run_row(validation_outcome="blocked"), fx.validation("blocked"),
                            tmp_path / "absent.csv")
    assert inputs.death_toll_series.empty and inputs.events.empty and inputs.quarantine.empty
    assert inputs.data_docs_href is None and not inputs.published
    assert "blocked and published nothing" in inputs.notes[0]


def test_reference_series_uses_the_bulletin_else_the_filled_in_value(tmp_path):
    path = tmp_path / "moh.csv"
    path.write_text(REFERENCE_CSV)
    notes: list[str] = []
    frame = read_reference(path, notes)
    assert _rows(frame) == [(date(2024, 1, 1), 100, "reported"), (date(2024, 1, 2), 104, "extended"),
                            (date(2024, 1, 3), 130, "reported")]
    assert notes == []
    output = _output(tmp_path, "snapshot")
    assert _rows(collect_inputs(output, fx.run_row(), fx.validation(), path).reference) == _rows(frame)


@pytest.mark.parametrize("content, note", [(None, "not found"), ("date,other\n2024-01-01,1\n", "unreadable")])
def test_reference_series_missing_or_unusable_is_noted(tmp_path, content, note):
    path = tmp_path / "moh.csv"
    if content is not None:
        path.write_text(content)
    notes: list[str] = []
    assert read_reference(path, notes) is None
    assert len(notes) == 1 and note in notes[0]


def test_write_report_writes_the_run_page_and_latest_atomically(tmp_path):
    first = write_report(tmp_path, "run-1", "<p>one</p>")
    assert first == tmp_path / "reports" / "run-1.html"
    second = write_report(tmp_path, "run-2", "<p>two \u2013 \u0627</p>")
    assert first.read_text() == "<p>one</p>"
    assert (tmp_path / "reports" / "latest.html").read_bytes() == second.read_bytes()
    assert second.read_text(encoding="utf-8") == "<p>two \u2013 \u0627</p>"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["latest.html", "run-1.html", "run-2.html"]


@pytest.mark.parametrize("run_id", ["", "../escape", "a/b", ".hidden"])
def test_write_report_refuses_ids_that_are_not_file_names(tmp_path, run_id):
    with pytest.raises(ValueError):
        write_report(tmp_path, run_id, "<p></p>")
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
