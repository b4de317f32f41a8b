"""The storage seam: discover, fingerprint and read inputs and their metadata; read and publish tables."""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows import snapshots
from flows.retry import is_transient
from schemas import TABLES, Table

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md")
MANIFEST_NAMES = ("manifest.csv", "manifest.jsonl")
METADATA_KEYS = ("published_at", "url", "outlet", "title")


@dataclass(slots=True)
class InputFile:
    # The flow holds one per input for the whole run: slots and a plain string path (a Path
    # object keeps its parsed parts) make it about half the size.
    source_path: str  # relative to the input folder, with forward slashes
    path: str  # where to read it (a Path is accepted and stored as its string)
    metadata: dict = field(default_factory=dict)
    content_sha256: str | None = None  # set by fingerprint(); None when the bytes could not be read
    metadata_sha256: str = ""
    n_bytes: int | None = None

    def __post_init__(self):
        self.path = os.fspath(self.path)


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
    # os.walk lists names only (Path.rglob builds a Path per file); neither follows folder links.
    found_manifests = [Path(dirpath) / name for dirpath, _, filenames in os.walk(root, followlinks=False)
                       for name in filenames if name in MANIFEST_NAMES]
    for manifest in sorted(found_manifests):
        rel_dir = manifest.parent.relative_to(root).as_posix()
        try:
            text = manifest.read_text(encoding="utf-8")
            rows = (list(csv.DictReader(io.StringIO(text))) if manifest.suffix == ".csv"
                    else [json.loads(line) for line in text.splitlines() if line.strip()])
        except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
            problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata", str(exc)))
            continue
        for row in rows:
            name = (row.get("file") or row.get("path") or row.get("source_path") or "") if isinstance(row, dict) else ""
            if not name or not isinstance(name, str):
                problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata",
                                 f"a row has no file column (a path): {str(row)[:120]}"))
                continue
            meta, err = _clean_metadata(row)
            if err:
                problems.append((manifest.relative_to(root).as_posix(), "metadata", "malformed_metadata", err))
            # A bare file name joins as a string; anything else Path normalises ("./a", "a//b").
            simple = "/" not in name and "\\" not in name and name not in (".", "..")
            found[(name if rel_dir == "." else f"{rel_dir}/{name}") if simple else (Path(rel_dir) / name).as_posix()] = meta
    return found, problems


