"""OUTPUT/warehouse.duckdb: views over both Parquet layouts, the analysis views, the atomic replace."""
import logging
import os
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from flows import warehouse
from flows.storage import to_arrow
from flows.warehouse import WAREHOUSE_NAME, build_warehouse
from schemas import TABLES
from schemas.views import VIEWS

LAYOUTS = ("flat", "partitioned")  # partitioned: the tables that declare a partition key
D = date.fromisoformat


def _claim(claim_id, value, as_of, *, source_norm="gaza_moh", published=None, article="a1", **fields):
    return {
        "claim_id": claim_id, "article_id": article, "source_path": f"{article}.txt",
        "published_date": D(published) if published else (D(as_of) if as_of else None),
        "metric": "killed", "value": value, "value_low": value, "value_high": value, "qualifier": "exact",
        "population": "gaza_palestinians", "subgroup": None, "cause": None, "scope": "cumulative",
        "as_of": D(as_of) if as_of else None, "source": "the ministry", "source_norm": source_norm,
        "quote": f"{value} people have been killed.", "quote_start": 0, "char_start": 0,
        "char_end": len(str(value)), "number_text": str(value), "line_kind": "body",
        "extraction_rule": "test", "confidence": 1.0, "flags": [], **fields,
    }


def _articles(claims):
    ids = sorted({c["article_id"] for c in claims})
    return [{"article_id": a, "source_path": f"{a}.txt", "outlet": f"Outlet {a}", "published_date": D("2024-01-15"),
             "published_date_basis": "metadata", "content_type": "text", "encoding": "utf-8", "n_chars": 10,
             "n_sentences": 1, "n_claims": 1, "n_event_mentions": 0, "text": "x" * 10,
             "ingested_at": pd.Timestamp("2024-06-01", tz="UTC"), "run_id": "r1"} for a in ids]


def _write_table(folder: Path, name: str, rows: list[dict], layout: str, drop: tuple[str, ...] = ()) -> None:
    """OUTPUT/<name>/part-0.parquet, or OUTPUT/<name>/<key>=YYYY-MM/part-0.parquet without the key column."""
    partition = TABLES[name].partition
    if layout == "partitioned" and partition:
        key, date_column = partition
        months = {}
        for row in rows:
            day = row.get(date_column)
            months.setdefault(day.strftime("%Y-%m") if day else "__HIVE_DEFAULT_PARTITION__", []).append(row)
        parts = {folder / f"{key}={month}": part_rows for month, part_rows in sorted(months.items())}
    else:
        parts = {folder: rows}
    for part, part_rows in parts.items():
        part.mkdir(parents=True)
        table = to_arrow(pd.DataFrame(part_rows), TABLES[name])
        pq.write_table(table.drop_columns([c for c in drop if c in table.column_names]), part / "part-0.parquet")


def publish(output: Path, tables: dict[str, list[dict]], layout: str, snapshot: str = "s1", **kwargs) -> Path:
    """Tables laid out as the pipeline publishes them: a snapshot, `current`, fixed table links."""
    folder = output / "_snapshots" / snapshot
    for name, rows in tables.items():
        _write_table(folder / name, name, rows, layout, **kwargs)
    current = output / "current"
    tmp = output / ".current.tmp"
    os.symlink(f"_snapshots/{snapshot}", tmp)
    os.replace(tmp, current)
    for name in tables:
        if not (output / name).is_symlink():
            os.symlink(f"current/{name}", output / name)
    return output


def publish_claims(output: Path, claims: list[dict], layout: str, **kwargs) -> Path:
    return publish(output, {"claims": claims, "articles": _articles(claims)}, layout, **kwargs)


