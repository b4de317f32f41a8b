"""Identical articles under several paths (syndicated wire copy, a file saved twice).

Their text hashes to the same `article_id`, so their claims and mentions would share ids and break
the tables' keys. The first path (in path order) keeps the rows; the others go to quarantine with
the path they duplicate, so nothing vanishes silently.
"""
from __future__ import annotations

import pandas as pd

ROW_TABLES = ("claims", "event_mentions")


def split_duplicate_articles(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """The frames without the rows of duplicate paths, and one quarantine row per duplicate path."""
    articles = frames.get("articles")
    if articles is None or articles.empty or articles["article_id"].is_unique:
        return frames, []
    ordered = articles.sort_values("source_path", kind="stable")
    duplicate = ordered.duplicated("article_id", keep="first")
    first_path = ordered[~duplicate].set_index("article_id")["source_path"]
    dropped = ordered[duplicate]
    quarantine = [{"source_path": row.source_path, "stage": "extract", "reason_code": "duplicate_content",
                   "detail": f"same text as {first_path[row.article_id]} (article_id {row.article_id})",
                   "n_bytes": None}
                  for row in dropped.itertuples()]
    dropped_paths = set(dropped["source_path"])
    out = dict(frames)
    out["articles"] = articles[~articles["source_path"].isin(dropped_paths)].reset_index(drop=True)
    for name in ROW_TABLES:
        frame = frames.get(name)
        if frame is not None and not frame.empty:
            out[name] = frame[~frame["source_path"].isin(dropped_paths)].reset_index(drop=True)
    return out, quarantine
