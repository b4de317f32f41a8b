"""Incremental runs: only new or changed inputs are processed, and the tables come out exactly
as a full run on the same folder would leave them."""
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from flows.incremental import plan
from flows.storage import INVENTORY_SCHEMA, InputFile, input_files, inventory, read_inventory, write_inventory
from schemas import TABLES
from tests.integration.articles import EXTRA, write_inputs
from tests.integration.conftest import read, run

COMPARED = ("articles", "claims", "event_mentions", "events", "quarantine", "ledger")


def _without_run_metadata(output: Path, name: str) -> pd.DataFrame:
    return read(output, name).drop(columns=list(TABLES[name].run_metadata))


def _assert_same_tables(left: Path, right: Path) -> None:
    for name in COMPARED:
        a, b = _without_run_metadata(left, name), _without_run_metadata(right, name)
        pd.testing.assert_frame_equal(a, b, obj=name)


def _item(path: str, content: str | None, metadata: str = "m") -> InputFile:
    return InputFile(path, Path(path), content_sha256=content, metadata_sha256=metadata)


def test_plan_sorts_inputs_by_what_changed():
    ledger = pd.DataFrame([
        {"source_path": "same.txt", "content_sha256": "a", "metadata_sha256": "m", "state": "present"},
        {"source_path": "edited.txt", "content_sha256": "b", "metadata_sha256": "m", "state": "present"},
        {"source_path": "retagged.txt", "content_sha256": "c", "metadata_sha256": "m", "state": "present"},
        {"source_path": "gone.txt", "content_sha256": "d", "metadata_sha256": "m", "state": "present"},
        {"source_path": "long_gone.txt", "content_sha256": "e", "metadata_sha256": "m", "state": "removed"},
        {"source_path": "unreadable.txt", "content_sha256": None, "metadata_sha256": "m", "state": "present"},
    ])
    inputs = inventory([_item("same.txt", "a"), _item("edited.txt", "B"), _item("retagged.txt", "c", "M2"),
                        _item("fresh.txt", "f"), _item("unreadable.txt", None)])
    work = plan(inputs, ledger)
    assert (work.unchanged, work.new, work.removed, work.gone_before) == (
        ["same.txt"], ["fresh.txt"], ["gone.txt"], ["long_gone.txt"])
    assert work.changed == ["edited.txt", "retagged.txt", "unreadable.txt"]
    assert [i.source_path for i in input_files(work.to_process)] == [
        "edited.txt", "retagged.txt", "fresh.txt", "unreadable.txt"]
    assert plan(inputs, ledger, full_refresh=True).full and plan(inputs, None).full


def test_other_extraction_rules_reprocess_every_input():
    ledger = pd.DataFrame([
        {"source_path": "same.txt", "content_sha256": "a", "metadata_sha256": "m", "state": "present",
         "extractor_version": "rules-v1"}])
    inputs = inventory([_item("same.txt", "a")])
    assert plan(inputs, ledger, extractor_version="rules-v1").unchanged == ["same.txt"]
    changed_rules = plan(inputs, ledger, extractor_version="rules-v2")
    assert changed_rules.full and changed_rules.to_process.column("source_path").to_pylist() == ["same.txt"]
    # a ledger from before the column existed says nothing about its rules: reprocess
    assert plan(inputs, ledger.drop(columns=["extractor_version"]), extractor_version="rules-v1").full


def test_an_inventory_gives_back_the_inputs_it_was_made_of():
    items = [InputFile("a/b.txt", Path("/in/a/b.txt"), {"title": "Truce talks, \u00e9t\u00e9", "url": "u"}, "c1", "m1", 12),
             InputFile("c.html", "/in/c.html", {}, None, "m2", None)]
    table = inventory(items)
    assert table.num_rows == 2
    assert input_files(table) == items
    assert input_files(table.slice(1, 1)) == items[1:]
    assert input_files(inventory([])) == []


def test_an_inventory_file_maps_back_to_the_same_table(tmp_path):
    items = [InputFile("a/b.txt", "/in/a/b.txt", {"title": "Truce talks, \u00e9t\u00e9"}, "c1", "m1", 12),
             InputFile("c.html", "/in/c.html", {}, None, "m2", None)]
    path = tmp_path / "_inputs" / "inventory.arrow"
    write_inventory(inventory(items), path)
    allocated = pa.total_allocated_bytes()
    mapped = read_inventory(path)
    assert pa.total_allocated_bytes() == allocated  # the columns are the file's pages, not a copy
    assert mapped.equals(inventory(items)) and mapped.schema.equals(INVENTORY_SCHEMA)
    assert input_files(mapped.slice(1, 1)) == items[1:]
    write_inventory(inventory([]), path)
    assert read_inventory(path).num_rows == 0


@pytest.mark.slow
def test_incremental_runs_match_a_full_run(tmp_path):
    inputs, output = write_inputs(tmp_path / "in"), tmp_path / "out"
    first = run(inputs, output)
    assert first.counts["n_new"] == 4 and first.counts["n_skipped_unchanged"] == 0
    before = {name: _without_run_metadata(output, name) for name in COMPARED}

    again = run(inputs, output)
    assert (again.counts["n_new"], again.counts["n_changed"], again.counts["n_skipped_unchanged"]) == (0, 0, 4)
    ledger = read(output, "ledger")
    assert set(ledger["run_id"]) == {first.run_id}, "unchanged inputs are not processed again"
    for name in COMPARED:
        pd.testing.assert_frame_equal(_without_run_metadata(output, name), before[name], obj=name)

    # One article edited, one added, one removed.
    edited = inputs / "ministry_update.txt"
    edited.write_text(edited.read_text().replace("153 people were killed", "171 people were killed"))
    (inputs / EXTRA[0]).write_text(EXTRA[1])
    (inputs / "aid_convoy.md").unlink()
    third = run(inputs, output)
    assert (third.counts["n_new"], third.counts["n_changed"], third.counts["n_skipped_unchanged"],
            third.counts["n_removed"]) == (1, 1, 2, 1)
    claims = read(output, "claims")
    ministry = claims[claims["source_path"] == "ministry_update.txt"]
    assert 171 in set(ministry["value"]) and 153 not in set(ministry["value"]), "the edit replaced the rows"
    assert "aid_convoy.md" not in set(read(output, "articles")["source_path"])
    assert len(read(output, "runs")) == 3
    full = tmp_path / "full"
    run(inputs, full)
    _assert_same_tables(output, full)

    # on_removed=keep: the rows of a removed input stay, and the ledger says it is gone.
    from flows.pipeline import etl_flow
    (inputs / "wire_truce.txt").unlink()
    kept = etl_flow(str(inputs), str(output), on_removed="keep")
    assert kept.counts["n_removed"] == 1
    assert "wire_truce.txt" in set(read(output, "articles")["source_path"])
    ledger = read(output, "ledger").set_index("source_path")
    assert ledger.loc["wire_truce.txt", "state"] == "removed"
    runs = read(output, "runs")
    assert list(runs["on_removed"].iloc[-2:]) == ["drop", "keep"]
