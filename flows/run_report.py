"""The run report's I/O: gather its inputs from the published tables, write the page.

Tables are read from the run's own snapshot folder (resolved once through the manifest, so all
of them come from one snapshot even while another run publishes), with only the columns the
report needs: never the article text. Both table layouts are read alike: flat
(`claims/part-0.parquet`) and hive-partitioned (`claims/published_month=2024-01/part-0.parquet`).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from expectations import reference as reference_series
from expectations.suites import RULES
from flows import snapshots
from reporting.inputs import (DEATH_TOLL_COLUMNS, EVENT_COLUMNS, QUARANTINE_COLUMNS, REFERENCE_COLUMNS,
                              ReportInputs, empty_frame)
from schemas import TABLES

REPORTS = "reports"
LATEST = "latest.html"
CLAIM_COLUMNS = ("metric", "scope", "as_of", "subgroup", "cause", "source_norm", "population", "value",
                 "article_id")


def _read_table(folder: Path, name: str, columns: tuple[str, ...], notes: list[str],
                where: pc.Expression | None = None) -> pd.DataFrame:
    """Some columns of one published table, flat or hive-partitioned; empty (with a note) when
    the table folder is missing, as in outputs written before the table existed."""
    path = folder / name
    if not path.is_dir():
        notes.append(f"table {name} not found under {folder}: shown as empty")
        return empty_frame(columns)
    full = TABLES[name].arrow_schema()
    # The schema is given, not inferred from the first file: files without a column (older
    # outputs) then read it as nulls, and a partition column the report does not use is ignored.
    schema = pa.schema([full.field(column) for column in columns])
    dataset = ds.dataset(path, format="parquet", partitioning="hive", schema=schema)
    return dataset.to_table(columns=list(columns), filter=where).to_pandas()


def death_toll_series(claims: pd.DataFrame) -> pd.DataFrame:
    """The death-toll chart's data from claims rows: metric 'killed', scope 'cumulative', as_of
    set, no subgroup and no cause (the whole population's toll: a day with only a children's
    figure must not show as a drop); per (source_norm, population, as_of) the highest value, the
    number of claims and of distinct articles behind it; ordered as the view orders its rows.

    The warehouse view `death_toll_series` (schemas/views.py) is the canonical definition of this
    series; this must give the same rows until the report reads the view instead."""
    chosen = claims[(claims["metric"] == "killed") & (claims["scope"] == "cumulative") & claims["as_of"].notna()
                    & claims["subgroup"].isna() & claims["cause"].isna()]
    if chosen.empty:
        return empty_frame(DEATH_TOLL_COLUMNS)
    grouped = chosen.groupby(["source_norm", "population", "as_of"], dropna=False, sort=False)
    series = grouped.agg(value=("value", "max"), n_claims=("value", "size"),
                         n_articles=("article_id", "nunique")).reset_index()
    series = series.sort_values(["source_norm", "population", "as_of"], na_position="first", kind="stable")
    series = series.astype({"value": "int64", "n_claims": "int64", "n_articles": "int64"})
    return series[list(DEATH_TOLL_COLUMNS)].reset_index(drop=True)


def read_reference(path: Path | None, notes: list[str]) -> pd.DataFrame | None:
    """The ministry's daily cumulative killed (REFERENCE_COLUMNS): the bulletin's figure, else the
    maintainers' filled-in one, with the columns the reference cross-check uses (rules.json).
    None, with a note, when there is no usable file."""
    if path is None:
        notes.append("reference series: off (no path given), not drawn")
        return None
    if not path.is_file():
        notes.append(f"reference series: {path} not found, not drawn")
        return None
    rules = RULES["reference"]
    reported_column, extended_column = rules["columns"]["killed"], rules["extended_columns"].get("killed")
    try:
        table = reference_series.load(path)
        reported = pd.to_numeric(table[reported_column], errors="coerce")
    except (OSError, ValueError, KeyError) as exc:
        notes.append(f"reference series: {path} unreadable ({exc}), not drawn")
        return None
    extended = (pd.to_numeric(table[extended_column], errors="coerce") if extended_column in table.columns
                else pd.Series(np.nan, index=table.index))
    frame = pd.DataFrame({"date": list(table.index), "value": reported.fillna(extended).to_numpy(),
                          "basis": np.where(reported.notna(), "reported", "extended")})
    frame = frame[frame["value"].notna()].astype({"value": "int64"})
    return frame[list(REFERENCE_COLUMNS)].sort_values("date").reset_index(drop=True)


def _run_snapshot(output: Path, run_id: str, notes: list[str]) -> tuple[Path | None, str | None]:
    """The folder holding this run's tables and the link from OUTPUT/reports/ to its Data Docs.

    The link names the run's snapshot rather than OUTPUT/validation, which follows whatever was
    published last: an older report must not show a later run's results as its own."""
    manifest = snapshots.read_manifest(output)
    if manifest is None:
        # An output from before snapshots: real table folders directly under OUTPUT.
        docs = output / "validation" / "index.html"
        return output, ("../validation/index.html" if docs.is_file() else None)
    names = [manifest["snapshot"]] if manifest.get("run_id") == run_id else []
    names += [name for name in reversed(manifest.get("history", [])) if name.startswith(f"{run_id}-")]
    for name in names:
        folder = output / snapshots.SNAPSHOTS / name
        if folder.is_dir():
            docs = folder / "validation" / "index.html"
            return folder, (f"../{snapshots.SNAPSHOTS}/{name}/validation/index.html" if docs.is_file() else None)
    notes.append(f"the snapshot of run {run_id} is no longer on disk: its tables are not shown")
    return None, None


