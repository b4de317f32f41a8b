"""The Prefect flow: lock -> recover -> discover -> process new/changed batches -> merge events -> validate -> publish."""
from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
import pyarrow as pa
from prefect import flow, get_run_logger, task

from expectations import reference
from expectations.report import summary_dict, validation_files
from expectations.flagstore import SpilledFlags
from expectations.suites import VIEW_COLUMNS, suite_path
from expectations.validate import (RunValidator, ValidationOutcome, apply_keyed_flags, cross_row_columns,
                                   cross_row_filter, cross_row_passes, cross_row_split_columns,
                                   presence_select_sql, warm_up)
from flows import assemble, incremental, snapshots, storage
from flows.event_merge import merge_to_parts
from flows.batch import ARTICLE_KEYS, StagedBatch, stage_batch
from flows.lock import output_lock
from flows.memory import release_freed_memory
from flows.progress import StageClock, progress
from flows.retry import TRANSIENT_RETRY
from flows.runners import auto_batch_size, runner_name, submission_window
from schemas import TABLES
from transforms.decode import DEFAULT_MAX_BYTES
from transforms.dedupe import split_duplicate_articles

BATCH_SIZE = None  # None: sized from the work (flows.runners.auto_batch_size)


@dataclass
class RunSummary:
    run_id: str
    output: Path
    counts: dict
    validation: ValidationOutcome
    published: bool
    stage_seconds: dict = None  # wall time of each stage: discover, extract, merge, validate, publish
    report: Path | None = None  # the HTML run report
    stage_peak_mb: dict = None  # the flow process's memory high-water mark at the end of each stage

    def text(self) -> str:
        c = self.counts
        lines = [
            f"run {self.run_id}",
            f"  inputs: {c['n_new']} new, {c['n_changed']} changed, {c['n_skipped_unchanged']} unchanged "
            f"(skipped), {c['n_removed']} removed (rows: {c['on_removed']})",
            f"  articles: {c['n_articles']}   quarantined: {c['n_quarantined']}",
            f"  claims: {c['n_claims']}   event mentions: {c['n_event_mentions']}   events: {c['n_events']}",
            self.validation.summary(),
            f"  report: {self.report}" if self.report else "",
            "  stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in (self.stage_seconds or {}).items()),
            ("  memory high-water mark after: " + ", ".join(f"{k} {v} MB" for k, v in self.stage_peak_mb.items()))
            if self.stage_peak_mb else "",
            (f"  tables written under {self.output}/" if self.published
             else f"  NOT published: the previous tables under {self.output}/ are untouched"),
        ]
        return "\n".join(line for line in lines if line)


def _code_version() -> str:
    try:
        return version("gaza-news-etl")
    except PackageNotFoundError:
        return "unknown"


@task(name="discover-inputs", **TRANSIENT_RETRY)
def discover_task(input_dir: str, inventory_path: str) -> list[tuple[str, str, str, str]]:
    """Write the inputs' inventory (storage.INVENTORY_SCHEMA) to inventory_path; return the paths
    rejected on sight. The inventory travels through a file, not as the task's result: a result
    comes back pickled, the runner's future keeps the pickle and Prefect the unpickled copy for the
    whole run (over 30 MB at 50,000 inputs), where the flow maps the file (storage.read_inventory)."""
    inputs, rejected = storage.discover(Path(input_dir))
    storage.fingerprint(inputs)
    storage.write_inventory(storage.inventory(inputs), Path(inventory_path))
    return rejected


@task(name="read-published", **TRANSIENT_RETRY)
def read_published_task(output_dir: str) -> dict[str, pd.DataFrame]:
    """Finish whatever a killed run left behind, then read the small published tables (ledger,
    runs, quarantine) to build on; the row tables are scanned from disk when needed."""
    actions = snapshots.recover(Path(output_dir))
    if actions:
        get_run_logger().warning("recovered %s from an interrupted run: %s", output_dir, "; ".join(actions))
    return storage.read_published(Path(output_dir), names=SMALL_TABLES)


@task(name="process-batch", **TRANSIENT_RETRY)
def process_batch_task(items: list[storage.InputFile], max_bytes: int, batch_no: int, parts_dir: str,
                       run_id: str, started: datetime) -> StagedBatch:
    return stage_batch(items, max_bytes, batch_no, parts_dir, run_id, started)


