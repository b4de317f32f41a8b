"""Out-of-core assembly (flows.assemble): streaming chunks, bounded row groups, one file per month."""
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows import assemble
from schemas import TABLES


@pytest.mark.parametrize("n_rows, chunk, sizes", [
    (0, 4, []), (3, 4, [3]), (4, 4, [4]), (10, 4, [4, 4, 2]), (10, 1, [1] * 10),
])
def test_chunks_have_exactly_the_asked_size_and_keep_order(n_rows, chunk, sizes, monkeypatch):
    monkeypatch.setattr(assemble, "READ_BATCH_ROWS", 3)  # batches that do not line up with chunks
    con = duckdb.connect()
    parts = list(assemble.chunks(con, f"SELECT range AS i FROM range({n_rows}) ORDER BY i", chunk))
    assert [len(p) for p in parts] == sizes
    assert [i for p in parts for i in p["i"]] == list(range(n_rows))


def _claims(n: int) -> pa.Table:
    """n claims over two months and no date, ids in reverse so the writer must sort."""
    rows = [{"claim_id": f"c{n - i:05d}", "article_id": "a", "source_path": "p.txt", "metric": "killed",
             "value": i, "quote": "x" * 200, "quote_start": 0, "char_start": 0, "char_end": 1,
             "number_text": "1", "flags": [], "qualifier": "exact", "scope": "cumulative",
             "source_norm": "gaza_moh", "line_kind": "body", "extraction_rule": "test", "confidence": 1.0,
             "published_date": None if i % 5 == 0 else date(2024, 1 + i % 2, 1 + i % 28)} for i in range(n)]
    from flows.batch import rows_to_arrow
    return rows_to_arrow(rows, TABLES["claims"])


def test_a_partitioned_table_gets_one_sorted_file_per_month(tmp_path):
    con = duckdb.connect()
    con.register("src", _claims(50))
    n = assemble.write_table(con, "SELECT * FROM src", TABLES["claims"], tmp_path / "claims")
    assert n == 50
    months = sorted(p.parent.name for p in (tmp_path / "claims").rglob("*.parquet"))
    assert months == ["published_month=2024-01", "published_month=2024-02", "published_month=unknown"]
    for path in (tmp_path / "claims").rglob("*.parquet"):
        table = pq.read_table(path)
        assert "published_month" not in table.column_names  # the folder name carries it
        order = [tuple(r[c] for c in TABLES["claims"].sort_by or TABLES["claims"].key) for r in table.to_pylist()]
        assert order == sorted(order, key=lambda t: tuple((v is None, v) for v in t))
    assert pq.read_table(next((tmp_path / "claims").rglob("*.parquet"))).schema.field("quote").metadata


def test_an_empty_partitioned_table_still_has_a_typed_file(tmp_path):
    con = duckdb.connect()
    con.register("src", _claims(0))
    assert assemble.write_table(con, "SELECT * FROM src", TABLES["claims"], tmp_path / "claims") == 0
    assert pq.read_table(tmp_path / "claims" / "part-0.parquet").schema.names == TABLES["claims"].column_names


def test_row_groups_close_at_the_byte_cap_so_long_rows_do_not_pile_up(tmp_path, monkeypatch):
    monkeypatch.setattr(assemble, "READ_BATCH_ROWS", 10)
    monkeypatch.setattr(assemble, "ROW_GROUP_BYTES", 5_000)  # about 20 claims of 200-char quotes
    con = duckdb.connect()
    con.register("src", _claims(200))
    assemble.write_table(con, "SELECT * FROM src", TABLES["claims"], tmp_path / "claims")
    for path in (tmp_path / "claims").rglob("*.parquet"):
        meta = pq.ParquetFile(path).metadata
        assert meta.num_row_groups > 1
        assert all(meta.row_group(i).num_rows <= 30 for i in range(meta.num_row_groups))


@pytest.mark.parametrize("buffer_bytes, most_writes", [(1 << 30, 3), (1, 60)])
def test_months_are_dealt_in_buffered_runs_not_a_row_group_per_batch(buffer_bytes, most_writes, tmp_path, monkeypatch):
    """Every batch spans all three months: unbuffered, each would add a tiny row group to each
    month's scratch file (whose metadata the writer keeps until it closes)."""
    monkeypatch.setattr(assemble, "READ_BATCH_ROWS", 10)
    monkeypatch.setattr(assemble, "SCRATCH_BUFFER_BYTES", buffer_bytes)
    writes = []
    original = pq.ParquetWriter.write_table

    def counting(self, table, *args, **kwargs):
        if "_spill" in str(self.where):
            writes.append(table.num_rows)
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", counting)
    con = duckdb.connect()
    con.register("src", _claims(200))
    assert assemble.write_table(con, "SELECT * FROM src", TABLES["claims"], tmp_path / "claims") == 200
    assert sum(writes) == 200 and len(writes) <= most_writes
    assert sum(pq.read_table(p).num_rows for p in (tmp_path / "claims").rglob("*.parquet")) == 200


