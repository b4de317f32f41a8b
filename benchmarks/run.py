"""Time the pipeline end to end on generated corpora: `python -m benchmarks.run --sizes 20000`.

For each size: build the corpus (cached under .bench/), run `gazetl run` on it as a user would
(a fresh output folder, a fresh process), sample the memory of the whole process tree from /proc,
and read the stage timings from the run summary. The fixed cost of a run (Prefect's temporary
server, worker start-up, Great Expectations' import) is measured on an empty folder and reported
apart; throughput is articles / (wall time - fixed cost).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.corpus import load_samples, write_corpus

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Peak RSS of a process, and of it with all its descendants, sampled every 100 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_main_kb, self.peak_tree_kb, self._halt = pid, 0, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += _children(pid)
            self.peak_main_kb = max(self.peak_main_kb, _rss_kb(self.pid))
            self.peak_tree_kb = max(self.peak_tree_kb, sum(_rss_kb(p) for p in tree))
            time.sleep(0.1)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_once(input_dir: Path, output_dir: Path, runner: str, extra: list[str]) -> dict:
    shutil.rmtree(output_dir, ignore_errors=True)
    command = [str(Path(sys.executable).parent / "gazetl"), "run", "--input", str(input_dir),
               "--output", str(output_dir), "--runner", runner, "--reference", "", *extra]
    clock = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    memory.start()
    out, err = process.communicate()
    wall = time.perf_counter() - clock
    memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"gazetl failed ({process.returncode}):\n{out}\n{err[-3000:]}")
    stages = dict((k, float(v)) for k, v in re.findall(r"(\w+) ([\d.]+)s", out.split("stages:")[1].splitlines()[0])) \
        if "stages:" in out else {}
    high_water = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+) MB", out.split("high-water mark after:")[1]
                                                          .splitlines()[0])) if "high-water mark after:" in out else {}
    articles = int(re.search(r"^  articles: (\d+)", out, re.MULTILINE).group(1))
    if articles == 0 and input_dir.name != "empty":
        raise SystemExit(f"no article was processed:\n{out}")
    return {"wall_s": round(wall, 2), "articles": articles, "stages_s": stages, "flow_high_water_mb": high_water,
            "peak_rss_flow_mb": round(memory.peak_main_kb / 1024), "peak_rss_tree_mb": round(memory.peak_tree_kb / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000", help="corpus sizes, comma or space separated")
    parser.add_argument("--runner", default="processes", choices=("processes", "threads", "dask"))
    parser.add_argument("--work", type=Path, default=ROOT / ".bench", help="where corpora and outputs go")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    args.work.mkdir(parents=True, exist_ok=True)
    samples = load_samples(ROOT / "samples")
    empty = args.work / "empty"
    empty.mkdir(exist_ok=True)
    fixed = run_once(empty, args.work / "out-empty", args.runner, [])
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(), "processor": platform.processor() or platform.machine()},
               "runner": args.runner, "fixed_cost_s": fixed["wall_s"], "runs": []}
    print(f"fixed cost (empty input): {fixed['wall_s']:.1f} s, flow process peak {fixed['peak_rss_flow_mb']} MB")
    for size in sizes:
        corpus = args.work / f"corpus-{size}-{args.seed}"
        if not (corpus / "manifest.csv").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            started = time.perf_counter()
            n_bytes = write_corpus(samples, size, corpus, args.seed)
            print(f"built {corpus.name}: {n_bytes / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        result = run_once(corpus, args.work / f"out-{size}", args.runner, [])
        variable = max(result["wall_s"] - fixed["wall_s"], 1e-9)
        result["articles_per_s"] = round(result["articles"] / variable)
        result["size"] = size
        results["runs"].append(result)
        print(f"{size} articles: wall {result['wall_s']:.1f} s, {result['articles_per_s']} articles/s "
              f"(excluding the fixed {fixed['wall_s']:.1f} s); peak RSS flow process "
              f"{result['peak_rss_flow_mb']} MB, all processes {result['peak_rss_tree_mb']} MB; "
              f"stages {result['stages_s']}; flow process high-water mark after each {result['flow_high_water_mb']}")
    (args.work / "results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
