"""Command line: `gazetl run --input DIR --output DIR`.

Exit codes: 0 the run published (bad inputs are quarantined, not failures); 2 usage error or
missing input folder; 3 a blocking validation failure stopped the publish (previous output kept).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_BLOCKED = 0, 2, 3


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
               "(the previous output is left untouched).")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline once on a folder of articles")
    run.add_argument("--input", required=True, type=Path,
                     help="folder of articles (.txt, .html, .htm, .md), read recursively; optional "
                          "NAME.meta.json sidecars or a manifest.csv/manifest.jsonl")
    run.add_argument("--output", required=True, type=Path, help="folder for the tables")
    run.add_argument("--batch-size", type=int, default=200, help="articles per Prefect task (default 200)")
    run.add_argument("--max-bytes", type=int, default=5_000_000,
                     help="inputs larger than this are quarantined as oversized (default 5 MB)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        if not args.input.is_dir():
            print(f"gazetl: input folder not found: {args.input}", file=sys.stderr)
            return EXIT_USAGE
        if args.batch_size < 1:
            print("gazetl: --batch-size must be at least 1", file=sys.stderr)
            return EXIT_USAGE
        _prefect_env(Path.cwd())
        from flows.pipeline import etl_flow  # Prefect is imported only when a run is asked for

        summary = etl_flow(str(args.input), str(args.output), batch_size=args.batch_size,
                           max_bytes=args.max_bytes)
        print(summary.text())
        if not summary.published:
            print("gazetl: blocking validation failures; nothing was published", file=sys.stderr)
            return EXIT_BLOCKED
        return EXIT_OK
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
