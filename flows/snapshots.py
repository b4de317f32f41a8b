"""Crash-safe publishing: every run writes a new snapshot; a manifest, replaced last, commits it.

    OUTPUT/_snapshots/<id>/<table>/part-0.parquet   one complete set of tables per published run
    OUTPUT/_snapshots/<id>/claims/published_month=2024-01/part-0.parquet   (row tables: by month)
    OUTPUT/_manifest.json                           the commit record: which snapshot is published
    OUTPUT/current -> _snapshots/<id>               follows the manifest (one atomic symlink swap)
    OUTPUT/<table> -> current/<table>               fixed links: readers keep using OUTPUT/<table>/

Nothing a reader can reach is ever modified in place. A run killed before the manifest is
replaced leaves the previous snapshot published; killed after it, the new one is published and
`recover` (run at the start of every run, under the lock) finishes pointing `current` at it.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

SNAPSHOTS = "_snapshots"
MANIFEST = "_manifest.json"
CURRENT = "current"
STAGING = ".staging-"
KEEP = 2  # the published snapshot and the one before it, for readers that resolved a path just before a swap

Checkpoint = Callable[[str], None]


def _no_checkpoint(step: str) -> None:
    pass


def fsync(path: Path) -> None:
    """Flush a file's or a folder's entry to disk (a folder: so a rename in it survives a crash)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_durably(path: Path, data: bytes, checkpoint: Checkpoint) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    checkpoint(f"{path.name}:tmp-written")
    os.replace(tmp, path)
    fsync(path.parent)


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def read_manifest(output: Path) -> dict | None:
    try:
        return json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def published_dir(output: Path) -> Path | None:
    """The folder of the published snapshot, per the manifest; None before the first publish."""
    manifest = read_manifest(output)
    return output / SNAPSHOTS / manifest["snapshot"] if manifest else None


def begin(output: Path, run_id: str) -> Path:
    """A new staging folder for this run's snapshot: the row tables are written into it as they
    are assembled, the rest at publish. Until the manifest names it, no reader sees it."""
    root = output / SNAPSHOTS
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f"{STAGING}{run_id}-{secrets.token_hex(2)}"
    staging.mkdir()
    return staging


def abandon(staging: Path) -> None:
    """Delete a staging folder that will not be published (blocked or failed run); a no-op once
    it was published (renamed)."""
    if staging.is_dir():
        shutil.rmtree(staging, ignore_errors=True)


WORK_FOLDERS = ("_inputs", "_parts", "_spill", "_flags")  # a run's scratch inside its staging folder, never published
INVENTORY = "_inputs/inventory.arrow"  # the run's discovered inputs (storage.write_inventory)


def _table_rows(folder: Path) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in sorted(folder.rglob("*.parquet")))


def _write_snapshot(folder: Path, tables: dict[str, pa.Table], files: dict[str, str],
                    checkpoint: Checkpoint) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for scratch in WORK_FOLDERS:
        shutil.rmtree(folder / scratch, ignore_errors=True)
    for name, table in tables.items():
        (folder / name).mkdir(exist_ok=True)
        part = folder / name / "part-0.parquet"
        pq.write_table(table, part, row_group_size=100_000)
        fsync(part)
        fsync(folder / name)
        checkpoint(f"table-written:{name}")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        fsync(path)
        fsync(path.parent)
    fsync(folder)


def _link_tables(output: Path, names: list[str]) -> None:
    for name in names:
        link, target = output / name, f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() and not link.is_symlink():
            # A table folder from before snapshots: move it aside (the collector deletes it).
            os.rename(link, output / SNAPSHOTS / f".legacy-{name}-{secrets.token_hex(3)}")
        _replace_symlink(link, target)
    fsync(output)


def _sync_views(output: Path, manifest: dict) -> None:
    """Make `current` and the table links agree with the manifest."""
    target = f"{SNAPSHOTS}/{manifest['snapshot']}"
    current = output / CURRENT
    if not (current.is_symlink() and os.readlink(current) == target):
        _replace_symlink(current, target)
        fsync(output)
    _link_tables(output, list(manifest["tables"]) + list(manifest.get("folders", [])))


def collect_garbage(output: Path, keep: int = KEEP) -> list[str]:
    """Delete snapshots no longer published, crashed stagings and leftover temporary links."""
    manifest = read_manifest(output)
    kept = set(manifest.get("history", [])[-keep:]) | {manifest["snapshot"]} if manifest else set()
    removed = []
    root = output / SNAPSHOTS
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name not in kept:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry.name)
    for entry in output.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp") or entry.name.startswith(STAGING):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            removed.append(entry.name)
    return removed


def recover(output: Path, keep: int = KEEP) -> list[str]:
    """Finish or roll back whatever a killed run left: the manifest decides. Call under the lock."""
    if not output.is_dir():
        return []
    manifest = read_manifest(output)
    actions = []
    if manifest:
        before = os.readlink(output / CURRENT) if (output / CURRENT).is_symlink() else None
        _sync_views(output, manifest)
        if before != f"{SNAPSHOTS}/{manifest['snapshot']}":
            actions.append(f"pointed {CURRENT} at {manifest['snapshot']}")
    removed = collect_garbage(output, keep)
    if removed:
        actions.append(f"removed {', '.join(removed)}")
    return actions


def publish(output: Path, tables: dict[str, pa.Table], files: dict[str, str], run_id: str,
            keep: int = KEEP, checkpoint: Checkpoint = _no_checkpoint, staging: Path | None = None) -> str:
    """Write a new snapshot, commit it with the manifest, then swap the views. Returns its id.

    staging: a folder from begin() that already holds some tables (the assembled row tables);
    the given tables are added to it. checkpoint(step) is called after each durable step: crash
    tests kill the process there.
    """
    output.mkdir(parents=True, exist_ok=True)
    root = output / SNAPSHOTS
    root.mkdir(exist_ok=True)
    if staging is None:
        staging = begin(output, run_id)
    snapshot = staging.name[len(STAGING):]  # unique per attempt, so a retried publish never collides
    _write_snapshot(staging, tables, files, checkpoint)
    written = {entry.name: _table_rows(entry) for entry in sorted(staging.iterdir())
               if entry.is_dir() and entry.name not in ("validation",) + WORK_FOLDERS
               and (entry.name in tables or any(entry.rglob("*.parquet")))}
    checkpoint("staged")
    os.rename(staging, root / snapshot)
    fsync(root)
    checkpoint("snapshot-renamed")
    previous = read_manifest(output) or {}
    folders = sorted({rel.split("/")[0] for rel in files if "/" in rel})
    manifest = {
        "snapshot": snapshot, "run_id": run_id,
        "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tables": {name: {"rows": rows, "path": f"{SNAPSHOTS}/{snapshot}/{name}"}
                   for name, rows in written.items()},
        "folders": folders,
        "history": (previous.get("history", []) + [snapshot])[-keep:],
    }
    _replace_durably(output / MANIFEST, json.dumps(manifest, indent=2).encode(), checkpoint)
    checkpoint("manifest-committed")
    _sync_views(output, manifest)
    checkpoint("views-swapped")
    collect_garbage(output, keep)
    checkpoint("collected")
    return snapshot
