"""The same flow on every runner gives the same tables: threads, a process per core, and Dask.

Also: the month partitions a BI tool filters on are real (DuckDB reads one partition only)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.runners import shared_api_server, task_runner
from schemas import TABLES
from tests.integration.articles import EXTRA, write_inputs
from tests.integration.conftest import read

pytestmark = pytest.mark.slow
ROW_TABLES = ("articles", "claims", "event_mentions", "events", "quarantine", "reference_check", "ledger")


def _run(runner: str, input_dir: Path, output_dir: Path):
    from flows.pipeline import etl_flow
    with shared_api_server():
        # batch_size=2: several batches, so the runner really spreads them over its workers
        return etl_flow.with_options(task_runner=task_runner(runner, workers=2))(
            str(input_dir), str(output_dir), batch_size=2)


def _comparable(output: Path, name: str):
    frame = read(output, name)
    table = TABLES[name]
    frame = frame.drop(columns=[c for c in table.run_metadata if c in frame.columns])
    return frame.astype(str).reset_index(drop=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = write_inputs(tmp_path_factory.mktemp("articles"))
    (folder / EXTRA[0]).write_text(EXTRA[1], encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")  # a quarantine row too
    return folder


@pytest.fixture(scope="module")
def threads_output(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("threads") / "out"
    assert _run("threads", inputs, out).published
    return out


@pytest.mark.parametrize("runner", ["processes", "dask"])
def test_runner_gives_identical_tables(runner, inputs, threads_output, tmp_path):
    out = tmp_path / "out"
    summary = _run(runner, inputs, out)
    assert summary.published
    runs = read(out, "runs")
    assert list(runs["runner"]) == [runner]
    for name in ROW_TABLES:
        expected, got = _comparable(threads_output, name), _comparable(out, name)
        assert len(got) == len(expected), name
        assert got.equals(expected), f"{name} differs between threads and {runner}"
    assert len(read(out, "claims")) > 5


def test_partition_filtered_query_reads_one_month(threads_output):
    claims_dir = threads_output / "claims"
    months = sorted(p.name for p in claims_dir.iterdir() if p.is_dir())
    assert len(months) >= 3 and all(m.startswith("published_month=") for m in months)
    con = duckdb.connect()
    source = f"read_parquet('{claims_dir}/**/*.parquet', hive_partitioning = true)"
    total = con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]
    april = con.execute(f"SELECT count(*), min(published_date), max(published_date) FROM {source} "
                        "WHERE published_month = '2024-04'").fetchall()[0]
    assert 0 < april[0] < total
    assert str(april[1]).startswith("2024-04") and str(april[2]).startswith("2024-04")
    # The filter prunes files: the plan scans the one partition's file only.
    plan = "\n".join(str(r) for r in con.execute(
        f"EXPLAIN ANALYZE SELECT count(*) FROM {source} WHERE published_month = '2024-04'").fetchall())
    assert "Total Files Read: 1" in plan or "Files Read: 1" in plan, plan


def test_row_groups_are_sized_for_scans(threads_output):
    import pyarrow.parquet as pq
    from flows.assemble import ROW_GROUP_ROWS
    for path in (threads_output / "claims").rglob("*.parquet"):
        meta = pq.ParquetFile(path).metadata
        assert all(meta.row_group(i).num_rows <= ROW_GROUP_ROWS for i in range(meta.num_row_groups))
        assert meta.schema.to_arrow_schema().field("value").metadata[b"description"]


def test_no_scratch_is_published(threads_output):
    # The batch files and DuckDB's spill folder are the run's scratch: never in the snapshot.
    snapshots = [p for p in (threads_output / "_snapshots").iterdir()]
    assert snapshots and not any(p.name.startswith(".staging-") for p in snapshots)
    for snapshot in snapshots:
        assert not (snapshot / "_parts").exists() and not (snapshot / "_spill").exists()


def test_a_narrow_submission_window_gives_identical_tables(inputs, threads_output, tmp_path, monkeypatch):
    """One-article batches through a window of two: most batches wait to be submitted until an
    earlier result is read, and every one of them still lands, in the same tables."""
    from flows import pipeline
    from flows.pipeline import etl_flow
    monkeypatch.setattr(pipeline, "submission_window", lambda: 2)
    out = tmp_path / "out"
    with shared_api_server():
        summary = etl_flow.with_options(task_runner=task_runner("threads", workers=2))(
            str(inputs), str(out), batch_size=1)
    assert summary.published
    n_inputs = sum(1 for p in inputs.rglob("*") if p.suffix in (".txt", ".html", ".md"))
    assert summary.counts["n_new"] == n_inputs > 2
    for name in ROW_TABLES:
        assert _comparable(out, name).equals(_comparable(threads_output, name)), name


def test_the_window_keeps_every_worker_busy(monkeypatch):
    from flows.runners import submission_window
    monkeypatch.delenv("DASK_ADDRESS", raising=False)
    assert submission_window(1) == 4 and submission_window(2) == 4 and submission_window(8) == 16