def collect_inputs(output: Path, run_row: dict, validation_summary: dict,
                   reference_path: Path | None) -> ReportInputs:
    """Everything the report shows about one run. run_row: the run's row of the runs table;
    validation_summary: what expectations.report writes as validation/summary.json;
    reference_path: the ministry's daily CSV the run used (None: not drawn).

    A blocked run published nothing, so the tables under OUTPUT are the previous run's: they are
    not read, and the report shows the run's counts and validation failures only."""
    output = Path(output)
    notes: list[str] = []
    blocked = (validation_summary.get("outcome") or run_row.get("validation_outcome")) == "blocked"
    empty = dict(quarantine=empty_frame(QUARANTINE_COLUMNS), death_toll_series=empty_frame(DEATH_TOLL_COLUMNS),
                 events=empty_frame(EVENT_COLUMNS))
    if blocked:
        notes.append("this run was blocked and published nothing; the tables under the output folder are "
                     "still the previous run's, so no quarantine rows or charts are shown for it")
        return ReportInputs(run_row, validation_summary, **empty, notes=notes)
    folder, docs_href = _run_snapshot(output, str(run_row["run_id"]), notes)
    if folder is None:
        return ReportInputs(run_row, validation_summary, **empty, notes=notes)
    # death_toll_series's filter, pushed down to the scan: most claims are not whole-population tolls.
    whole_tolls = ((pc.field("metric") == "killed") & (pc.field("scope") == "cumulative")
                   & pc.field("as_of").is_valid() & pc.field("subgroup").is_null() & pc.field("cause").is_null())
    claims = _read_table(folder, "claims", CLAIM_COLUMNS, notes, whole_tolls)
    return ReportInputs(
        run=run_row, validation=validation_summary,
        quarantine=_read_table(folder, "quarantine", QUARANTINE_COLUMNS, notes),
        death_toll_series=death_toll_series(claims),
        events=_read_table(folder, "events", EVENT_COLUMNS, notes),
        reference=read_reference(Path(reference_path) if reference_path else None, notes),
        data_docs_href=docs_href, notes=notes,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old page or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_report(output: Path, run_id: str, html: str) -> Path:
    """Write OUTPUT/reports/<run_id>.html and OUTPUT/reports/latest.html; returns the first."""
    if not run_id or Path(run_id).name != run_id or run_id.startswith("."):
        raise ValueError(f"run_id {run_id!r} cannot name a report file")
    folder = Path(output) / REPORTS
    folder.mkdir(parents=True, exist_ok=True)
    data = html.encode("utf-8")
    path = folder / f"{run_id}.html"
    _write_atomically(path, data)
    _write_atomically(folder / LATEST, data)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # the renames themselves survive a crash
    finally:
        os.close(fd)
    return path
