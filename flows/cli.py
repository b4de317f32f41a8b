"""Command line: `gazetl run --input DIR --output DIR` and `gazetl serve ... --cron EXPR`.

Exit codes: 0 the run published (bad inputs are quarantined, not failures); 2 usage error or
missing input folder; 3 a blocking validation failure stopped the publish (previous output kept);
4 another run holds the output folder (nothing written). Anything else (1) is a crash: the
published tables are untouched and the next run recovers by itself.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_BLOCKED, EXIT_BUSY = 0, 2, 3, 4


def _prefect_env(work_dir: Path) -> None:
    # Prefect state stays in the work tree, and nothing phones home.
    os.environ.setdefault("PREFECT_HOME", str(work_dir / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gazetl",
        description="Turn news articles on the Gaza war and ceasefire talks into Parquet tables "
                    "(claims, event_mentions, events, articles, quarantine, runs).",
        epilog="Exit codes: 0 published; 2 usage error or missing input; 3 blocked by validation "
               "(the previous output is left untouched); 4 another run is writing the same output.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline once on a folder of articles")
    run.add_argument("--input", required=True, type=Path,
                     help="folder of articles (.txt, .html, .htm, .md), read recursively; optional "
                          "NAME.meta.json sidecars or a manifest.csv/manifest.jsonl")
    run.add_argument("--output", required=True, type=Path, help="folder for the tables")
    run.add_argument("--batch-size", type=int, default=None,
                     help="articles per Prefect task (default: sized so each worker gets about four tasks, "
                          "between 25 and 1000)")
    run.add_argument("--runner", choices=("processes", "threads", "dask"),
                     default=os.environ.get("GAZETL_RUNNER") or "processes",
                     help="where batches run: a process per core (default), threads, or Dask (a local "
                          "cluster, or the one at $DASK_ADDRESS); default from $GAZETL_RUNNER")
    run.add_argument("--workers", type=int, default=None,
                     help="worker processes/threads (default: one per core; ignored with $DASK_ADDRESS)")
    run.add_argument("--max-bytes", type=int, default=5_000_000,
                     help="inputs larger than this are quarantined as oversized (default 5 MB)")
    run.add_argument("--reference", default=None,
                     help="Gaza MoH daily CSV for the reference cross-check (default: $GAZETL_REFERENCE, "
                          "else ../shared/reference/gaza_moh_daily.csv beside the project when present; "
                          "'' turns it off; a missing file is noted, never an error)")
    _add_run_policy(run)
    run.add_argument("--full-refresh", action="store_true",
                     help="ignore the ledger: reprocess every input (after changing the code or --max-bytes)")
    serve = sub.add_parser("serve", help="serve a scheduled deployment of the pipeline (needs a Prefect "
                                         "server: PREFECT_API_URL); runs until interrupted")
    serve.add_argument("--input", required=True, type=Path, help="folder of articles")
    serve.add_argument("--output", required=True, type=Path, help="folder for the tables")
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help='cron schedule, in UTC (e.g. "0 * * * *": hourly)')
    when.add_argument("--interval", type=float, help="run every this many seconds")
    serve.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")
    _add_run_policy(serve)
    return parser


def _add_run_policy(command: argparse.ArgumentParser) -> None:
    command.add_argument("--on-removed", choices=("drop", "keep"), default="drop",
                         help="rows of inputs gone from the folder since the last run: drop them "
                              "(default: the tables mirror the folder) or keep them")
    command.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                         help="when another run is writing the same output, wait this long for it "
                              "(default 0: exit at once with code 4)")


def _serve(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("gazetl: scheduling needs a Prefect server. Start one with\n"
              "  prefect server start --host 127.0.0.1\n"
              "and set PREFECT_API_URL=http://127.0.0.1:4200/api (see README, Scheduled runs)", file=sys.stderr)
        return EXIT_USAGE
    if not args.input.is_dir():
        print(f"gazetl: input folder not found: {args.input}", file=sys.stderr)
        return EXIT_USAGE
    _prefect_env(Path.cwd())
    from flows.schedule import serve

    serve(args.input, args.output, args.cron, args.interval, args.name, args.on_removed, args.wait_lock)
    return EXIT_OK


@contextlib.contextmanager
def _no_context():
    yield None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        if not args.input.is_dir():
            print(f"gazetl: input folder not found: {args.input}", file=sys.stderr)
            return EXIT_USAGE
        if args.batch_size is not None and args.batch_size < 1:
            print("gazetl: --batch-size must be at least 1", file=sys.stderr)
            return EXIT_USAGE
        from flows.lock import OutputBusy, output_lock

        try:
            if not args.wait_lock:
                # Fail fast, before the slow start of Prefect; the flow takes the lock for real.
                with output_lock(args.output):
                    pass
            _prefect_env(Path.cwd())
            from flows.pipeline import etl_flow  # Prefect is imported only when a run is asked for
            from flows.runners import shared_api_server, task_runner
            from expectations.validate import warm_up

            # Great Expectations takes seconds to import: do it while Prefect's server starts (in
            # another process, so on the other core), not once the flow needs it.
            threading.Thread(target=warm_up, daemon=True).start()

            if args.workers:
                os.environ["GAZETL_WORKERS"] = str(args.workers)
            runner = task_runner(args.runner, args.workers, os.environ.get("DASK_ADDRESS") or None)
            with shared_api_server() if args.runner != "threads" else _no_context():
                summary = etl_flow.with_options(task_runner=runner)(
                    str(args.input), str(args.output), batch_size=args.batch_size,
                    max_bytes=args.max_bytes, reference_path=args.reference,
                    on_removed=args.on_removed, full_refresh=args.full_refresh,
                    lock_wait_s=args.wait_lock)
        except OutputBusy as busy:
            print(f"gazetl: {busy}", file=sys.stderr)
            return EXIT_BUSY
        print(summary.text())
        if not summary.published:
            print("gazetl: blocking validation failures; nothing was published", file=sys.stderr)
            return EXIT_BLOCKED
        return EXIT_OK
    if args.command == "serve":
        return _serve(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
