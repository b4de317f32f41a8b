"""A run of the publish cycle without Prefect, for crash tests: the parent kills it with SIGKILL.

Each cycle does what a flow run does around its data: take the output lock, recover, read the
published tables, append one row to `runs`, publish a new snapshot. It prints every step it
reaches (flushed), so the parent knows where the kill landed.

    python -m tests.integration.crash_driver OUTPUT [--cycles N] [--kill-at STEP]
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from flows import snapshots, storage
from flows.incremental import concat
from flows.lock import output_lock


def _say(step: str) -> None:
    sys.stdout.write(step + "\n")
    sys.stdout.flush()


def cycle(output: Path, n: int, kill_at: str | None) -> None:
    def checkpoint(step: str) -> None:
        _say(step)
        if step == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with output_lock(output):
        checkpoint("locked")
        snapshots.recover(output)
        checkpoint("recovered")
        frames = storage.read_published(output)
        now = datetime.now(timezone.utc)
        run = {"run_id": f"crash-{n:04d}-{os.getpid()}", "started_at": now, "finished_at": now, "duration_s": 0.0,
               "input_dir": "crash-driver", "runner": "crash-driver", "n_inputs": 0, "n_articles": 0,
               "n_quarantined": 0, "n_claims": 0, "n_event_mentions": 0, "n_events": 0, "n_flagged_rows": 0,
               "validation_outcome": "skipped", "code_version": "crash-driver"}
        frames["runs"] = concat(frames.get("runs"), pd.DataFrame([run]))
        storage.publish(output, frames, {"validation/summary.txt": f"cycle {n}\n"}, run["run_id"], checkpoint)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=Path)
    parser.add_argument("--cycles", type=int, default=1)
    parser.add_argument("--kill-at")
    args = parser.parse_args()
    _say("ready")
    for n in range(args.cycles):
        cycle(args.output, n, args.kill_at)
        _say("cycle-done")


if __name__ == "__main__":
    main()
