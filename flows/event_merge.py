"""The event merge run out of core: mentions stream from DuckDB in merge order through
transforms.merge, and the events and each mention's event id are staged as Parquet parts, so the
flow holds only the clusters still open, never the corpus's mentions or events."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Mapping

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from flows.assemble import READ_BATCH_ROWS, register_merged
from flows.batch import rows_to_arrow
from schemas import TABLES
from transforms.merge import MENTION_ORDER, merge_sorted_mentions

# What the merge reads of each mention: not its quote or trigger text.
MERGE_COLUMNS = ("mention_id", "article_id", "published_date", "event_type", "event_date", "event_date_end",
                 "date_precision", "tense", "location", "location_lat", "location_lon", "actors")
# A part file is written once this many events or this many mention ids are waiting: a few
# events can hold most mentions, so counting events alone would keep the whole run's mention ids.
FLUSH_EVENTS = 50_000
FLUSH_MENTIONS = 50_000


def _records(con: duckdb.DuckDBPyConnection) -> Iterator[dict]:
    """Mentions in MENTION_ORDER (nulls last, as pandas sorts), sorted one event type at a time:
    the same order as one sort of all of them, but DuckDB holds one type's mentions at a time
    (a sort of every mention of a large run took 90 MB)."""
    columns = ", ".join(f'"{c}"' for c in MERGE_COLUMNS)
    first, *rest = MENTION_ORDER
    within = ", ".join(f'"{c}" NULLS LAST' for c in rest)
    types = [row[0] for row in con.execute(
        f'SELECT DISTINCT "{first}" FROM all_event_mentions ORDER BY "{first}" NULLS LAST').fetchall()]
    for value in types:
        where = f'"{first}" IS NULL' if value is None else f'"{first}" = ?'
        relation = con.sql(f"SELECT {columns} FROM all_event_mentions WHERE {where} ORDER BY {within}",
                           params=None if value is None else [value])
        for batch in relation.to_arrow_reader(READ_BATCH_ROWS):
            for values in zip(*(batch.column(c).to_pylist() for c in MERGE_COLUMNS)):
                yield dict(zip(MERGE_COLUMNS, values))


def merge_to_parts(con: duckdb.DuckDBPyConnection, outlets: Mapping[str, str], parts: Path) -> int:
    """Merge every mention of `all_event_mentions` into events, staged under parts/events and
    parts/mention_events (mention_id -> event_id); registers their views on con. Returns the
    number of events."""
    events: list[dict] = []
    mention_ids: list[str] = []
    event_ids: list[str] = []
    n_events = n_parts = 0

    def flush() -> None:
        nonlocal n_parts
        if not events:
            return
        for name, table in (("events", rows_to_arrow(events, TABLES["events"])),
                            ("mention_events", pa.table({"mention_id": pa.array(mention_ids, pa.string()),
                                                         "event_id": pa.array(event_ids, pa.string())}))):
            (parts / name).mkdir(parents=True, exist_ok=True)
            pq.write_table(table, parts / name / f"merge-{n_parts:06d}.parquet")
        n_parts += 1
        events.clear(), mention_ids.clear(), event_ids.clear()

    for event, members in merge_sorted_mentions(_records(con), outlets):
        events.append(event)
        mention_ids.extend(members)
        event_ids.extend([event["event_id"]] * len(members))
        n_events += 1
        if len(events) >= FLUSH_EVENTS or len(mention_ids) >= FLUSH_MENTIONS:
            flush()
    flush()
    register_merged(con, parts)
    return n_events
