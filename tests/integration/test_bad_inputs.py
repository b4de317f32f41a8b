"""Bad inputs go to the quarantine table with a reason and the run goes on: `gazetl run` exits 0.

Legacy encodings (cp1252) and HTML pages are articles, decoded and processed, not rejected.
"""
import os
import random
import subprocess
import sys

import pytest

from tests.integration.articles import ARTICLES, write_inputs
from tests.integration.conftest import ROOT, read

pytestmark = pytest.mark.slow

CP1252_ARTICLE = ("Ceasefire talks resume \u2013 mediators \u201chopeful\u201d\n\n"
                  "CAIRO, March 5, 2024 - Egyptian officials said on Tuesday that 31 aid trucks crossed "
                  "at Rafah, and the ministry\u2019s caf\u00e9 of figures said 30,631 people had been killed.\n")


def test_bad_inputs_are_quarantined_and_the_run_exits_0(tmp_path):
    inputs = write_inputs(tmp_path / "in")
    outside = tmp_path / "outside.txt"
    outside.write_text(ARTICLES["wire_truce.txt"])
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blob.txt").write_bytes(bytes(range(256)) * 40)
    noise = random.Random(1)
    (inputs / "garbled.txt").write_bytes(bytes(noise.randrange(0x80, 0x100) for _ in range(3000)))
    (inputs / "huge.txt").write_bytes(b"The ministry said 12 people were killed.\n" * 800_000)  # ~33 MB
    (inputs / "talks_page.meta.json").write_text("{not json")
    (inputs / "legacy.txt").write_bytes(CP1252_ARTICLE.encode("cp1252"))
    (inputs / "escape.txt").symlink_to(outside)
    (inputs / "dangling.txt").symlink_to(inputs / "deleted.txt")
    os.mkfifo(inputs / "pipe.txt")
    odd = ["-dash start.txt", "caf\u00e9 \u0627\u0644\u062e\u0628\u0631.txt", "semi;colon 'quote'.txt"]
    for name in odd:
        (inputs / name).write_text(ARTICLES["ministry_update.txt"].replace("153", str(100 + len(name))))
    (inputs / os.fsdecode(b"bad-\xff-name.txt")).write_text(ARTICLES["aid_convoy.md"])
    (inputs / "zz_syndicated_copy.txt").write_text(ARTICLES["wire_truce.txt"])  # same text, another path

    output = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--input", str(inputs), "--output", str(output)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    quarantine = read(output, "quarantine")
    reasons = dict(zip(quarantine["source_path"], quarantine["reason_code"]))
    assert reasons["empty.txt"] == "empty"
    assert reasons["blob.txt"] == "binary"
    assert reasons["garbled.txt"] == "undecodable"
    assert reasons["huge.txt"] == "oversized"
    assert reasons["talks_page.meta.json"] == "malformed_metadata"
    assert reasons["escape.txt"] == "unsafe_path"
    assert reasons["dangling.txt"] == reasons["pipe.txt"] == "unsupported_type"
    assert reasons["bad-\\xff-name.txt"] == "undecodable"
    # identical text under two paths would share ids and block the publish: one keeps the rows
    assert reasons["zz_syndicated_copy.txt"] == "duplicate_content"
    assert "wire_truce.txt" in quarantine.set_index("source_path").loc["zz_syndicated_copy.txt", "detail"]
    assert quarantine["detail"].str.len().gt(10).all()

    articles = read(output, "articles").set_index("source_path")
    assert set(odd) <= set(articles.index)
    assert articles.loc["legacy.txt", "encoding"] == "cp1252"
    assert "\u201chopeful\u201d" in articles.loc["legacy.txt", "text"]
    assert articles.loc["talks_page.html", "content_type"] == "html"  # its broken sidecar does not stop it
    claims = read(output, "claims")
    assert 30631 in set(claims[claims["source_path"] == "legacy.txt"]["value"])