def discover(root: Path) -> tuple[list[InputFile], list[tuple[str, str, str, str]]]:
    """Article files under root (recursively, sorted), with their metadata; plus rejected paths."""
    root = root.resolve()
    manifests, problems = _read_manifests(root)
    inputs: list[InputFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in dirnames:
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems.append((_printable(path.relative_to(root).as_posix()), "discover", "unsafe_path",
                                 "folder symlink points outside the input folder: not followed"))
        # One lstat per file and string paths: Path objects and repeated stats cost seconds on a
        # folder of 50,000 articles.
        folder = Path(dirpath)
        rel_dir = folder.relative_to(root).as_posix()
        present = set(filenames)
        for name in sorted(filenames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if name.startswith(".") or name in MANIFEST_NAMES or name.endswith(".meta.json"):
                continue
            if not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            if _printable(rel) != rel:
                problems.append((_printable(rel), "discover", "undecodable",
                                 "the file name is not valid UTF-8 (shown with escapes): rename the file"))
                continue
            location = os.path.join(dirpath, name)
            try:
                mode = os.lstat(location).st_mode
            except FileNotFoundError:
                mode = 0  # gone since the folder was listed: reported below, not dropped
            if stat.S_ISLNK(mode):
                path = Path(location)
                if not path.resolve().is_relative_to(root):
                    problems.append((rel, "discover", "unsafe_path", "symlink points outside the input folder"))
                    continue
                mode = os.stat(location).st_mode if path.exists() else 0
            if not stat.S_ISREG(mode):
                problems.append((rel, "discover", "unsupported_type",
                                 "not a regular file (a dangling link, a pipe, a device...)"))
                continue
            item = InputFile(rel, location, dict(manifests.get(rel, {})))
            sidecar_name = name.rsplit(".", 1)[0] + ".meta.json"
            if sidecar_name in present and (sidecar := folder / sidecar_name).is_file():
                try:
                    meta, err = _clean_metadata(json.loads(sidecar.read_text(encoding="utf-8")))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    meta, err = {}, f"sidecar is not valid JSON: {exc}"
                if err:
                    problems.append((sidecar.relative_to(root).as_posix(), "metadata", "malformed_metadata", err))
                item.metadata.update(meta)
            inputs.append(item)
    return inputs, problems


def _printable(rel: str) -> str:
    """The path as valid UTF-8: undecodable bytes in a file name (surrogate escapes) shown as \\xNN."""
    return os.fsencode(rel).decode("utf-8", errors="backslashreplace")


@functools.lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of the extraction code and lexicons: rows made by other rules are not reused."""
    root = Path(__file__).resolve().parent.parent / "transforms"
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".csv")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(items: list[InputFile]) -> None:
    """Hash each input's bytes and metadata: what the ledger compares to skip unchanged inputs."""
    for item in items:
        item.metadata_sha256 = hashlib.sha256(
            json.dumps(item.metadata, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        try:
            with open(item.path, "rb") as handle:
                item.content_sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
            item.n_bytes = os.stat(item.path).st_size
        except OSError as exc:
            if is_transient(exc):
                raise
            item.content_sha256 = None  # processed (and quarantined as unreadable) on every run


# The inputs as the flow holds them for a whole run: columns, not an object per file. A folder of
# 50,000 articles took 52 MB as InputFile objects (a dict of metadata apiece), about 20 MB so.
INVENTORY_SCHEMA = pa.schema([
    pa.field("source_path", pa.string(), nullable=False), pa.field("path", pa.string(), nullable=False),
    pa.field("metadata", pa.string(), nullable=False),  # the metadata dict as JSON
    pa.field("content_sha256", pa.string()), pa.field("metadata_sha256", pa.string(), nullable=False),
    pa.field("n_bytes", pa.int64()),
])


def inventory(items: list[InputFile]) -> pa.Table:
    """Discovered (and fingerprinted) inputs as one columnar table, in their order."""
    return pa.table({
        "source_path": [i.source_path for i in items], "path": [i.path for i in items],
        "metadata": [json.dumps(i.metadata, ensure_ascii=False) for i in items],
        "content_sha256": [i.content_sha256 for i in items], "metadata_sha256": [i.metadata_sha256 for i in items],
        "n_bytes": [i.n_bytes for i in items],
    }, schema=INVENTORY_SCHEMA)


def write_inventory(table: pa.Table, path: Path) -> None:
    """The inventory as an uncompressed Arrow IPC file, so that read_inventory can map it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, INVENTORY_SCHEMA) as writer:
        writer.write_table(table)


def read_inventory(path: Path) -> pa.Table:
    """The inventory written by write_inventory, memory-mapped: its columns are pages of the file,
    which the kernel can drop and re-read, not a copy on the reader's heap."""
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def input_files(table: pa.Table) -> list[InputFile]:
    """The InputFile objects of an inventory's rows (a batch's, when the flow hands one out)."""
    rows = zip(*(table.column(name).to_pylist() for name in INVENTORY_SCHEMA.names))
    return [InputFile(source_path, path, json.loads(metadata), *hashes_and_size)
            for source_path, path, metadata, *hashes_and_size in rows]


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


def read_table(path: Path) -> pd.DataFrame:
    """A table folder, flat or hive-partitioned; the partition key (derived from a date column)
    is not part of the table's schema and is dropped."""
    table = pq.read_table(path, partitioning="hive")
    name = path.name if path.name in TABLES else None
    if name and TABLES[name].partition_key in table.column_names:
        table = table.drop_columns([TABLES[name].partition_key])
    # Keep integers with gaps as integers and dates as dates, as the writer expects them back.
    return table.to_pandas(integer_object_nulls=True, date_as_object=True)


def read_published(output: Path, names: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the published snapshot (per the manifest), for the next run to build on: all of
    them, or those named (the flow reads only the small ones; it scans the row tables from disk).

    An output folder from before snapshots has no ledger: only its run history is carried over.
    """
    folder = snapshots.published_dir(output)
    if folder is None:
        legacy = output / "runs"
        return {"runs": read_table(legacy)} if legacy.is_dir() and not legacy.is_symlink() else {}
    return {name: read_table(folder / name) for name in (names or TABLES) if (folder / name).is_dir()}


def publish(output: Path, frames: dict[str, pd.DataFrame], files: dict[str, str], run_id: str,
            checkpoint: snapshots.Checkpoint | None = None, staging: Path | None = None) -> str:
    """Cast every frame to its table schema and publish them together as one snapshot (with the
    tables already written into `staging`, when given)."""
    tables = {name: to_arrow(frame, TABLES[name]) for name, frame in frames.items()}
    return snapshots.publish(output, tables, files, run_id, staging=staging,
                             **({"checkpoint": checkpoint} if checkpoint else {}))
