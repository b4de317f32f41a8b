"""The Prefect flow: lock -> recover -> discover -> process new/changed batches -> merge events -> validate -> publish."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task

from expectations import reference
from expectations.report import validation_files
from expectations.validate import ValidationOutcome, apply_flags, validate_tables
from flows import incremental, snapshots, storage
from flows.batch import BatchResult, process_batch
from flows.lock import output_lock
from flows.retry import TRANSIENT_RETRY
from schemas import TABLES
from transforms.decode import DEFAULT_MAX_BYTES
from transforms.dedupe import split_duplicate_articles
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
            f"  inputs: {c['n_new']} new, {c['n_changed']} changed, {c['n_skipped_unchanged']} unchanged "
            f"(skipped), {c['n_removed']} removed (rows: {c['on_removed']})",
            f"  articles: {c['n_articles']}   quarantined: {c['n_quarantined']}",
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


@task(name="discover-inputs", **TRANSIENT_RETRY)
def discover_task(input_dir: str) -> tuple[list[storage.InputFile], list[tuple[str, str, str, str]]]:
    inputs, rejected = storage.discover(Path(input_dir))
    storage.fingerprint(inputs)
    return inputs, rejected


@task(name="read-published", **TRANSIENT_RETRY)
def read_published_task(output_dir: str) -> dict[str, pd.DataFrame]:
    """Finish whatever a killed run left behind, then read the published tables to build on."""
    actions = snapshots.recover(Path(output_dir))
    if actions:
        get_run_logger().warning("recovered %s from an interrupted run: %s", output_dir, "; ".join(actions))
    return storage.read_published(Path(output_dir))


@task(name="process-batch", **TRANSIENT_RETRY)
def process_batch_task(items: list[storage.InputFile], max_bytes: int) -> BatchResult:
    return process_batch(items, max_bytes)


@task(name="validate-tables")
def validate_task(frames: dict[str, pd.DataFrame], notes: list[str]) -> ValidationOutcome:
    return validate_tables(frames, notes)


@task(name="publish-tables", **TRANSIENT_RETRY)
def publish_task(output_dir: str, frames: dict[str, pd.DataFrame], validation: ValidationOutcome,
                 run_id: str) -> None:
    files = {f"validation/{relative}": content for relative, content in validation_files(validation).items()}
    storage.publish(Path(output_dir), frames, files, run_id)


def _as_written(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The frame as the writer will store it (cast to its schema): what validation must see."""
    return storage.to_arrow(frame, TABLES[name]).to_pandas(types_mapper=None, date_as_object=True)


def _frames(results: list[BatchResult], rejected: list[tuple[str, str, str, str]], run_id: str,
            started: datetime, kept: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """This run's rows plus the kept rows of unchanged inputs; events are merged over all mentions."""
    kept = kept or {}
    articles = pd.DataFrame([a for r in results for a in r.articles])
    if not articles.empty:
        articles = articles.assign(ingested_at=started, run_id=run_id)
    articles = incremental.concat(kept.get("articles"), articles)
    claims = incremental.concat(kept.get("claims"), pd.DataFrame([c for r in results for c in r.claims]))
    mentions = incremental.concat(kept.get("event_mentions"),
                                  pd.DataFrame([m for r in results for m in r.event_mentions]))
    unique, duplicates = split_duplicate_articles({"articles": articles, "claims": claims, "event_mentions": mentions})
    articles, claims, mentions = unique["articles"], unique["claims"], unique["event_mentions"]
    events, mentions = merge_events(mentions, articles)
    quarantine = pd.DataFrame(
        [q for r in results for q in r.quarantine] + duplicates
        + [{"source_path": p, "stage": s, "reason_code": c, "detail": d, "n_bytes": None} for p, s, c, d in rejected])
    if not quarantine.empty:
        quarantine = quarantine.assign(run_id=run_id)
    quarantine = incremental.concat(kept.get("quarantine"), quarantine)
    frames = {"articles": articles, "claims": claims, "event_mentions": mentions, "events": events,
              "quarantine": quarantine}
    # Total orders (ending in the key), so that kept-plus-new rows line up exactly as a full run's.
    sort_keys = {"articles": ["source_path"], "claims": ["source_path", "char_start", "metric", "claim_id"],
                 "event_mentions": ["source_path", "char_start", "mention_id"],
                 "quarantine": ["source_path", "stage", "reason_code"]}
    for name, keys in sort_keys.items():
        if not frames[name].empty:
            frames[name] = frames[name].sort_values(keys, kind="stable").reset_index(drop=True)
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}


@flow(name="gaza-news-etl", log_prints=False)
def etl_flow(input_dir: str, output_dir: str, batch_size: int = BATCH_SIZE,
             max_bytes: int = DEFAULT_MAX_BYTES, reference_path: str | None = None,
             on_removed: str = "drop", full_refresh: bool = False, lock_wait_s: float = 0.0) -> RunSummary:
    """reference_path: the ministry's daily series for the cross-check (None: $GAZETL_REFERENCE or
    the default beside the project; "": off; a missing file is noted, not an error).
    on_removed: the rows of inputs gone from the folder are dropped, or kept; full_refresh: ignore
    the ledger and reprocess every input. The run holds OUTPUT/.lock throughout: a second run on
    the same output raises OutputBusy once lock_wait_s has passed."""
    if on_removed not in incremental.ON_REMOVED:
        raise ValueError(f"on_removed must be one of {incremental.ON_REMOVED}, not {on_removed!r}")
    with output_lock(Path(output_dir), lock_wait_s):
        return _run(input_dir, output_dir, batch_size, max_bytes, reference_path, on_removed, full_refresh)


def _run(input_dir: str, output_dir: str, batch_size: int, max_bytes: int, reference_path: str | None,
         on_removed: str, full_refresh: bool) -> RunSummary:
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    clock = time.perf_counter()
    inputs, rejected = discover_task(input_dir)
    previous = read_published_task(output_dir)
    work = incremental.plan(inputs, previous.get("ledger"), full_refresh, storage.extractor_version())
    batches = [work.to_process[i:i + batch_size] for i in range(0, len(work.to_process), batch_size)]
    futures = [process_batch_task.submit(batch, max_bytes) for batch in batches]
    results = [future.result() for future in futures]
    frames = _frames(results, rejected, run_id, started, incremental.kept_rows(previous, work, on_removed))
    typed = {name: _as_written(frame, name) for name, frame in frames.items()}
    # Cross-row rules and the reference check need the whole tables, not one batch.
    checked = reference.check(typed["claims"], reference_path)
    frames["reference_check"] = checked.frame
    typed["reference_check"] = _as_written(checked.frame, "reference_check")
    validation = validate_task(typed, [checked.note])
    for name, flags in validation.flagged.items():
        if flags:
            frames[name] = apply_flags(frames[name], flags)
    counts = {
        "n_inputs": len(inputs) + sum(1 for r in rejected if r[1] == "discover"),
        "n_articles": len(frames["articles"]), "n_quarantined": len(frames["quarantine"]),
        "n_claims": len(frames["claims"]), "n_event_mentions": len(frames["event_mentions"]),
        "n_events": len(frames["events"]),
        "n_flagged_rows": sum(len(f) for f in validation.flagged.values()),
        **work.counts(on_removed),
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
        frames["runs"] = incremental.concat(previous.get("runs"), frames["runs"])
        frames["ledger"] = incremental.ledger(inputs, work, previous.get("ledger"), frames["articles"], run_id,
                                              on_removed, storage.extractor_version())
        publish_task(output_dir, frames, validation, run_id)
    return RunSummary(run_id, Path(output_dir), counts, validation, published)
