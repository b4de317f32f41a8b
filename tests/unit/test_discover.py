"""Discovering inputs: which files are articles, the metadata each gets (manifest rows, sidecars)
and what is reported instead of silently skipped."""
import json
import os

from flows.storage import discover


def _tree(root):
    (root / "2024-01" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "top.txt").write_text("top")
    (root / "notes.csv").write_text("not an article")
    (root / ".dotfile.txt").write_text("skipped")
    (root / ".hidden" / "inside.txt").write_text("skipped")
    (root / "2024-01" / "a.txt").write_text("a")
    (root / "2024-01" / "b.HTML").write_text("<p>b</p>")
    (root / "2024-01" / "b.meta.json").write_text(json.dumps({"outlet": "Sidecar Wire", "title": 7}))
    (root / "2024-01" / "deep" / "c.md").write_text("c")
    (root / "2024-01" / "manifest.csv").write_text(
        "file,outlet,published_at\na.txt,Manifest Daily,2024-01-05\n./deep/c.md,Deep Post,2024-01-06\n")
    (root / "manifest.jsonl").write_text(json.dumps({"file": 5, "outlet": "x"}) + "\n"
                                         + json.dumps({"path": "top.txt", "url": "https://example.org/top"}) + "\n")


def test_articles_are_found_sorted_with_manifest_and_sidecar_metadata(tmp_path):
    _tree(tmp_path)
    inputs, problems = discover(tmp_path)
    assert [i.source_path for i in inputs] == ["top.txt", "2024-01/a.txt", "2024-01/b.HTML", "2024-01/deep/c.md"]
    by_path = {i.source_path: i for i in inputs}
    assert by_path["2024-01/a.txt"].metadata == {"outlet": "Manifest Daily", "published_at": "2024-01-05"}
    assert by_path["2024-01/deep/c.md"].metadata == {"outlet": "Deep Post", "published_at": "2024-01-06"}
    assert by_path["2024-01/b.HTML"].metadata == {"outlet": "Sidecar Wire"}  # the non-string title is dropped
    assert by_path["top.txt"].metadata == {"url": "https://example.org/top"}
    assert all(isinstance(i.path, str) and os.path.isfile(i.path) for i in inputs)
    reasons = sorted((path, reason) for path, _, reason, _ in problems)
    # a manifest row whose file is not a path, and the sidecar's bad field: reported, not fatal
    assert reasons == [("2024-01/b.meta.json", "malformed_metadata"), ("manifest.jsonl", "malformed_metadata")]


def test_links_outside_dangling_links_and_folder_sidecars_are_reported_or_ignored(tmp_path):
    root, outside = tmp_path / "in", tmp_path / "out"
    root.mkdir(), outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (root / "ok.txt").write_text("ok")
    (root / "ok.meta.json").mkdir()  # a folder named like a sidecar is not read as one
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    (root / "inside.txt").symlink_to(root / "ok.txt")
    inputs, problems = discover(root)
    assert [i.source_path for i in inputs] == ["inside.txt", "ok.txt"]
    assert all(i.metadata == {} for i in inputs)
    assert sorted((p, r) for p, _, r, _ in problems) == [("dangling.txt", "unsupported_type"),
                                                         ("escape.txt", "unsafe_path")]
