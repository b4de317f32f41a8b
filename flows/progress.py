"""Stage timings and a progress bar for long runs (shown on a terminal only, never in logs or CI)."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator


def peak_rss_mb() -> int | None:
    """This process's peak resident memory so far (Linux's VmHWM), in MB; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


class StageClock:
    """Wall seconds per stage, in order, and the flow process's memory high-water mark at the end
    of each: what `make bench` and the run summary report."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, int] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self._last, 3)
        self._last = now
        peak = peak_rss_mb()
        if peak is not None:
            self.peak_mb[stage] = peak


@contextmanager
def progress(total: int, unit: str, stream=None) -> Iterator[Callable[[int], None]]:
    """Yields advance(n). Draws a rich progress bar when the stream is a terminal and the run is
    long enough to want one; otherwise advance does nothing."""
    stream = stream or sys.stderr
    if total < 1000 or not getattr(stream, "isatty", lambda: False)():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                  TimeRemainingColumn(), console=Console(file=stream), transient=True) as bar:
        job = bar.add_task("extract", total=total)
        yield lambda n: bar.advance(job, n)