@task(name="validate-tables")
def validate_task(sources: assemble.Sources, frames: dict[str, pd.DataFrame], notes: list[str]) -> ValidationOutcome:
    with sources.open() as con:
        return validate_run(con, frames, notes, sources.staging / "_flags")


@task(name="publish-tables", **TRANSIENT_RETRY)
def publish_task(output_dir: str, sources: assemble.Sources, frames: dict[str, pd.DataFrame],
                 validation: ValidationOutcome, run_id: str) -> None:
    files = {f"validation/{relative}": content for relative, content in validation_files(validation).items()}
    with sources.open() as con:
        write_row_tables(con, sources.staging, validation.flagged)
    storage.publish(Path(output_dir), {name: frames[name] for name in SMALL_TABLES + ("reference_check",)
                                       if name in frames}, files, run_id, staging=sources.staging)


@task(name="report-run", **TRANSIENT_RETRY)
def report_task(output_dir: str, run_row: dict, validation: ValidationOutcome, reference_path: str | None,
                published: bool) -> Path:
    """The warehouse views (after a publish), the HTML run report and the Prefect artifacts."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from flows.run_report import collect_inputs, write_report
    from flows.warehouse import build_warehouse
    from reporting.html import render_report
    from reporting.summary import summary_markdown, summary_table

    output = Path(output_dir)
    if published:
        build_warehouse(output)
    inputs = collect_inputs(output, run_row, summary_dict(validation), reference.resolve_path(reference_path))
    path = write_report(output, str(run_row["run_id"]), render_report(inputs))
    key = "gazetl-run-" + re.sub(r"[^a-z0-9-]", "-", str(run_row["run_id"]).lower())
    create_markdown_artifact(summary_markdown(inputs), key=key, description="Run summary")
    create_table_artifact(summary_table(inputs), key=key + "-table", description="Run counts and validation")
    return path


SMALL_TABLES = ("quarantine", "runs", "ledger")
CHUNK_ROWS = {"articles": 5_000, "claims": 50_000, "event_mentions": 50_000, "events": 50_000}
CROSS_ROW_ROWS = 100_000  # rows of a slim cross-row pass held at a time (see validate_run)
# Validated from disk (in chunks when large): the row tables and the merged events.
DISK_TABLES = assemble.ROW_TABLES + ("events",)
FLAGGED_KEYS = {"claims": "claim_id", "event_mentions": "mention_id", "events": "event_id",
                "reference_check": "claim_id"}


def _as_written(frame: pd.DataFrame, name: str, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The frame as the writer will store it (cast to its schema): what validation must see.
    columns: only these (the frame holds no others)."""
    table = storage.to_arrow(frame, TABLES[name])
    return (table.select(list(columns)) if columns else table).to_pandas(types_mapper=None, date_as_object=True)


def _article_lookups(con, name: str) -> dict[str, dict]:
    """For each article column the table's suite joins (VIEW_COLUMNS): article_id -> value.
    Slim (one pair per article), so chunks get the column without a join in DuckDB, which would
    have to hold the joined table to stream it."""
    lookups = {}
    for column, (_, source) in VIEW_COLUMNS.get(name, {}).items():
        lookups[column] = dict(con.execute(f'SELECT article_id, any_value("{source}") FROM all_articles '
                                           "GROUP BY article_id").fetchall())
    return lookups


def _with_article_columns(frame: pd.DataFrame, lookups: dict[str, dict]) -> pd.DataFrame:
    for column, lookup in lookups.items():
        # Numeric even when empty: GX compares it with offsets, and an empty str column cannot.
        frame[column] = pd.to_numeric(frame["article_id"].map(lookup), errors="coerce")
    return frame


