"""Where the process-batch tasks run: a pool of processes (default: one per core), threads, or a
Dask cluster (local, or an existing one at DASK_ADDRESS).

Task boundaries: one Prefect task per batch of articles. Each task costs the engine a few
milliseconds (about 85 ms on Dask), so batches are sized to give each worker a handful of tasks —
enough to balance the load, few enough that the overhead stays small against the extraction.
"""
from __future__ import annotations

import math
import os
from contextlib import contextmanager
from typing import Iterator

RUNNERS = ("processes", "threads", "dask")
MIN_BATCH, MAX_BATCH = 25, 1000
TASKS_PER_WORKER = 4


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def auto_batch_size(n_articles: int, workers: int | None = None) -> int:
    workers = workers or int(os.environ.get("GAZETL_WORKERS") or default_workers())
    return max(MIN_BATCH, min(MAX_BATCH, math.ceil(n_articles / (workers * TASKS_PER_WORKER)) or 1))


def submission_window(workers: int | None = None) -> int:
    """How many batches the flow submits ahead of the results it has read: enough to keep every
    worker busy while a result comes back, few enough that the batches waiting in the runner (their
    parameters, and a pickled copy each) stay a handful whatever the corpus. A Dask cluster at
    DASK_ADDRESS may have more workers than this machine has cores: its own count is unknown here,
    so it gets a wider window."""
    workers = workers or int(os.environ.get("GAZETL_WORKERS") or default_workers())
    return max(4, (8 if os.environ.get("DASK_ADDRESS") else 2) * workers)


def task_runner(name: str, workers: int | None = None, dask_address: str | None = None):
    """The Prefect task runner for `name`."""
    workers = workers or default_workers()
    if name == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner
        return ThreadPoolTaskRunner(max_workers=workers)
    if name == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner
        return ProcessPoolTaskRunner(max_workers=workers)
    if name == "dask":
        from prefect_dask import DaskTaskRunner
        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # One single-threaded worker process per core: extraction is pure Python (the GIL).
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    raise ValueError(f"runner must be one of {RUNNERS}, not {name!r}")


def runner_name() -> str:
    """The runner of the current flow run, as the runs table records it."""
    from prefect.context import FlowRunContext
    context = FlowRunContext.get()
    runner = type(context.task_runner).__name__ if context and context.task_runner else "unknown"
    return {"ProcessPoolTaskRunner": "processes", "ThreadPoolTaskRunner": "threads",
            "DaskTaskRunner": "dask"}.get(runner, runner)


@contextmanager
def shared_api_server(timeout: int | None = None) -> Iterator[str | None]:
    """Make sure worker processes report to the same Prefect API as the flow.

    With no PREFECT_API_URL, Prefect starts a temporary server inside the process that needs one:
    each pool or Dask worker would start its own (seconds each, and a database apiece). Start
    that temporary server here instead, once, and export its address to the workers' environment.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings
    if PREFECT_API_URL.value():
        yield PREFECT_API_URL.value()
        return
    from prefect.server.api.server import SubprocessASGIServer
    server = SubprocessASGIServer()
    server.start(timeout=timeout or int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
