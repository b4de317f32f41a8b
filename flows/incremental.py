"""Incremental runs: compare the inputs with the ledger, keep the rows of unchanged inputs.

No I/O here: the flow reads the published tables and the inputs' fingerprints, this module
decides what to process, which earlier rows survive and what the new ledger says.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from flows.storage import INVENTORY_SCHEMA

ON_REMOVED = ("drop", "keep")
ROW_TABLES = ("articles", "claims", "event_mentions")  # rows that belong to one input file
PER_FILE_STAGES = ("read", "decode", "extract")  # quarantine stages tied to an input's bytes; the
# discover and metadata stages are recomputed from the folder on every run


@dataclass
class Plan:
    to_process: pa.Table = field(default_factory=INVENTORY_SCHEMA.empty_table)  # inventory rows to extract
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # present in the last run, gone now
    gone_before: list[str] = field(default_factory=list)  # already gone, rows kept by on_removed=keep
    full: bool = False  # no usable ledger (first run, output from before ledgers, or asked for)

    def counts(self, on_removed: str) -> dict:
        return {"n_new": len(self.new), "n_changed": len(self.changed),
                "n_skipped_unchanged": len(self.unchanged), "n_removed": len(self.removed),
                "on_removed": on_removed}


def plan(inputs: pa.Table, ledger: pd.DataFrame | None, full_refresh: bool = False,
         extractor_version: str | None = None) -> Plan:
    """inputs: the inventory (storage.inventory). extractor_version: rows made by other extraction
    code or lexicons are all made again."""
    paths = inputs.column("source_path").to_pylist()
    stale_rules = (extractor_version is not None and ledger is not None
                   and ("extractor_version" not in ledger.columns
                        or (ledger["extractor_version"] != extractor_version).any()))
    if ledger is None or full_refresh or stale_rules:
        return Plan(to_process=inputs, new=paths, full=True)
    known = {row["source_path"]: row for row in ledger.to_dict("records")}
    result = Plan()
    selected = []
    hashes = zip(inputs.column("content_sha256").to_pylist(), inputs.column("metadata_sha256").to_pylist())
    for position, (path, (content, metadata)) in enumerate(zip(paths, hashes)):
        before = known.get(path)
        if before is None:
            result.new.append(path)
        elif content is not None and before["content_sha256"] == content and before["metadata_sha256"] == metadata:
            result.unchanged.append(path)
            continue
        else:
            result.changed.append(path)
        selected.append(position)
    result.to_process = inputs.take(pa.array(selected, pa.int64()))
    present = set(paths)
    for path, row in known.items():
        if path not in present:
            (result.removed if row["state"] == "present" else result.gone_before).append(path)
    return result


def kept_paths(work: Plan, on_removed: str) -> list[str]:
    """Inputs whose earlier rows stay: the unchanged ones, and the removed ones under on_removed=keep.

    Their flags and event ids are not kept: validation and the event merge run again over the
    whole tables, so kept rows end up exactly as a full run would leave them."""
    if work.full:
        return []
    keep = set(work.unchanged) | (set(work.removed) | set(work.gone_before) if on_removed == "keep" else set())
    return sorted(keep)


def kept_quarantine(previous: pd.DataFrame | None, kept: list[str]) -> pd.DataFrame | None:
    """Earlier quarantine rows tied to the bytes of a kept input (discover and metadata problems
    are found again from the folder on every run)."""
    if previous is None or not kept:
        return None
    return previous[previous["source_path"].isin(set(kept))
                    & previous["stage"].isin(PER_FILE_STAGES)].reset_index(drop=True)


def concat(kept: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    if kept is None or kept.empty:
        return new
    if new.empty:
        return kept.copy()
    return pd.concat([kept.astype(object), new.astype(object)], ignore_index=True)


LEDGER_COLUMNS = ["source_path", "content_sha256", "metadata_sha256", "n_bytes", "article_id", "outcome", "state",
                  "run_id", "extractor_version"]


def ledger(inputs: pa.Table, work: Plan, previous: pd.DataFrame | None, articles: pd.DataFrame,
           run_id: str, on_removed: str, extractor_version: str | None = None) -> pd.DataFrame:
    """One row per input of the inventory: carried over when unchanged, rewritten when processed
    by this run. Columnar: at 50,000 inputs a dict per row cost tens of MB at the publish step."""
    unchanged = set(work.unchanged)
    fresh = inputs.select(["source_path", "content_sha256", "metadata_sha256", "n_bytes"]) \
        .to_pandas(types_mapper=None, integer_object_nulls=True)
    fresh = fresh[~fresh["source_path"].isin(unchanged)]
    article_of = dict(zip(articles["source_path"], articles["article_id"])) if not articles.empty else {}
    article_id = fresh["source_path"].map(article_of).astype(object)
    article_id = article_id.where(article_id.notna(), None)
    fresh = fresh.assign(article_id=article_id, outcome=article_id.notna().map({True: "article", False: "quarantined"}),
                         state="present", run_id=run_id, extractor_version=extractor_version)
    parts = [fresh]
    if previous is not None and unchanged:
        parts.append(previous[previous["source_path"].isin(unchanged)].assign(state="present"))
    if previous is not None and on_removed == "keep" and not work.full:
        parts.append(previous[previous["source_path"].isin(set(work.removed + work.gone_before))].assign(state="removed"))
    frame = pd.concat([p.reindex(columns=LEDGER_COLUMNS).astype(object) for p in parts], ignore_index=True)
    return frame.sort_values("source_path", kind="stable").reset_index(drop=True)
