"""Out-of-core assembly of the row tables, with DuckDB: this run's staged batch files plus the kept
rows of the previous snapshot, as SQL views the cross-row steps read in slim projections or in
bounded chunks, and as the final partitioned Parquet the publish step writes.

Why DuckDB here: the tables of a large corpus do not fit in the flow's memory (article text alone
is several KB an article). DuckDB scans Parquet lazily, sorts and joins out of core within a fixed
memory limit (spilling to the run's staging folder), so the flow's peak memory does not grow with
the corpus. pyarrow writes the result, cast to the schema, partitioned by month.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from schemas import TABLES, Table

ROW_TABLES = ("articles", "claims", "event_mentions")
MEMORY_LIMIT = "384MB"  # fixed: DuckDB spills to disk beyond it instead of growing with the corpus
ROW_GROUP_ROWS = 122_880  # DuckDB's own row-group size: its scans parallelise by row group
MIN_GROUP_ROWS = 16_384
READ_BATCH_ROWS = 16_384
UNKNOWN_MONTH = "unknown"  # partition of rows without a date (hive's default name is unreadable)


def connect(spill_dir: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{_sql_str(str(spill_dir))}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.parquet")) if folder.is_dir() else []


def _select_columns(table: Table, available: set[str] | None = None) -> str:
    """The schema's columns in order; ones a file lacks (an older snapshot) read as typed nulls."""
    out = []
    for column in table.columns:
        if available is None or column.name in available:
            out.append(_quote(column.name))
        else:
            out.append(f"CAST(NULL AS {_duck_type(column.type)}) AS {_quote(column.name)}")
    return ", ".join(out)


def _duck_type(arrow_type: pa.DataType) -> str:
    return {pa.string(): "VARCHAR", pa.date32(): "DATE", pa.int64(): "BIGINT", pa.int32(): "INTEGER",
            pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN", pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
            pa.list_(pa.string()): "VARCHAR[]"}[arrow_type]


def _empty_sql(table: Table) -> str:
    return "SELECT " + ", ".join(f"CAST(NULL AS {_duck_type(c.type)}) AS {_quote(c.name)}"
                                 for c in table.columns) + " WHERE false"


@dataclass(frozen=True)
class Sources:
    """Where a run's row tables come from: its staged batch files, the previous snapshot's rows of
    the kept inputs, minus the dropped (duplicate) paths. Small and picklable: each Prefect task
    opens its own DuckDB connection on it."""
    staging: Path
    previous: Path | None
    keep_paths: tuple[str, ...] = ()
    drop_paths: tuple[str, ...] = ()

    @contextmanager
    def open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.staging / "_spill")
        try:
            register_sources(con, self.staging / "_parts", self.previous, list(self.keep_paths),
                             list(self.drop_paths))
            yield con
        finally:
            con.close()


def register_sources(con: duckdb.DuckDBPyConnection, parts: Path, previous: Path | None,
                     keep_paths: list[str], drop_paths: list[str]) -> None:
    """Views `all_<table>`: staged rows of this run plus the previous snapshot's rows of the kept
    inputs, minus the rows of dropped (duplicate) paths. Flags and event ids are left to the
    final write: validation and the merge run again over everything."""
    con.register("keep_paths", pa.table({"source_path": pa.array(sorted(set(keep_paths)), pa.string())}))
    con.register("drop_paths", pa.table({"source_path": pa.array(sorted(set(drop_paths)), pa.string())}))
    for name in ROW_TABLES:
        table = TABLES[name]
        pieces = []
        staged = _files(parts / name)
        if staged:
            pieces.append(f"SELECT {_select_columns(table)} FROM read_parquet({staged!r})")
        old = _files(previous / name) if previous is not None and keep_paths else []
        if old:
            available = {r[0] for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({old!r}, hive_partitioning = false, union_by_name = true)").fetchall()}
            pieces.append(f"SELECT {_select_columns(table, available)} FROM read_parquet({old!r}, "
                          f"hive_partitioning = false, union_by_name = true) "
                          f"WHERE source_path IN (SELECT source_path FROM keep_paths)")
        body = " UNION ALL ".join(pieces) if pieces else _empty_sql(table)
        con.execute(f"CREATE OR REPLACE TEMP VIEW all_{name} AS SELECT * FROM ({body}) "
                    f"WHERE source_path NOT IN (SELECT source_path FROM drop_paths)")


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A (small) query result as pandas, dates as datetime.date and integers with gaps as objects,
    as the rest of the pipeline reads Parquet."""
    return con.sql(sql).to_arrow_table().to_pandas(integer_object_nulls=True, date_as_object=True)


def chunks(con: duckdb.DuckDBPyConnection, sql: str, rows: int) -> Iterator[pd.DataFrame]:
    """A query's result in chunks of at most `rows` rows, in the query's order."""
    reader = con.sql(sql).to_arrow_reader(rows)
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(pending).to_pandas(integer_object_nulls=True, date_as_object=True)
            pending, count = [], 0
    if pending and count:
        yield pa.Table.from_batches(pending).to_pandas(integer_object_nulls=True, date_as_object=True)


def row_order(table: Table) -> str:
    return ", ".join(_quote(c) for c in table.sort_by or table.key)


def write_table(con: duckdb.DuckDBPyConnection, sql: str, table: Table, folder: Path) -> int:
    """Stream a query into `folder`: hive-partitioned by month when the table declares it (rows
    ordered by partition, then the table's total order), else one flat file. Returns the row count."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = table.arrow_schema()
    order = row_order(table)
    if table.partition is None:
        reader = con.sql(f"SELECT * FROM ({sql}) ORDER BY {order}").to_arrow_reader(READ_BATCH_ROWS)
        return _write(reader, schema, folder, partitioning=None)
    key, date_column = table.partition
    month = f"coalesce(strftime({_quote(date_column)}, '%Y-%m'), '{UNKNOWN_MONTH}')"
    reader = con.sql(f"SELECT *, {month} AS {_quote(key)} FROM ({sql}) ORDER BY {_quote(key)}, {order}") \
        .to_arrow_reader(READ_BATCH_ROWS)
    return _write(reader, schema.append(pa.field(key, pa.string(), nullable=False)), folder,
                  partitioning=ds.partitioning(pa.schema([pa.field(key, pa.string())]), flavor="hive"))


def _write(reader: pa.RecordBatchReader, schema: pa.Schema, folder: Path, partitioning) -> int:
    count = 0

    def batches():
        nonlocal count
        for batch in reader:
            count += batch.num_rows
            yield batch.cast(schema) if batch.schema != schema else batch

    cast = pa.RecordBatchReader.from_batches(schema, batches())
    ds.write_dataset(cast, folder, format="parquet", partitioning=partitioning,
                     basename_template="part-{i}.parquet", existing_data_behavior="overwrite_or_ignore",
                     max_rows_per_group=ROW_GROUP_ROWS, min_rows_per_group=MIN_GROUP_ROWS,
                     max_rows_per_file=0, preserve_order=True, create_dir=True)
    if count == 0:
        # An empty table is still a table: one empty file keeps its schema for every reader.
        import pyarrow.parquet as pq
        pq.write_table(schema.empty_table() if partitioning is None else
                       pa.schema([f for f in schema if f.name not in partitioning.schema.names]).empty_table(),
                       folder / "part-0.parquet")
    return count
