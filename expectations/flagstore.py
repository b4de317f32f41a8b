"""Flags of a large table's rows, kept on disk while the table is validated in chunks.

A run on a large corpus flags hundreds of thousands of rows (a series rule flags every later
figure below an earlier one). Held as {key: [names]} in the flow process, the flags were its
largest structure that grew with the corpus. Here each validated chunk appends its
(key, expectation name) pairs as one Parquet file, and DuckDB reads them back: the distinct
rows flagged, and each row's sorted names when the table is written. The in-memory dict stays
the form for small tables and whole-frame validation (`expectations.validate`).
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


class SpilledFlags:
    """One table's flags as Parquet files of (key, name) under `folder`. Sized like the dict it
    replaces: len() is the number of distinct rows flagged, truthiness whether any is."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._files = 0
        self._distinct: int | None = None

    def add(self, flags: dict) -> None:
        """Append one chunk's flags, {key: [expectation names]}."""
        if not flags:
            return
        keys = [str(key) for key, names in flags.items() for _ in names]
        names = [name for names in flags.values() for name in names]
        self.folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"key": pa.array(keys, pa.string()), "name": pa.array(names, pa.string())}),
                       self.folder / f"part-{self._files:06d}.parquet")
        self._files += 1
        self._distinct = None

    def __bool__(self) -> bool:
        return self._files > 0

    def __len__(self) -> int:
        if not self._files:
            return 0
        if self._distinct is None:
            with duckdb.connect() as con:
                self._distinct = con.execute(f"SELECT count(DISTINCT key) FROM {self._scan()}").fetchall()[0][0]
        return self._distinct

    def _scan(self) -> str:
        return "read_parquet('" + str(self.folder / "*.parquet").replace("'", "''") + "')"

    def grouped_sql(self) -> str:
        """A query of (key, flags): each flagged row once, with its distinct names sorted."""
        if not self._files:
            return "SELECT CAST(NULL AS VARCHAR) AS key, CAST([] AS VARCHAR[]) AS flags WHERE FALSE"
        return f"SELECT key, list_sort(list_distinct(list(name))) AS flags FROM {self._scan()} GROUP BY key"
