"""Flags spilled to Parquet while a large table is validated in chunks: counted and grouped like
the {key: [names]} dict they replace."""
import duckdb
import pyarrow as pa

from expectations.flagstore import SpilledFlags


def _grouped(store: SpilledFlags) -> dict:
    with duckdb.connect() as con:
        return {k: list(v) for k, v in con.execute(store.grouped_sql()).fetchall()}


def test_an_empty_store_is_falsy_counts_nothing_and_groups_to_no_rows(tmp_path):
    store = SpilledFlags(tmp_path / "claims")
    store.add({})
    assert not store and len(store) == 0 and _grouped(store) == {}
    assert not (tmp_path / "claims").exists()


def test_chunks_add_up_to_distinct_rows_with_sorted_distinct_names(tmp_path):
    store = SpilledFlags(tmp_path / "claims")
    store.add({"c1": ["never_falls"], "c2": ["same_day", "never_falls"]})
    store.add({"c1": ["same_day", "never_falls"]})  # a later pass flags the same row again
    store.add({"c3": ["b", "a"]})
    assert store and len(store) == 3
    assert _grouped(store) == {"c1": ["never_falls", "same_day"], "c2": ["never_falls", "same_day"], "c3": ["a", "b"]}


def test_the_grouped_flags_join_the_table_they_flag(tmp_path):
    store = SpilledFlags(tmp_path / "o'quote")  # a quote in the path must not break the SQL
    store.add({"k2": ["late"]})
    with duckdb.connect() as con:
        con.register("t", pa.table({"k": ["k1", "k2"]}))
        rows = con.execute(f"SELECT t.k, coalesce(f.flags, CAST([] AS VARCHAR[])) FROM t LEFT JOIN "
                           f"({store.grouped_sql()}) f ON f.key = t.k ORDER BY t.k").fetchall()
    assert rows == [("k1", []), ("k2", ["late"])]