def test_finish_joins_each_month_and_keeps_every_row_in_order(tmp_path):
    con = duckdb.connect()
    con.register("src", _claims(50))
    con.register("extra", pa.table({"key": ["c00001", "c00050"], "note": [["first"], ["last"]]}))
    columns = TABLES["claims"].column_names

    def finish(rows: str) -> str:  # the flags column taken from a join, one month's rows at a time
        picked = [("coalesce(e.note, CAST([] AS VARCHAR[]))" if c == "flags" else f't."{c}"') + f' AS "{c}"'
                  for c in columns]
        return f"SELECT {', '.join(picked)} FROM {rows} t LEFT JOIN extra e ON e.key = t.claim_id"

    assert assemble.write_table(con, "SELECT * FROM src", TABLES["claims"], tmp_path / "claims", finish) == 50
    rows = [r for p in (tmp_path / "claims").rglob("*.parquet") for r in pq.read_table(p).to_pylist()]
    assert sorted(r["claim_id"] for r in rows) == sorted(f"c{i:05d}" for i in range(1, 51))
    assert {r["claim_id"]: r["flags"] for r in rows if r["flags"]} == {"c00001": ["first"], "c00050": ["last"]}
    assert not (tmp_path / "_spill" / "claims-by-month").exists()


def _articles(paths: list[str]) -> pa.Table:
    from flows.batch import rows_to_arrow
    from datetime import datetime, timezone
    return rows_to_arrow([{"article_id": f"a{i}", "source_path": path, "text": "word " * 400,
                           "published_date": date(2024, 1 + i % 2, 1), "published_date_basis": "metadata",
                           "content_type": "text", "encoding": "utf-8", "n_chars": 2000, "n_sentences": 1,
                           "n_claims": 0, "n_event_mentions": 0, "run_id": "r",
                           "ingested_at": datetime(2024, 3, 1, tzinfo=timezone.utc)}
                          for i, path in enumerate(paths)], TABLES["articles"])


def test_long_rows_are_streamed_in_smaller_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(assemble, "READ_BATCH_ROWS", 8)
    monkeypatch.setattr(assemble, "LONG_READ_BATCH_ROWS", 2)
    seen = {}
    original = assemble._RowGroupWriter.add

    def recording(self, batch):
        seen.setdefault(batch.schema.metadata[b"table"].decode(), []).append(batch.num_rows)
        return original(self, batch)

    monkeypatch.setattr(assemble._RowGroupWriter, "add", recording)
    con = duckdb.connect()
    con.register("articles_src", _articles([f"p{i:02d}.txt" for i in range(20)]))
    con.register("claims_src", _claims(40))
    assert TABLES["articles"].long_rows and not TABLES["claims"].long_rows
    assert assemble.write_table(con, "SELECT * FROM articles_src", TABLES["articles"], tmp_path / "articles") == 20
    assert assemble.write_table(con, "SELECT * FROM claims_src", TABLES["claims"], tmp_path / "claims") == 40
    assert max(seen["articles"]) == 2 and max(seen["claims"]) > 2


def test_rows_of_dropped_paths_leave_every_view_and_no_filter_is_left_when_none_are(tmp_path):
    parts = tmp_path / "_parts" / "articles"
    parts.mkdir(parents=True)
    pq.write_table(_articles(["keep.txt", "copy.txt"]), parts / "batch-000000.parquet")
    con = duckdb.connect()
    assemble.register_sources(con, tmp_path / "_parts", None, [], ["copy.txt"])
    assert con.execute("SELECT source_path FROM all_articles").fetchall() == [("keep.txt",)]
    assemble.register_sources(con, tmp_path / "_parts", None, [], [])
    assert sorted(con.execute("SELECT source_path FROM all_articles").fetchall()) == [("copy.txt",), ("keep.txt",)]
    view = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'all_articles'").fetchall()[0][0]
    assert "drop_paths" not in view  # no anti-join to buffer rows through on every scan


def test_long_rows_are_written_by_one_duckdb_thread_and_the_setting_is_put_back(tmp_path, monkeypatch):
    threads_seen = {}
    original = assemble._write_table

    def recording(con, sql, table, folder, finish=None):
        threads_seen[table.name] = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        return original(con, sql, table, folder, finish)

    monkeypatch.setattr(assemble, "_write_table", recording)
    con = assemble.connect(tmp_path / "_spill", threads=3)
    con.register("articles_src", _articles(["a.txt", "b.txt"]))
    con.register("claims_src", _claims(5))
    assemble.write_table(con, "SELECT * FROM articles_src", TABLES["articles"], tmp_path / "articles")
    assemble.write_table(con, "SELECT * FROM claims_src", TABLES["claims"], tmp_path / "claims")
    assert threads_seen == {"articles": 1, "claims": 3}
    assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] == 3
