"""Incremental runs: compare the inputs with the ledger, keep the rows of unchanged inputs.

No I/O here: the flow reads the published tables and the inputs' fingerprints, this module
decides what to process, which earlier rows survive and what the new ledger says.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from flows.storage import InputFile

ON_REMOVED = ("drop", "keep")
ROW_TABLES = ("articles", "claims", "event_mentions")  # rows that belong to one input file
PER_FILE_STAGES = ("read", "decode", "extract")  # quarantine stages tied to an input's bytes; the
# discover and metadata stages are recomputed from the folder on every run


@dataclass
class Plan:
    to_process: list[InputFile] = field(default_factory=list)
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


def plan(inputs: list[InputFile], ledger: pd.DataFrame | None, full_refresh: bool = False,
         extractor_version: str | None = None) -> Plan:
    """extractor_version: rows made by other extraction code or lexicons are all made again."""
    stale_rules = (extractor_version is not None and ledger is not None
                   and ("extractor_version" not in ledger.columns
                        or (ledger["extractor_version"] != extractor_version).any()))
    if ledger is None or full_refresh or stale_rules:
        return Plan(to_process=list(inputs), new=[i.source_path for i in inputs], full=True)
    known = {row["source_path"]: row for row in ledger.to_dict("records")}
    result = Plan()
    for item in inputs:
        before = known.get(item.source_path)
        if before is None:
            result.new.append(item.source_path)
        elif (item.content_sha256 is not None and before["content_sha256"] == item.content_sha256
              and before["metadata_sha256"] == item.metadata_sha256):
            result.unchanged.append(item.source_path)
            continue
        else:
            result.changed.append(item.source_path)
        result.to_process.append(item)
    present = {i.source_path for i in inputs}
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


def ledger(inputs: list[InputFile], work: Plan, previous: pd.DataFrame | None, articles: pd.DataFrame,
           run_id: str, on_removed: str, extractor_version: str | None = None) -> pd.DataFrame:
    """One row per input: carried over when unchanged, rewritten when processed by this run."""
    before = {} if previous is None else {r["source_path"]: r for r in previous.to_dict("records")}
    unchanged = set(work.unchanged)
    article_of = dict(zip(articles["source_path"], articles["article_id"])) if not articles.empty else {}
    rows = []
    for item in inputs:
        if item.source_path in unchanged:
            rows.append({**before[item.source_path], "state": "present"})
            continue
        article_id = article_of.get(item.source_path)
        rows.append({"source_path": item.source_path, "content_sha256": item.content_sha256,
                     "metadata_sha256": item.metadata_sha256, "n_bytes": item.n_bytes,
                     "article_id": article_id, "outcome": "article" if article_id else "quarantined",
                     "state": "present", "run_id": run_id, "extractor_version": extractor_version})
    if on_removed == "keep" and not work.full:
        rows.extend({**before[path], "state": "removed"} for path in work.removed + work.gone_before)
    frame = pd.DataFrame(rows, columns=["source_path", "content_sha256", "metadata_sha256", "n_bytes",
                                        "article_id", "outcome", "state", "run_id", "extractor_version"])
    return frame.sort_values("source_path", kind="stable").reset_index(drop=True)
