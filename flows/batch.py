"""Process one batch of input files into rows: the unit of work of a Prefect task (no Prefect here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.retry import is_transient
from flows.storage import InputFile, read_bytes
from transforms.article import ArticleInput, process_article
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
            n_bytes = item.path.stat().st_size
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