def validate_run(con, frames: dict[str, pd.DataFrame], notes: list[str], flags_dir: Path) -> ValidationOutcome:
    """Validate the small tables whole and the row tables from disk: whole when they fit in a
    chunk, else in chunks of rows plus slim passes of the cross-row rules. Chunks stream in the
    order the rows were staged (deterministic, and DuckDB need not sort the whole table first).
    The row tables' flags go to Parquet under flags_dir as each chunk is checked."""
    validator = RunValidator(notes)
    for name in DISK_TABLES:
        validator.outcome.flagged[name] = SpilledFlags(flags_dir / name)
        lookups = _article_lookups(con, name)
        order = assemble.row_order(TABLES[name])
        n_rows = con.execute(f"SELECT count(*) FROM all_{name}").fetchall()[0][0]
        key = FLAGGED_KEYS.get(name)
        # The text the suite only requires to be there stays in DuckDB (presence_select_sql).
        names = [d[0] for d in con.execute(f"SELECT * FROM all_{name} LIMIT 0").description]
        select = presence_select_sql(name, names, keep=("article_id",) + ((key,) if key else ()))
        if n_rows <= CHUNK_ROWS[name]:
            frame = assemble.fetch(con, f"SELECT {select} FROM all_{name} ORDER BY {order}")
            validator.validate(name, _with_article_columns(frame, lookups), key)
            continue
        for chunk in assemble.chunks(con, f"SELECT {select} FROM all_{name}", CHUNK_ROWS[name]):
            validator.validate(name, _with_article_columns(chunk, lookups), key, part="rows")
            del chunk
            release_freed_memory()  # else the freed chunks' pages pile up, fragmented
        del lookups
        # The cross-row rules over all rows, one slim pass per rule: the rows its row condition
        # selects, with the columns it reads. Past CROSS_ROW_ROWS rows a pass is split by a hash
        # of the columns compared rows share, so a split never separates two rows a rule compares.
        for part in cross_row_passes(name):
            where = cross_row_filter(name, part)
            columns = list(dict.fromkeys(([key] if key else []) + cross_row_columns(name, part)))
            slim = ", ".join(f'"{c}"' for c in columns)
            n_part = con.execute(f"SELECT count(*) FROM all_{name} WHERE {where}").fetchall()[0][0]
            shared = cross_row_split_columns(name, part)
            n_splits = -(-n_part // CROSS_ROW_ROWS) if shared and n_part > CROSS_ROW_ROWS else 1
            hashed = "hash(" + ", ".join(f'"{c}"' for c in shared) + ")"
            for split in range(n_splits):
                within = f" AND {hashed} % {n_splits} = {split}" if n_splits > 1 else ""
                validator.validate(name, assemble.fetch(con, f"SELECT {slim} FROM all_{name} WHERE ({where}){within} "
                                                             f"ORDER BY {order}"), key, part=part)
                release_freed_memory()
    for name, frame in frames.items():
        if suite_path(name).exists() and name not in DISK_TABLES:
            validator.outcome.flagged[name] = {}
            validator.validate(name, frame, FLAGGED_KEYS.get(name))
    return validator.finish()


def write_row_tables(con, staging: Path, flags: dict[str, SpilledFlags | dict]) -> None:
    """The row tables and events into the staging snapshot, with this run's event ids and flags.
    Both are joined one month at a time (write_table's `finish`): joined to the whole table, each
    join held a hash table of all its rows (a large run's 280,000 mention ids, 300,000 flagged
    claims), the largest thing the publish step held."""
    def flag_table(name: str) -> None:
        keyed = flags.get(name, {})
        if isinstance(keyed, SpilledFlags):  # grouped by DuckDB once, empty or not, to Parquet
            grouped = staging / "_spill" / f"flags-{name}.parquet"
            grouped.parent.mkdir(parents=True, exist_ok=True)
            path = assemble.sql_str(str(grouped))
            con.execute(f"COPY ({keyed.grouped_sql()}) TO '{path}' (FORMAT parquet)")
            con.execute(f"CREATE OR REPLACE TEMP VIEW flags_{name} AS SELECT * FROM read_parquet('{path}')")
            return
        con.register(f"flags_{name}", pa.table({
            "key": pa.array(list(keyed), pa.string()),
            "flags": pa.array([sorted(set(v)) for v in keyed.values()], pa.list_(pa.string()))}))

    def with_flags(name: str, source: str) -> str:
        picked = [("coalesce(f.flags, CAST([] AS VARCHAR[]))" if c == "flags" else f't."{c}"') + f' AS "{c}"'
                  for c in TABLES[name].column_names]
        return (f'SELECT {", ".join(picked)} FROM {source} t '
                f'LEFT JOIN flags_{name} f ON f.key = t."{FLAGGED_KEYS[name]}"')

    def mentions(rows: str) -> str:
        return with_flags("event_mentions", f"(SELECT m.* EXCLUDE (event_id), e.event_id FROM {rows} m "
                                            "LEFT JOIN event_ids e USING (mention_id))")

    for name, finish in (("articles", None),
                         ("claims", lambda rows: with_flags("claims", rows)),
                         ("event_mentions", mentions),
                         ("events", lambda rows: with_flags("events", rows))):
        if finish is not None:
            flag_table(name)  # grouped just before its table is written: one table's at a time
        assemble.write_table(con, f"SELECT * FROM all_{name}", TABLES[name], staging / name, finish)
        release_freed_memory()  # each table's batches and writers, before the next one's


@flow(name="gaza-news-etl", log_prints=False)
def etl_flow(input_dir: str, output_dir: str, batch_size: int | None = BATCH_SIZE,
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


def _run(input_dir: str, output_dir: str, batch_size: int | None, max_bytes: int, reference_path: str | None,
         on_removed: str, full_refresh: bool) -> RunSummary:
    started = datetime.now(timezone.utc)
    run_id = started.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    clock = time.perf_counter()
    stages = StageClock()
    # Great Expectations takes seconds to import: do it while the workers extract.
    threading.Thread(target=warm_up, daemon=True).start()
    # Discovery runs on a worker: listing 50,000 inputs builds an object per file and reads every
    # manifest row (over 100 MB, briefly), and the flow's heap would keep that high-water mark, in
    # fragments, for the rest of the run. The flow maps the columnar inventory it writes.
    previous = read_published_task(output_dir)  # first: its recovery clears crashed staging folders
    staging = snapshots.begin(Path(output_dir), run_id)
    try:
        inventory_path = staging / snapshots.INVENTORY
        rejected = discover_task.submit(input_dir, str(inventory_path)).result()
        inputs = storage.read_inventory(inventory_path)
        previous_dir = snapshots.published_dir(Path(output_dir))
        work = incremental.plan(inputs, previous.get("ledger"), full_refresh, storage.extractor_version())
        stages.lap("discover")
        n_todo = work.to_process.num_rows
        size = batch_size or auto_batch_size(n_todo)
        # A batch's InputFile objects exist only while it is queued or running: the runner holds
        # each submitted batch's parameters (and a pickled copy) until it has run, so at most
        # submission_window() batches are submitted ahead of the results read.
        window = submission_window()
        pending: deque = deque()
        staged: list[StagedBatch] = []
        with progress(n_todo, "articles") as advance:
            def collect_oldest() -> None:
                result = pending.popleft().result()
                staged.append(result)
                advance(min(size, n_todo - result.batch_no * size))

            for n, start in enumerate(range(0, n_todo, size)):
                items = storage.input_files(work.to_process.slice(start, size))
                pending.append(process_batch_task.submit(items, max_bytes, n, str(staging / "_parts"), run_id,
                                                         started))
                del items
                if len(pending) >= window:
                    collect_oldest()
            while pending:
                collect_oldest()
        stages.lap("extract")
        return _assemble_validate_publish(staged, rejected, work, previous, previous_dir, inputs, staging,
                                          run_id, started, clock, stages, reference_path, on_removed,
                                          output_dir, input_dir)
    finally:
        snapshots.abandon(staging)  # a no-op once the snapshot is published (renamed away)


def _assemble_validate_publish(staged, rejected, work, previous, previous_dir, inputs, staging, run_id,
                               started, clock, stages, reference_path, on_removed, output_dir, input_dir):
    sources = assemble.Sources(staging, previous_dir, tuple(incremental.kept_paths(work, on_removed)))
    article_keys, duplicates, dropped = _unique_article_keys(staged, sources, run_id)
    sources = dataclasses.replace(sources, drop_paths=dropped)
    with sources.open() as con:
        return _merge_validate_publish(con, sources, staged, rejected, duplicates, article_keys, work, previous,
                                       inputs, run_id, started, clock, stages, reference_path, on_removed,
                                       output_dir, input_dir)


def _unique_article_keys(staged: list[StagedBatch], sources: assemble.Sources, run_id: str):
    """The keys of every article the tables will hold (this run's and the kept inputs'), less
    duplicate paths; the duplicates' quarantine rows; the dropped paths. Its own function so the
    intermediate frames (a row per article each) are gone before the merge and validation."""
    key_schema = pa.schema([TABLES["articles"].arrow_schema().field(k) for k in ARTICLE_KEYS])
    new_keys = pa.concat_tables([key_schema.empty_table()] + [b.article_keys for b in staged]).to_pandas()
    kept_keys = None
    if sources.keep_paths:
        with sources.open() as con:
            kept_keys = assemble.fetch(con, "SELECT " + ", ".join(ARTICLE_KEYS) + " FROM all_articles "
                                            f"WHERE run_id IS DISTINCT FROM '{run_id}'")
    article_keys = incremental.concat(kept_keys, new_keys)
    unique, duplicates = split_duplicate_articles({"articles": article_keys})
    dropped = tuple(sorted(set(article_keys["source_path"]) - set(unique["articles"]["source_path"])))
    return unique["articles"], duplicates, dropped


def _merge_validate_publish(con, sources, staged, rejected, duplicates, article_keys, work, previous, inputs,
                            run_id, started, clock, stages, reference_path, on_removed, output_dir, input_dir):
    outlets = dict(zip(article_keys["article_id"], article_keys["outlet"]))
    n_events = merge_to_parts(con, outlets, sources.staging / "_parts")
    del outlets
    release_freed_memory()
    quarantine = pd.DataFrame(
        [q for b in staged for q in b.quarantine] + duplicates
        + [{"source_path": p, "stage": s, "reason_code": c, "detail": d, "n_bytes": None} for p, s, c, d in rejected])
    if not quarantine.empty:
        quarantine = quarantine.assign(run_id=run_id)
    quarantine = incremental.concat(incremental.kept_quarantine(previous.get("quarantine"), list(sources.keep_paths)), quarantine)
    if not quarantine.empty:
        quarantine = quarantine.sort_values(list(TABLES["quarantine"].sort_by), kind="stable").reset_index(drop=True)
    stages.lap("merge")
    # The reference check reads a few columns of the tolls it can compare: a slim slice of the claims.
    reference_claims = assemble.fetch(con, "SELECT " + ", ".join(f'"{c}"' for c in reference.CLAIM_COLUMNS)
                                      + f" FROM all_claims WHERE {reference.candidates_sql()} "
                                      "ORDER BY " + assemble.row_order(TABLES["claims"]))
    checked = reference.check(_as_written(reference_claims, "claims", reference.CLAIM_COLUMNS), reference_path)
    del reference_claims
    frames = {"quarantine": quarantine, "reference_check": checked.frame}
    typed = {name: _as_written(frame, name) for name, frame in frames.items()}
    validation = validate_task(sources, typed, [checked.note])
    stages.lap("validate")
    n_rows = {name: con.execute(f"SELECT count(*) FROM all_{name}").fetchall()[0][0] for name in assemble.ROW_TABLES}
    counts = {
        "n_inputs": inputs.num_rows + sum(1 for r in rejected if r[1] == "discover"),
        "n_articles": n_rows["articles"], "n_quarantined": len(quarantine),
        "n_claims": n_rows["claims"], "n_event_mentions": n_rows["event_mentions"], "n_events": n_events,
        "n_flagged_rows": sum(len(f) for f in validation.flagged.values()),
        **work.counts(on_removed),
    }
    frames["reference_check"] = apply_keyed_flags(frames["reference_check"],
                                                  validation.flagged.get("reference_check", {}), "claim_id")
    published = validation.outcome != "blocked"
    frames["runs"] = pd.DataFrame([{
        "run_id": run_id, "started_at": started, "finished_at": datetime.now(timezone.utc),
        "duration_s": round(time.perf_counter() - clock, 3), "input_dir": str(input_dir),
        "runner": runner_name(), **counts, "validation_outcome": validation.outcome,
        "code_version": _code_version(),
    }])
    if published:
        frames["runs"] = incremental.concat(previous.get("runs"), frames["runs"])
        frames["ledger"] = incremental.ledger(inputs, work, previous.get("ledger"), article_keys, run_id,
                                              on_removed, storage.extractor_version())
        publish_task(output_dir, sources, frames, validation, run_id)
        stages.lap("publish")
    run_row = frames["runs"].iloc[-1].to_dict()
    report = report_task(output_dir, run_row, validation, reference_path, published)
    stages.lap("report")
    return RunSummary(run_id, Path(output_dir), counts, validation, published, stages.seconds, report,
                      stages.peak_mb)
