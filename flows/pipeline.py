"""The Prefect flow: discover -> process batches -> merge events -> validate -> publish."""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from prefect import flow, task

from expectations.validate import ValidationOutcome, apply_flags, validate_tables
from flows import storage
from flows.batch import BatchResult, process_batch
from transforms.decode import DEFAULT_MAX_BYTES
from transforms.merge import merge_events

BATCH_SIZE = 200


@dataclass
class RunSummary:
    run_id: str
    output: Path
    counts: dict
    validation: ValidationOutcome
    published: bool

    def text(self) -> str:
        c = self.counts
        lines = [
            f"run {self.run_id}",
            f"  articles read: {c['n_articles']}   quarantined: {c['n_quarantined']}",
            f"  claims: {c['n_claims']}   event mentions: {c['n_event_mentions']}   events: {c['n_events']}",
            self.validation.summary(),
            (f"  tables written under {self.output}/" if self.published
             else f"  NOT published: the previous tables under {self.output}/ are untouched"),
        ]
        return "\n".join(lines)


def _code_version() -> str:
    try:
        return version("gaza-news-etl")
    except PackageNotFoundError:
        return "unknown"


@task(name="discover-inputs")
def discover_task(input_dir: str) -> tuple[list[storage.InputFile], list[tuple[str, str, str, str]]]:
    return storage.discover(Path(input_dir))


@task(name="process-batch")
def process_batch_task(items: list[storage.InputFile], max_bytes: int) -> BatchResult:
    return process_batch(items, max_bytes)


@task(name="validate-tables")
def validate_task(frames: dict[str, pd.DataFrame]) -> ValidationOutcome:
    return validate_tables(frames)


@task(name="publish-tables")
def publish_task(output_dir: str, frames: dict[str, pd.DataFrame], validation: ValidationOutcome) -> None:
    output = Path(output_dir)
    storage.write_tables(output, frames)
    report = {table: result for table, result in validation.results.items()}
    storage.write_text(output / "validation" / "results.json", json.dumps(report, indent=2, default=str))
    storage.write_text(output / "validation" / "summary.txt", validation.summary() + "\n")


def _frames(results: list[BatchResult], rejected: list[tuple[str, str, str, str]], run_id: str,
            started: datetime) -> dict[str, pd.DataFrame]:
    articles = pd.DataFrame([a for r in results for a in r.articles])
    if not articles.empty:
        articles = articles.assign(ingested_at=started, run_id=run_id).sort_values("source_path")
    claims = pd.DataFrame([c for r in results for c in r.claims])
    mentions = pd.DataFrame([m for r in results for m in r.event_mentions])
    events, mentions = merge_events(mentions, articles)
    quarantine = pd.DataFrame(
        [q for r in results for q in r.quarantine]
        + [{"source_path": p, "stage": s, "reason_code": c, "detail": d, "n_bytes": None} for p, s, c, d in rejected])
    if not quarantine.empty:
        quarantine = quarantine.assign(run_id=run_id).sort_values(["source_path", "stage"])
    frames = {"articles": articles, "claims": claims, "event_mentions": mentions, "events": events,
              "quarantine": quarantine}
    sort_keys = {"claims": ["source_path", "char_start", "metric"], "event_mentions": ["source_path", "char_start"]}
    for name, keys in sort_keys.items():
        if not frames[name].empty:
            frames[name] = frames[name].sort_values(keys).reset_index(drop=True)
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}


@flow(name="gaza-news-etl", log_prints=False)
def etl_flow(input_dir: str, output_dir: str, batch_size: int = BATCH_SIZE,
             max_bytes: int = DEFAULT_MAX_BYTES) -> RunSummary:
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    clock = time.perf_counter()
    inputs, rejected = discover_task(input_dir)
    batches = [inputs[i:i + batch_size] for i in range(0, len(inputs), batch_size)]
    futures = [process_batch_task.submit(batch, max_bytes) for batch in batches]
    results = [future.result() for future in futures]
    frames = _frames(results, rejected, run_id, started)
    from schemas import TABLES
    from flows.storage import to_arrow
    # Validate what will be written: the frames as cast to their schemas.
    typed = {name: to_arrow(frame, TABLES[name]).to_pandas(types_mapper=None, date_as_object=True)
             for name, frame in frames.items()}
    validation = validate_task(typed)
    for name, flags in validation.flagged.items():
        if flags:
            frames[name] = apply_flags(frames[name], flags)
    counts = {
        "n_inputs": len(inputs) + sum(1 for r in rejected if r[1] == "discover"),
        "n_articles": len(frames["articles"]), "n_quarantined": len(frames["quarantine"]),
        "n_claims": len(frames["claims"]), "n_event_mentions": len(frames["event_mentions"]),
        "n_events": len(frames["events"]),
        "n_flagged_rows": sum(len(f) for f in validation.flagged.values()),
    }
    published = validation.outcome != "blocked"
    finished = datetime.now(timezone.utc)
    frames["runs"] = pd.DataFrame([{
        "run_id": run_id, "started_at": started, "finished_at": finished,
        "duration_s": round(time.perf_counter() - clock, 3), "input_dir": str(input_dir),
        "runner": "prefect-threads", **counts, "validation_outcome": validation.outcome,
        "code_version": _code_version(),
    }])
    if published:
        previous = storage.read_runs(Path(output_dir))
        frames["runs"] = pd.concat([previous, frames["runs"]], ignore_index=True) if previous is not None else frames["runs"]
        publish_task(output_dir, frames, validation)
    return RunSummary(run_id, Path(output_dir), counts, validation, published)
