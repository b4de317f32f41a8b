"""One writer per output folder: a second run exits at once with code 4, or waits when asked."""
import subprocess
import sys
import threading
import time

import pytest

from flows.lock import OutputBusy, output_lock
from tests.integration.articles import write_inputs
from tests.integration.conftest import ROOT


def test_a_second_holder_is_refused_with_a_clear_message(tmp_path):
    with output_lock(tmp_path):
        with pytest.raises(OutputBusy, match=r"another run is writing .* \(pid \d+"):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):  # released on exit
        pass


def test_waiting_gets_the_lock_once_the_holder_is_done(tmp_path):
    holding = threading.Event()

    def hold():
        with output_lock(tmp_path):
            holding.set()
            time.sleep(0.6)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    started = time.monotonic()
    with output_lock(tmp_path, wait_s=10):
        assert time.monotonic() - started >= 0.3
    holder.join()


def test_cli_exits_4_while_another_run_holds_the_output(tmp_path):
    inputs, output = write_inputs(tmp_path / "in"), tmp_path / "out"
    with output_lock(output):
        busy = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--input", str(inputs),
                               "--output", str(output)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert busy.returncode == 4
    assert "another run is writing" in busy.stderr
    assert not (output / "_manifest.json").exists()


@pytest.mark.slow
def test_the_flow_itself_refuses_a_second_writer(tmp_path):
    """Scheduled runs call the flow directly, not the CLI: the flow must hold the lock itself."""
    from flows.pipeline import etl_flow

    inputs, output = write_inputs(tmp_path / "in"), tmp_path / "out"
    with output_lock(output):
        with pytest.raises(OutputBusy):
            etl_flow(str(inputs), str(output))
