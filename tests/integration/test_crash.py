"""Crash safety: kill -9 at every publish step and at random points across repeated runs.

The killed process is tests/integration/crash_driver.py: the real lock, recovery, read and
publish code without Prefect's slow start, so that each kill lands in the write path rather than
in imports. After every kill the published tables must be complete and readable, and the next
run must recover by itself; a real flow run at the end checks that it builds on the result.
"""
import collections
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from flows import snapshots
from tests.integration.articles import write_inputs
from tests.integration.conftest import ROOT, read, run

pytestmark = pytest.mark.slow

DRIVER = [sys.executable, "-m", "tests.integration.crash_driver"]
RANDOM_KILLS = 40
POST_COMMIT = ("manifest-committed", "views-swapped", "collected")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """An output folder with one real published run, the baseline every kill is checked against."""
    root = tmp_path_factory.mktemp("crash")
    inputs, output = write_inputs(root / "in"), root / "out"
    assert run(inputs, output).published
    return inputs, output


def _driver(output: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(DRIVER + [str(output), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def _published_runs(output: Path, at_least: int) -> int:
    """Check what a reader can see; return how many runs the published snapshot records."""
    manifest = json.loads((output / snapshots.MANIFEST).read_text())
    snapshot = output / snapshots.SNAPSHOTS / manifest["snapshot"]
    for name, info in manifest["tables"].items():
        assert pq.read_table(snapshot / name).num_rows == info["rows"], name
    # Through OUTPUT/<table>: one complete snapshot for every table, the published one or, until
    # the next run recovers, the one before it.
    folders = {(output / name).resolve().parent for name in manifest["tables"]}
    assert len(folders) == 1
    for name in manifest["tables"]:
        pd.read_parquet(output / name)
    published_runs = manifest["tables"]["runs"]["rows"]
    assert len(read(output, "runs")) in (published_runs, published_runs - 1)
    assert published_runs >= at_least, "a committed run was lost"
    return published_runs


def _assert_clean(output: Path) -> None:
    manifest = json.loads((output / snapshots.MANIFEST).read_text())
    assert os.readlink(output / snapshots.CURRENT) == f"{snapshots.SNAPSHOTS}/{manifest['snapshot']}"
    left = sorted(p.name for p in (output / snapshots.SNAPSHOTS).iterdir())
    assert len(left) <= snapshots.KEEP and manifest["snapshot"] in left
    assert not [p.name for p in output.iterdir() if p.name.endswith(".tmp")]


def test_kill_at_every_publish_step(published):
    _, output = published
    steps = [s for s in _driver(output).stdout.split() if s not in ("ready", "cycle-done")]
    assert "manifest-committed" in steps and len(steps) >= 10
    runs = _published_runs(output, 0)
    for step in steps:
        killed = _driver(output, "--kill-at", step)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        expected = runs + 1 if step in POST_COMMIT else runs
        runs = _published_runs(output, expected)
        assert runs == expected, step
    # The next run recovers from the last kill by itself (each killed run above also began by
    # recovering from the one before).
    recovered = _driver(output)
    assert recovered.returncode == 0, recovered.stderr
    _published_runs(output, runs + 1)
    _assert_clean(output)


def test_kill_at_random_points_across_repeated_runs(published, capsys):
    _, output = published
    rng = random.Random(20240307)
    runs = _published_runs(output, 0)
    landed = collections.Counter()
    for _ in range(RANDOM_KILLS):
        proc = subprocess.Popen(DRIVER + [str(output), "--cycles", "1000"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL, err
        steps = out.split()
        landed[steps[-1] if steps else "ready"] += 1
        runs = _published_runs(output, runs)
    finished = _driver(output)
    assert finished.returncode == 0, finished.stderr
    _published_runs(output, runs + 1)
    _assert_clean(output)
    with capsys.disabled():
        print(f"\n{RANDOM_KILLS} random kills, last step reached before each: {dict(sorted(landed.items()))}")
    assert len(landed) >= 5, "the kills should land at many different points"


def test_a_real_run_recovers_after_a_kill_and_builds_on_the_tables(published):
    inputs, output = published
    before = {name: read(output, name) for name in ("articles", "claims", "events")}
    killed = _driver(output, "--kill-at", "manifest-committed")
    assert killed.returncode == -signal.SIGKILL
    summary = run(inputs, output)
    assert summary.published and summary.counts["n_skipped_unchanged"] == len(list(inputs.iterdir()))
    for name, frame in before.items():
        now = read(output, name)
        keep = [c for c in frame.columns if c not in ("ingested_at", "run_id")]
        assert now[keep].equals(frame[keep]), name
    _assert_clean(output)
