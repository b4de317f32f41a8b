"""OUTPUT/warehouse.duckdb: DuckDB views over the published Parquet, for BI tools to open directly.

    python -m flows.warehouse --output DIR

The file holds views only (schemas/views.py); every query reads the Parquet under OUTPUT/<table>,
the fixed links to the published snapshot, so a new run's tables show without a rebuild. Rebuild after moving the
output folder (the views hold its absolute path: DuckDB would resolve a relative one against the
BI tool's working directory), when a table folder appears that was missing, or when a table
changes between the flat and the partitioned layout (the flow rebuilds after every publish).
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.snapshots import fsync as _fsync
from schemas import TABLES
from schemas.views import VIEWS, View, quote_identifier, quote_literal, table_view_sql

WAREHOUSE_NAME = "warehouse.duckdb"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableSource:
    """What a table view reads: the Parquet folder as found on disk."""
    name: str
    folder: Path
    partition_keys: tuple[str, ...] = ()
    missing_reason: str | None = None  # set when there is nothing to read: the view is empty


def inspect_table(output: Path, name: str) -> TableSource:
    """The folder OUTPUT/<name>, whether it holds Parquet, and the hive partition keys of its folders."""
    folder = output / name  # not resolved: the link must keep following the published snapshot
    if not folder.is_dir():
        return TableSource(name, folder, missing_reason=f"{folder} is missing")
    files = sorted(folder.rglob("*.parquet"))
    if not files:
        return TableSource(name, folder, missing_reason=f"{folder} holds no Parquet files")
    keys: dict[str, None] = {}
    for path in files:
        for part in path.relative_to(folder).parent.parts:
            if "=" in part:
                keys.setdefault(part.split("=", 1)[0])
    return TableSource(name, folder, tuple(keys))


def _columns_on_disk(conn: duckdb.DuckDBPyConnection, source: TableSource) -> set[str]:
    glob = quote_literal(f"{source.folder}/**/*.parquet")
    rows = conn.execute(f"DESCRIBE SELECT * FROM read_parquet({glob}, hive_partitioning = true, "
                        "union_by_name = true)").fetchall()
    return {row[0] for row in rows}


def _view_sql(conn: duckdb.DuckDBPyConnection, view: View, output: Path) -> str:
    if view.table is None:
        return view.sql
    table = TABLES[view.table]
    source = inspect_table(output, view.table)
    if source.missing_reason:
        log.warning("%s: %s; the view has the table's columns and no rows (rebuild the warehouse "
                    "once a run has published it)", view.name, source.missing_reason)
        return table_view_sql(table, None)
    on_disk = _columns_on_disk(conn, source)
    absent = [c for c in table.column_names if c not in on_disk]
    if absent:
        log.warning("%s: columns not in the Parquet files read as null: %s", view.name, ", ".join(absent))
    undeclared = [k for k in source.partition_keys if k != table.partition_key]
    if undeclared:
        log.warning("%s: partition folders %s are not declared in schemas/tables.py: not in the view",
                    view.name, ", ".join(undeclared))
    partitioned = table.partition_key in source.partition_keys
    return table_view_sql(table, str(source.folder), on_disk, partitioned)


def _create_views(conn: duckdb.DuckDBPyConnection, output: Path) -> None:
    for view in VIEWS.values():
        name = quote_identifier(view.name)
        conn.execute(f"CREATE VIEW {name} AS\n{_view_sql(conn, view, output)}")
        # Comments are what BI tools show as descriptions (duckdb_views(), duckdb_columns()).
        conn.execute(f"COMMENT ON VIEW {name} IS {quote_literal(view.description)}")
        for column in view.columns:
            conn.execute(f"COMMENT ON COLUMN {name}.{quote_identifier(column.name)} "
                         f"IS {quote_literal(column.description)}")


def build_warehouse(output: Path) -> Path:
    """Write OUTPUT/warehouse.duckdb (views over OUTPUT/<table>) and return its path.

    Built in a temporary file beside it and moved over it with os.replace: a BI tool that holds
    the old file open keeps reading it, and a failed build leaves the old one in place. Run it
    where nothing else rewrites the output (the flow holds the output lock; the command takes it).
    """
    # Absolute but not resolved: a symlinked output folder keeps being followed.
    output = Path(os.path.abspath(output))
    if not output.is_dir():
        raise FileNotFoundError(f"output folder not found: {output}")
    target = output / WAREHOUSE_NAME
    # '.<name>.tmp': the pipeline's recovery deletes such leftovers of a killed build.
    tmp = output / f".{WAREHOUSE_NAME}-{secrets.token_hex(4)}.tmp"
    try:
        conn = duckdb.connect(str(tmp))
        try:
            _create_views(conn, output)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(output)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.warehouse",
        description=f"Write OUTPUT/{WAREHOUSE_NAME}: DuckDB views over the published tables for BI tools. "
                    "Rebuild after moving the output folder.",
        epilog="Exit codes: 0 written; 2 the output folder does not exist; 4 a run is writing the output.")
    parser.add_argument("--output", required=True, type=Path, help="the pipeline's output folder")
    parser.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                        help="when a run is writing the output, wait this long for it (default 0: exit 4)")
    args = parser.parse_args(argv)
    if not args.output.is_dir():
        print(f"warehouse: output folder not found: {args.output}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="warehouse: %(message)s")
    from flows.lock import OutputBusy, output_lock

    try:
        # A run's recovery deletes '.*.tmp' files and republishes the links: not while building.
        with output_lock(args.output, args.wait_lock):
            path = build_warehouse(args.output)
    except OutputBusy as busy:
        print(f"warehouse: {busy}", file=sys.stderr)
        return 4
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
