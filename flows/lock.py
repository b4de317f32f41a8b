"""One writer per output folder: an OS file lock on OUTPUT/.lock.

flock is released by the kernel when the holder dies (even on kill -9), so a crashed run never
leaves a stale lock behind and nothing has to be cleaned up by hand.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".lock"
POLL_S = 0.2


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096) or b"{}")
        return f"pid {info.get('pid')} on {info.get('host')}, since {info.get('since')}"
    except (OSError, ValueError):
        return "holder unknown"


@contextmanager
def output_lock(output: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the output folder for one run; raise OutputBusy if another run holds it longer than wait_s."""
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(output / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputBusy(f"another run is writing {output} ({_holder(fd)}); "
                                     f"this run stopped without writing anything") from None
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                  "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}).encode(), 0)
        yield
    finally:
        os.close(fd)
