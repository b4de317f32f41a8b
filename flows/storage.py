"""The storage seam: discover and read inputs, read metadata, write tables atomically."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import TABLES, Table

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md")
MANIFEST_NAMES = ("manifest.csv", "manifest.jsonl")
METADATA_KEYS = ("published_at", "url", "outlet", "title")


@dataclass
class InputFile:
    source_path: str  # relative to the input folder, with forward slashes
    path: Path
    metadata: dict = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (stage, reason, detail)


def _clean_metadata(raw: dict) -> tuple[dict, str | None]:
    if not isinstance(raw, dict):
        return {}, "metadata is not a JSON object"
    meta = {k: raw[k] for k in METADATA_KEYS if raw.get(k) not in (None, "")}
    bad = [k for k, v in meta.items() if not isinstance(v, str)]
    if bad:
        return {k: v for k, v in meta.items() if k not in bad}, f"fields {bad} are not strings"
    return meta, None


def _read_manifests(root: Path) -> tuple[dict[str, dict], list[tuple[str, str, str, str]]]:
    """Manifest rows by the article's relative path; problems as (path, stage, reason, detail)."""
    found: dict[str, dict] = {}
    problems = []
    for manifest in sorted(root.rglob("manifest.*")):
        if manifest.name not in MANIFEST_NAMES:
            continue
        rel_dir = manifest.parent.relative_to(root)
        try:
            text = manifest.read_text(encoding="utf-8")
            rows = (list(csv.DictReader(io.StringIO(text))) if manifest.suffix == ".csv"
                    else [json.loads(line) for line in text.splitlines() if line.strip()])
        except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
            problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata", str(exc)))
            continue
        for row in rows:
            name = (row.get("file") or row.get("path") or row.get("source_path") or "") if isinstance(row, dict) else ""
            if not name:
                problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata",
                                 f"a row has no file column: {str(row)[:120]}"))
                continue
            meta, err = _clean_metadata(row)
            if err:
                problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata", err))
            found[(rel_dir / name).as_posix()] = meta
    return found, problems


def discover(root: Path) -> tuple[list[InputFile], list[tuple[str, str, str, str]]]:
    """Article files under root (recursively, sorted), with their metadata; plus rejected paths."""
    root = root.resolve()
    manifests, problems = _read_manifests(root)
    inputs: list[InputFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if name.startswith(".") or name in MANIFEST_NAMES or name.endswith(".meta.json"):
                continue
            if not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems.append((rel, "discover", "unsafe_path", "symlink points outside the input folder"))
                continue
            item = InputFile(rel, path, dict(manifests.get(rel, {})))
            sidecar = path.with_name(path.stem + ".meta.json")
            if sidecar.exists():
                try:
                    meta, err = _clean_metadata(json.loads(sidecar.read_text(encoding="utf-8")))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    meta, err = {}, f"sidecar is not valid JSON: {exc}"
                if err:
                    problems.append((sidecar.relative_to(root).as_posix(), "metadata", "malformed_metadata", err))
                item.metadata.update(meta)
            inputs.append(item)
    return inputs, problems


def read_bytes(path: Path, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to tell an oversized file without reading all of it."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def to_arrow(frame: pd.DataFrame, table: Table) -> pa.Table:
    """Cast a frame to the table's schema: fixed column order and types, missing columns as nulls."""
    schema = table.arrow_schema()
    columns = {}
    for fld in schema:
        values = frame[fld.name].tolist() if fld.name in frame.columns else [None] * len(frame)
        if pa.types.is_list(fld.type):
            values = [list(v) if v is not None else [] for v in values]
        values = [None if (v is not None and not isinstance(v, (list, str)) and pd.isna(v)) else v for v in values]
        columns[fld.name] = pa.array(values, type=fld.type)
    return pa.Table.from_pydict(columns, schema=schema)


def write_tables(output: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Write every table into a staging folder, then swap each into place with a rename.

    A crash before the swap leaves the previous tables untouched; each table folder is replaced
    by a single rename, so a reader never sees half a table.
    """
    output.mkdir(parents=True, exist_ok=True)
    staging = output / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name, frame in frames.items():
            table = TABLES[name]
            target = staging / name
            target.mkdir()
            pq.write_table(to_arrow(frame, table), target / "part-0.parquet", row_group_size=100_000)
        for name in frames:
            final = output / name
            retired = staging / f"{name}.previous"
            if final.exists():
                os.rename(final, retired)
            os.rename(staging / name, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_text(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)


def read_runs(output: Path) -> pd.DataFrame | None:
    """The runs table already published, so that each run appends its row."""
    path = output / "runs"
    if not path.exists():
        return None
    try:
        return pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowInvalid):
        return None
