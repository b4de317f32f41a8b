"""Scheduled runs: serve the flow as a Prefect deployment with a cron or interval schedule.

Scheduling needs a real Prefect server (PREFECT_API_URL): the ephemeral one lives only as long
as a single run.
"""
from __future__ import annotations

from pathlib import Path

DEPLOYMENT = "scheduled"


def serve(input_dir: Path, output_dir: Path, cron: str | None, interval: float | None,
          name: str = DEPLOYMENT, on_removed: str = "drop", lock_wait_s: float = 0.0) -> None:
    """Register the deployment and run its scheduled runs until interrupted (Ctrl-C)."""
    from flows.pipeline import etl_flow

    parameters = {"input_dir": str(input_dir.resolve()), "output_dir": str(output_dir.resolve()),
                  "on_removed": on_removed, "lock_wait_s": lock_wait_s}
    # limit=1: this process never starts a run while its previous one is going; the output lock
    # covers runs started elsewhere (a manual `gazetl run`, another server).
    etl_flow.serve(name=name, cron=cron, interval=interval, parameters=parameters, limit=1)