def query(path: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


# (case, claims, SELECT on the warehouse, expected rows)
CASES = [
    ("two sources one day: one dispute with its spread", [
        _claim("c1", 30000, "2024-03-01"),
        _claim("c2", 30500, "2024-03-01", source_norm="un", qualifier="more_than"),
    ], "SELECT n_sources, min_value, max_value, spread, spread_pct, sources, sources_values, n_claims FROM disputes",
     [{"n_sources": 2, "min_value": 30000, "max_value": 30500, "spread": 500, "spread_pct": 1.67,
       "sources": "gaza_moh, un", "sources_values": "un: 30500 (more_than); gaza_moh: 30000", "n_claims": 2}]),
    ("each source's highest of the day is compared; agreement is kept with spread 0", [
        _claim("c1", 100, "2024-03-01"), _claim("c2", 120, "2024-03-01"),
        _claim("c3", 120, "2024-03-01", source_norm="un"),
    ], "SELECT source_norm, value, source_min_value, n_claims, n_sources FROM dispute_figures ORDER BY source_norm",
     [{"source_norm": "gaza_moh", "value": 120, "source_min_value": 100, "n_claims": 2, "n_sources": 2},
      {"source_norm": "un", "value": 120, "source_min_value": 120, "n_claims": 1, "n_sources": 2}]),
    ("other days, windows, incidents, subgroups, causes and unattributed figures are not disputes", [
        _claim("c1", 100, "2024-03-01"),
        _claim("c2", 110, "2024-03-02", source_norm="un"),
        _claim("c3", 50, "2024-03-01", source_norm="un", scope="period"),
        _claim("c4", 20, "2024-03-01", source_norm="un", scope="event"),
        _claim("c5", 40, "2024-03-01", source_norm="un", subgroup="children"),
        _claim("c6", 30, "2024-03-01", source_norm="un", cause="malnutrition"),
        _claim("c7", 90, "2024-03-01", source_norm="unattributed"),
    ], "SELECT * FROM disputes", []),
    ("stock figures are compared with stock figures", [
        _claim("c1", 130, "2024-03-01", metric="hostages_held", population="hostages", scope="stock",
               source_norm="israel_official"),
        _claim("c2", 134, "2024-03-01", metric="hostages_held", population="hostages", scope="stock",
               source_norm="hamas"),
    ], "SELECT dispute_key, scope, spread FROM disputes",
     [{"dispute_key": "hostages_held|hostages|||stock|2024-03-01", "scope": "stock", "spread": 4}]),
    ("a later as_of wins, even published earlier", [
        _claim("c1", 30000, "2024-03-01", published="2024-03-05"),
        _claim("c2", 30100, "2024-03-02", published="2024-03-02", article="a2"),
    ], "SELECT value, as_of, claim_id, outlet FROM latest_figures",
     [{"value": 30100, "as_of": D("2024-03-02"), "claim_id": "c2", "outlet": "Outlet a2"}]),
    ("same as_of: the latest published_date, then the higher value, then the smaller claim_id", [
        _claim("c1", 500, "2024-03-01", published="2024-03-01"),
        _claim("c2", 400, "2024-03-01", published="2024-03-02"),
        _claim("c3", 90, "2024-03-01", source_norm="un"), _claim("c4", 95, "2024-03-01", source_norm="un"),
        _claim("c6", 7, "2024-03-01", source_norm="idf"), _claim("c5", 7, "2024-03-01", source_norm="idf"),
    ], "SELECT source_norm, value, claim_id FROM latest_figures ORDER BY source_norm",
     [{"source_norm": "gaza_moh", "value": 400, "claim_id": "c2"},
      {"source_norm": "idf", "value": 7, "claim_id": "c5"},
      {"source_norm": "un", "value": 95, "claim_id": "c4"}]),
    ("latest figures are totals: incidents, windows, deal terms and undated claims are left out", [
        _claim("c1", 30000, "2024-03-01", flags=["expect_cumulative_not_to_fall", "other"]),
        _claim("c2", 12, "2024-03-05", scope="event"),
        _claim("c3", 70, "2024-03-05", scope="period"),
        _claim("c4", 40, "2024-03-05", scope="term"),
        _claim("c5", 31000, None),
    ], "SELECT value, scope, flags FROM latest_figures",
     [{"value": 30000, "scope": "cumulative", "flags": "expect_cumulative_not_to_fall;other"}]),
    ("cause and subgroup make their own series", [
        _claim("c1", 30000, "2024-03-01"),
        _claim("c2", 27, "2024-03-02", cause="malnutrition"),
        _claim("c3", 12000, "2024-03-03", subgroup="children"),
    ], "SELECT subgroup, cause, value FROM latest_figures ORDER BY value",
     [{"subgroup": None, "cause": "malnutrition", "value": 27},
      {"subgroup": "children", "cause": None, "value": 12000},
      {"subgroup": None, "cause": None, "value": 30000}]),
    ("death toll series: one row per source and day, the highest figure", [
        _claim("c1", 30000, "2024-03-01"), _claim("c2", 30035, "2024-03-01", article="a2"),
        _claim("c3", 29000, "2024-03-01", article="a2", qualifier="at_least"),
        _claim("c4", 30200, "2024-03-02"),
        _claim("c5", 30300, "2024-03-02", source_norm="un"),
        _claim("c6", 12500, "2024-03-02", subgroup="children"),
        _claim("c7", 40, "2024-03-02", cause="malnutrition"),
        _claim("c8", 90, "2024-03-02", scope="event"),
        _claim("c9", 600, "2024-03-02", population="israeli_soldiers", source_norm="idf"),
        _claim("c10", 120000, "2024-03-02", metric="injured"),
        _claim("c11", 31000, None),
    ], "SELECT source_norm, population, as_of, value, min_value, n_claims, n_articles, claim_id "
       "FROM death_toll_series",
     [{"source_norm": "gaza_moh", "population": "gaza_palestinians", "as_of": D("2024-03-01"), "value": 30035,
       "min_value": 29000, "n_claims": 3, "n_articles": 2, "claim_id": "c2"},
      {"source_norm": "gaza_moh", "population": "gaza_palestinians", "as_of": D("2024-03-02"), "value": 30200,
       "min_value": 30200, "n_claims": 1, "n_articles": 1, "claim_id": "c4"},
      {"source_norm": "idf", "population": "israeli_soldiers", "as_of": D("2024-03-02"), "value": 600,
       "min_value": 600, "n_claims": 1, "n_articles": 1, "claim_id": "c9"},
      {"source_norm": "un", "population": "gaza_palestinians", "as_of": D("2024-03-02"), "value": 30300,
       "min_value": 30300, "n_claims": 1, "n_articles": 1, "claim_id": "c5"}]),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case, claims, sql, expected", CASES, ids=[c[0] for c in CASES])
def test_analysis_views(tmp_path, layout, case, claims, sql, expected):
    path = build_warehouse(publish_claims(tmp_path, claims, layout))
    assert query(path, sql) == expected


def _row(name: str, **given) -> dict:
    """A row of table `name`: the given values, and a placeholder in every other required column."""
    placeholders = {"string": "x", "int64": 1, "double": 1.0, "date32[day]": D("2024-01-15"),
                    "timestamp[us, tz=UTC]": pd.Timestamp("2024-06-01", tz="UTC"), "list<item: string>": []}
    row = {c.name: (c.codes[0] if c.codes else placeholders[str(c.type)])
           for c in TABLES[name].columns if not c.nullable}
    return {**row, **given}


def _every_table() -> dict[str, list[dict]]:
    """Rows in each table a view reads."""
    claims = [_claim("c1", 100, "2024-01-03"), _claim("c2", 110, None, published=None)]
    return {"claims": claims, "articles": _articles(claims),
            "event_mentions": [_row("event_mentions", published_date=D("2024-02-01"))],
            "events": [_row("events", first_reported=None)],
            "quarantine": [_row("quarantine")], "runs": [_row("runs")],
            "reference_check": [_row("reference_check", claim_id="c1")]}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_view_has_its_declared_columns_and_descriptions(tmp_path, layout):
    path = build_warehouse(publish(tmp_path, _every_table(), layout))
    with duckdb.connect(str(path), read_only=True) as conn:
        for name, view in VIEWS.items():
            described = [(row[0], row[1]) for row in conn.execute(f'DESCRIBE "{name}"').fetchall()]
            assert described == [(c.name, c.type) for c in view.columns], name
            comment = conn.execute("SELECT comment FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()
            assert comment == (view.description,)
            comments = dict(conn.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?",
                                         [name]).fetchall())
            assert all(comments[c.name] == c.description for c in view.columns), name
        names = {row[0] for row in conn.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        tables = {row[0] for row in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in VIEWS}
    assert names == set(VIEWS) and tables == set()  # views only: no data copied
    assert all(counts[name] for name in _every_table())


def test_missing_table_folders_give_empty_views_with_their_columns(tmp_path, caplog):
    tmp_path.joinpath("empty_folder_only").mkdir()
    with caplog.at_level(logging.WARNING, logger=warehouse.__name__):
        path = build_warehouse(tmp_path)  # no table published at all
    for name in VIEWS:
        assert query(path, f'SELECT count(*) AS n FROM "{name}"') == [{"n": 0}], name
    assert "quarantine" in caplog.text and "is missing" in caplog.text


def test_columns_absent_from_older_files_read_as_null(tmp_path, caplog):
    publish_claims(tmp_path, [_claim("c1", 100, "2024-01-03")], "flat", drop=("cause", "outlet"))
    with caplog.at_level(logging.WARNING, logger=warehouse.__name__):
        path = build_warehouse(tmp_path)
    assert query(path, "SELECT claim_id, cause FROM claims") == [{"claim_id": "c1", "cause": None}]
    assert query(path, "SELECT outlet FROM latest_figures") == [{"outlet": None}]
    assert "cause" in caplog.text and "outlet" in caplog.text


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("month, expected", [
    ("'2024-01'", ["c1", "c2"]),
    ("'2024-02'", ["c3"]),
    (None, ["c4"]),  # rows without a date sit in __HIVE_DEFAULT_PARTITION__
])
def test_partition_key_filters_in_either_layout(tmp_path, layout, month, expected):
    claims = [_claim("c1", 1, "2024-01-03"), _claim("c2", 2, "2024-01-30"), _claim("c3", 3, "2024-02-01"),
              _claim("c4", 4, None)]
    path = build_warehouse(publish_claims(tmp_path, claims, layout))
    where = f"published_month = {month}" if month else "published_month IS NULL"
    rows = query(path, f"SELECT claim_id FROM claims WHERE {where} ORDER BY claim_id")
    assert [r["claim_id"] for r in rows] == expected


def test_views_use_absolute_paths_and_follow_the_published_snapshot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out"
    output.mkdir()
    publish_claims(output, [_claim("c1", 100, "2024-01-03")], "flat")
    path = build_warehouse(Path("out"))  # a relative path, as a user types it
    assert path == output / WAREHOUSE_NAME
    elsewhere = tmp_path / "bi-tool"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert query(path, "SELECT claim_id FROM claims") == [{"claim_id": "c1"}]
    # A later run publishes a new snapshot: the same warehouse shows it, no rebuild.
    publish_claims(output, [_claim("c2", 200, "2024-01-04")], "flat", snapshot="s2")
    assert query(path, "SELECT claim_id FROM claims") == [{"claim_id": "c2"}]


def _leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.iterdir() if p.name.startswith(f".{WAREHOUSE_NAME}"))


def test_rebuild_replaces_the_file_atomically(tmp_path):
    publish_claims(tmp_path, [_claim("c1", 100, "2024-01-03")], "flat")
    path = build_warehouse(tmp_path)
    before = path.stat().st_ino
    with duckdb.connect(str(path), read_only=True) as reader:  # a BI tool holding the old file open
        rebuilt = build_warehouse(tmp_path)
        assert reader.execute("SELECT count(*) FROM claims").fetchone() == (1,)
    assert rebuilt == path and path.stat().st_ino != before
    assert _leftovers(tmp_path) == []


def test_failed_build_leaves_the_old_warehouse(tmp_path):
    publish_claims(tmp_path, [_claim("c1", 100, "2024-01-03")], "flat")
    path = build_warehouse(tmp_path)
    before = path.read_bytes()
    (tmp_path / "claims" / "part-1.parquet").write_bytes(b"not parquet")
    with pytest.raises(duckdb.Error):
        build_warehouse(tmp_path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_missing_output_folder(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="output folder not found"):
        build_warehouse(tmp_path / "absent")
    assert warehouse.main(["--output", str(tmp_path / "absent")]) == 2
    assert "output folder not found" in capsys.readouterr().err


def test_command_writes_the_warehouse(tmp_path, capsys):
    publish_claims(tmp_path, [_claim("c1", 100, "2024-01-03")], "partitioned")
    assert warehouse.main(["--output", str(tmp_path)]) == 0
    assert f"wrote {tmp_path / WAREHOUSE_NAME}" in capsys.readouterr().out
    assert query(tmp_path / WAREHOUSE_NAME, "SELECT count(*) AS n FROM claims") == [{"n": 1}]


def test_partition_filter_reads_only_that_folder(tmp_path):
    claims = [_claim("c1", 1, "2024-01-03"), _claim("c3", 3, "2024-02-01"), _claim("c4", 4, None)]
    path = build_warehouse(publish_claims(tmp_path, claims, "partitioned"))
    with duckdb.connect(str(path), read_only=True) as conn:
        plan = conn.execute("EXPLAIN ANALYZE SELECT claim_id FROM claims WHERE published_month = '2024-02'").fetchall()
    text = "\n".join(row[1] for row in plan)
    assert "Total Files Read: 1" in text and "published_month=2024-02" in text, text


def test_run_report_computes_the_same_death_toll_series(tmp_path):
    # flows/run_report.py charts the series from claims in pandas until it reads this view.
    run_report = pytest.importorskip("flows.run_report")
    claims = next(case[1] for case in CASES if case[0].startswith("death toll series"))
    path = build_warehouse(publish_claims(tmp_path, claims, "flat"))
    columns = ", ".join(run_report.DEATH_TOLL_COLUMNS)
    assert query(path, f"SELECT {columns} FROM death_toll_series") == \
        run_report.death_toll_series(pd.DataFrame(claims)).to_dict("records")
