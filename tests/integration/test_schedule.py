"""A scheduled run really fires: a local Prefect server on 127.0.0.1, `gazetl serve` with a short
interval, and new input shows up in the tables without anyone starting a run."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.articles import EXTRA, write_inputs
from tests.integration.conftest import ROOT, read

pytestmark = pytest.mark.slow

SERVER_START_S = 60
RUN_WAIT_S = 75


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def prefect_server(tmp_path):
    """A real Prefect server of our own (scheduling needs one; the ephemeral one cannot schedule)."""
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start",
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_S
    while True:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            pytest.skip(f"the Prefect server did not start: {(tmp_path / 'server.log').read_text()[-500:]}")
        time.sleep(0.5)
    yield {**env, "PREFECT_API_URL": api, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    _stop(server)
    log.close()


def _wait_for(condition, what: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + RUN_WAIT_S
    while not condition():
        assert proc.poll() is None, f"serve exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"no scheduled run {what}: {log.read_text()[-2000:]}"
        time.sleep(0.5)


def test_scheduled_runs_fire_and_pick_up_new_input(prefect_server, tmp_path):
    inputs = write_inputs(tmp_path / "in", ["wire_truce.txt", "ministry_update.txt"])
    output, log_path = tmp_path / "out", tmp_path / "serve.log"

    def articles() -> set:
        try:
            return set(read(output, "articles")["source_path"])
        except (OSError, ValueError):
            return set()

    with open(log_path, "w") as log:
        serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--input", str(inputs),
                                  "--output", str(output), "--interval", "3"],
                                 cwd=ROOT, env=prefect_server, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        try:
            _wait_for(lambda: len(articles()) == 2, "published the first tables", serve, log_path)
            (inputs / EXTRA[0]).write_text(EXTRA[1])
            _wait_for(lambda: EXTRA[0] in articles(), "picked up the new article", serve, log_path)
        finally:
            _stop(serve)
    runs = read(output, "runs")
    latest = runs.iloc[-1]
    assert (latest["n_new"], latest["n_skipped_unchanged"]) == (1, 2)
    assert runs["input_dir"].eq(str(inputs.resolve())).all()
