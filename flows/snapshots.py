"""Crash-safe publishing: every run writes a new snapshot; a manifest, replaced last, commits it.

    OUTPUT/_snapshots/<id>/<table>/part-0.parquet   one complete set of tables per published run
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


def _fsync(path: Path) -> None:
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
    _fsync(path.parent)


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


def _write_snapshot(folder: Path, tables: dict[str, pa.Table], files: dict[str, str],
                    checkpoint: Checkpoint) -> None:
    folder.mkdir(parents=True)
    for name, table in tables.items():
        (folder / name).mkdir()
        part = folder / name / "part-0.parquet"
        pq.write_table(table, part, row_group_size=100_000)
        _fsync(part)
        _fsync(folder / name)
        checkpoint(f"table-written:{name}")
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        _fsync(path)
        _fsync(path.parent)
    _fsync(folder)


def _link_tables(output: Path, names: list[str]) -> None:
    for name in names:
        link, target = output / name, f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() and not link.is_symlink():
            # A table folder from before snapshots: move it aside (the collector deletes it).
            os.rename(link, output / SNAPSHOTS / f".legacy-{name}-{secrets.token_hex(3)}")
        _replace_symlink(link, target)
    _fsync(output)


def _sync_views(output: Path, manifest: dict) -> None:
    """Make `current` and the table links agree with the manifest."""
    target = f"{SNAPSHOTS}/{manifest['snapshot']}"
    current = output / CURRENT
    if not (current.is_symlink() and os.readlink(current) == target):
        _replace_symlink(current, target)
        _fsync(output)
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
            keep: int = KEEP, checkpoint: Checkpoint = _no_checkpoint) -> str:
    """Write a new snapshot, commit it with the manifest, then swap the views. Returns its id.

    checkpoint(step) is called after each durable step: crash tests kill the process there.
    """
    output.mkdir(parents=True, exist_ok=True)
    snapshot = f"{run_id}-{secrets.token_hex(2)}"  # unique per attempt, so a retried publish never collides
    root = output / SNAPSHOTS
    root.mkdir(exist_ok=True)
    staging = root / f"{STAGING}{snapshot}"
    _write_snapshot(staging, tables, files, checkpoint)
    checkpoint("staged")
    os.rename(staging, root / snapshot)
    _fsync(root)
    checkpoint("snapshot-renamed")
    previous = read_manifest(output) or {}
    folders = sorted({rel.split("/")[0] for rel in files if "/" in rel})
    manifest = {
        "snapshot": snapshot, "run_id": run_id,
        "published_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tables": {name: {"rows": table.num_rows, "path": f"{SNAPSHOTS}/{snapshot}/{name}"}
                   for name, table in tables.items()},
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
