"""Retries with backoff on transient I/O errors only, never on data errors."""
import errno
from pathlib import Path

import pytest

from flows import batch
from flows.retry import TRANSIENT_RETRY, is_transient
from flows.storage import InputFile


@pytest.mark.parametrize("exc, transient", [
    (OSError(errno.EIO, "I/O error"), True), (OSError(errno.EAGAIN, "try again"), True),
    (OSError(errno.ESTALE, "stale NFS handle"), True), (TimeoutError(), True),
    (FileNotFoundError(errno.ENOENT, "gone"), False), (PermissionError(errno.EACCES, "denied"), False),
    (OSError(errno.ENOSPC, "disk full"), False), (ValueError("bad data"), False),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad byte"), False),
])
def test_only_transient_io_errors_are_retried(exc, transient):
    assert is_transient(exc) is transient
    assert TRANSIENT_RETRY["retry_delay_seconds"] == sorted(TRANSIENT_RETRY["retry_delay_seconds"])


def test_a_batch_raises_transient_errors_and_quarantines_permanent_ones(tmp_path, monkeypatch):
    good = tmp_path / "a.txt"
    good.write_text("x")

    def flaky(path, limit):
        raise OSError(errno.EIO, "I/O error") if Path(path).name == "a.txt" else PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(batch, "read_bytes", flaky)
    with pytest.raises(OSError):
        batch.process_batch([InputFile("a.txt", good)])
    result = batch.process_batch([InputFile("b.txt", tmp_path / "b.txt")])
    assert [q["reason_code"] for q in result.quarantine] == ["unreadable"]


@pytest.mark.slow
def test_prefect_retries_transient_errors_with_backoff_and_not_data_errors():
    from prefect import flow, task

    policy = {**TRANSIENT_RETRY, "retry_delay_seconds": [0, 0, 0]}
    calls = {"io": 0, "data": 0}

    @task(**policy)
    def flaky_io() -> str:
        calls["io"] += 1
        if calls["io"] < 3:
            raise OSError(errno.EIO, "I/O error")
        return "read"

    @task(**policy)
    def bad_data() -> None:
        calls["data"] += 1
        raise ValueError("not a number")

    @flow
    def both() -> str:
        value = flaky_io()
        state = bad_data(return_state=True)
        assert state.is_failed()
        return value

    assert both() == "read"
    assert calls == {"io": 3, "data": 1}
