"""Process one batch of input files into rows: the unit of work of a Prefect task (no Prefect here)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.retry import is_transient
from flows.storage import InputFile, read_bytes
from transforms.article import ArticleInput, process_article
from schemas import TABLES, Table
from transforms.decode import DEFAULT_MAX_BYTES, Rejected, decode_article


@dataclass
class BatchResult:
    articles: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    event_mentions: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)


def process_batch(items: list[InputFile], max_bytes: int = DEFAULT_MAX_BYTES) -> BatchResult:
    result = BatchResult()
    for item in items:
        n_bytes = None
        try:
            data = read_bytes(item.path, max_bytes)
            n_bytes = os.stat(item.path).st_size
            decoded = decode_article(data, Path(item.source_path).suffix, max_bytes)
        except Rejected as rejected:
            result.quarantine.append({"source_path": item.source_path, "stage": "decode",
                                      "reason_code": rejected.reason_code, "detail": rejected.detail,
                                      "n_bytes": n_bytes})
            continue
        except OSError as exc:
            if is_transient(exc):
                raise  # the task's retry policy gets another attempt; a quarantine would hide it
            result.quarantine.append({"source_path": item.source_path, "stage": "read",
                                      "reason_code": "unreadable", "detail": str(exc), "n_bytes": n_bytes})
            continue
        metadata = {**decoded.html_metadata, **item.metadata}
        try:
            rows = process_article(ArticleInput(item.source_path, decoded.text, decoded.encoding,
                                                decoded.content_type, metadata))
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the run
            result.quarantine.append({"source_path": item.source_path, "stage": "extract",
                                      "reason_code": "extract_error",
                                      "detail": f"{type(exc).__name__}: {exc}", "n_bytes": n_bytes})
            continue
        result.articles.append(rows.article)
        result.claims.extend(rows.claims)
        result.event_mentions.extend(rows.event_mentions)
    return result


# What the flow process keeps of a staged batch: only what it needs of every article (the
# duplicate check, the event merge's outlets, the ledger). Article text and quotes stay on disk.
ARTICLE_KEYS = ("article_id", "source_path", "outlet")
STAGED_TABLES = ("articles", "claims", "event_mentions")


@dataclass
class StagedBatch:
    batch_no: int
    n_articles: int
    quarantine: list[dict]
    article_keys: pa.Table  # ARTICLE_KEYS of each article (columnar: the flow keeps every batch's)
    n_claims: int
    n_event_mentions: int
    seconds: float


def rows_to_arrow(rows: list[dict], table: Table) -> pa.Table:
    """Rows (dicts from the extractors) cast to the table's schema; missing keys become nulls."""
    schema = table.arrow_schema()
    if not rows:
        return schema.empty_table()
    columns = {}
    for fld in schema:
        values = [row.get(fld.name) for row in rows]
        if pa.types.is_list(fld.type):
            values = [list(v) if v is not None else [] for v in values]
        columns[fld.name] = pa.array(values, type=fld.type)
    return pa.Table.from_pydict(columns, schema=schema)


def stage_batch(items: list[InputFile], max_bytes: int, batch_no: int, parts_dir: str, run_id: str,
                started) -> StagedBatch:
    """Process one batch and write its rows under parts_dir/<table>/batch-<n>.parquet: the rows
    travel to the publish step through disk, so the flow's memory does not grow with the corpus."""
    clock = time.perf_counter()
    result = process_batch(items, max_bytes)
    for row in result.articles:
        row["ingested_at"], row["run_id"] = started, run_id
    tables = {"articles": rows_to_arrow(result.articles, TABLES["articles"]),
              "claims": rows_to_arrow(result.claims, TABLES["claims"]),
              "event_mentions": rows_to_arrow(result.event_mentions, TABLES["event_mentions"])}
    for name, table in tables.items():
        folder = Path(parts_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"batch-{batch_no:06d}.parquet")
    return StagedBatch(batch_no, len(result.articles), result.quarantine,
                       tables["articles"].select(list(ARTICLE_KEYS)),
                       len(result.claims), len(result.event_mentions), time.perf_counter() - clock)
