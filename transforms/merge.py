"""Merge event mentions into events: the same happening reported by several articles is one row."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd

from transforms import ids

_PRECISION_ORDER = {"day": 0, "range": 1, "week": 2, "month": 3}
_SLACK = timedelta(days=1)  # outlets a day apart (time zones, "on Thursday" vs "yesterday") agree


def _window(row) -> tuple:
    start = row["event_date"]
    end = row["event_date_end"] if pd.notna(row["event_date_end"]) and row["event_date_end"] is not None else start
    return start, end


def merge_events(mentions: pd.DataFrame, articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events, and the mentions with event_id set. Mentions merge when type matches, places do
    not differ (a missing place matches any) and their date windows overlap within a day. A
    mention joins the first cluster it fits, in date order, so the result is deterministic."""
    if mentions.empty:
        return pd.DataFrame(), mentions.assign(event_id=pd.Series(dtype=object))
    # pandas may hold missing strings as NaN: make every gap a plain None before comparing.
    mentions = mentions.astype(object).where(mentions.notna(), None)
    outlets = dict(zip(articles["article_id"], articles["outlet"])) if not articles.empty else {}
    ordered = mentions.sort_values(["event_type", "event_date", "mention_id"]).reset_index(drop=True)
    clusters: list[list[int]] = []
    for event_type, group in ordered.groupby("event_type", sort=True):
        open_clusters: list[dict] = []
        for idx, row in group.iterrows():
            start, end = _window(row)
            placed = False
            for cluster in open_clusters:
                # Compared with the cluster's first window, which never grows: daily strikes on
                # consecutive days must not chain into one event. Tense is not compared: the
                # planned return reported on Sunday and the return reported on Tuesday are one event.
                if (start - _SLACK <= cluster["end"] and cluster["start"] - _SLACK <= end
                        and (row["location"] is None or cluster["location"] is None or row["location"] == cluster["location"])):
                    cluster["rows"].append(idx)
                    cluster["location"] = cluster["location"] or row["location"]
                    placed = True
                    break
            if not placed:
                open_clusters.append({"start": start, "end": end, "location": row["location"], "rows": [idx]})
        clusters.extend(c["rows"] for c in open_clusters)
    events = []
    event_ids = [None] * len(ordered)
    for rows in clusters:
        part = ordered.loc[rows]
        best = part.sort_values("date_precision", key=lambda s: s.map(_PRECISION_ORDER)).iloc[0]
        location = next((loc for loc in part["location"] if loc), None)
        located = part[part["location"] == location].iloc[0] if location else None
        actors = sorted({a for value in part["actors"] if value for a in value.split(";")})
        start = min(part["event_date"])
        ends = [e for e in part["event_date_end"] if e is not None and pd.notna(e)]
        event_id = ids.stable_id(best["event_type"], start, location)
        for r in rows:
            event_ids[r] = event_id
        events.append({
            "event_id": event_id, "event_type": best["event_type"], "event_date": start,
            "event_date_end": max(ends) if ends else None, "date_precision": best["date_precision"],
            "tense": "future" if (part["tense"] == "future").all() else "past",
            "location": location,
            "location_lat": located["location_lat"] if located is not None else None,
            "location_lon": located["location_lon"] if located is not None else None,
            "actors": ";".join(actors) or None, "n_mentions": len(part),
            "n_articles": part["article_id"].nunique(),
            "first_reported": min((d for d in part["published_date"] if d is not None), default=None),
            "outlets": ";".join(sorted({o for a in part["article_id"] if isinstance(o := outlets.get(a), str) and o})) or None,
            "flags": [],
        })
    ordered["event_id"] = event_ids
    return pd.DataFrame(events).sort_values("event_id").reset_index(drop=True), ordered
