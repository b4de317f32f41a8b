"""Merge event mentions into events: the same happening reported by several articles is one row."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Iterator, Mapping

import pandas as pd

from transforms import ids

_PRECISION_ORDER = {"day": 0, "range": 1, "week": 2, "month": 3}
_SLACK = timedelta(days=1)  # outlets a day apart (time zones, "on Thursday" vs "yesterday") agree


def _window(row: dict) -> tuple:
    start = row["event_date"]
    end = row["event_date_end"] if row["event_date_end"] is not None else start
    return start, end


def _gap(value):
    """pandas may hold a missing value as NaN or NaT: every gap becomes a plain None."""
    if value is None or isinstance(value, (str, list, tuple)) or hasattr(value, "__len__"):
        return value
    return None if pd.isna(value) else value


def cluster_mentions(records: Iterable[dict]) -> Iterator[list[dict]]:
    """Clusters of mentions (records sorted by event_type, event_date, mention_id), each yielded
    as soon as no later mention can join it. Mentions merge when type matches, places do not
    differ (a missing place matches any) and their date windows overlap within a day. A mention
    joins the first cluster it fits, in date order, so the result is deterministic.

    Linear, and streaming: a cluster whose window ends more than a day before the current mention
    starts can take no later mention, so it is closed and handed on; memory holds open ones only."""
    open_clusters: list[dict] = []
    current_type = None
    for row in records:
        if row["event_type"] != current_type:
            for cluster in open_clusters:
                yield cluster["rows"]
            open_clusters, current_type = [], row["event_type"]
        start, end = _window(row)
        placed = False
        still_open = []
        for cluster in open_clusters:
            if cluster["end"] < start - _SLACK:
                yield cluster["rows"]  # closed: windows start in date order
                continue
            still_open.append(cluster)
            # Compared with the cluster's first window, which never grows: daily strikes on
            # consecutive days must not chain into one event. Tense is not compared: the
            # planned return reported on Sunday and the return reported on Tuesday are one event.
            if (not placed and start - _SLACK <= cluster["end"] and cluster["start"] - _SLACK <= end
                    and (row["location"] is None or cluster["location"] is None or row["location"] == cluster["location"])):
                cluster["rows"].append(row)
                cluster["location"] = cluster["location"] or row["location"]
                placed = True
        open_clusters = still_open
        if not placed:
            open_clusters.append({"start": start, "end": end, "location": row["location"], "rows": [row]})
    for cluster in open_clusters:
        yield cluster["rows"]


def event_row(part: list[dict], outlets: Mapping[str, str]) -> dict:
    """The event a cluster of mentions stands for."""
    best = min(part, key=lambda m: _PRECISION_ORDER.get(m["date_precision"], len(_PRECISION_ORDER)))
    location = next((m["location"] for m in part if m["location"]), None)
    located = next((m for m in part if m["location"] == location), None) if location else None
    actors = sorted({a for m in part if m["actors"] for a in m["actors"].split(";")})
    start = min(m["event_date"] for m in part)
    ends = [m["event_date_end"] for m in part if m["event_date_end"] is not None]
    return {
        "event_id": ids.stable_id(best["event_type"], start, location), "event_type": best["event_type"],
        "event_date": start, "event_date_end": max(ends) if ends else None,
        "date_precision": best["date_precision"],
        "tense": "future" if all(m["tense"] == "future" for m in part) else "past",
        "location": location,
        "location_lat": located["location_lat"] if located is not None else None,
        "location_lon": located["location_lon"] if located is not None else None,
        "actors": ";".join(actors) or None, "n_mentions": len(part),
        "n_articles": len({m["article_id"] for m in part}),
        "first_reported": min((m["published_date"] for m in part if m["published_date"] is not None), default=None),
        "outlets": ";".join(sorted({o for m in part if isinstance(o := outlets.get(m["article_id"]), str) and o})) or None,
        "flags": [],
    }


def merge_sorted_mentions(records: Iterable[dict], outlets: Mapping[str, str]) -> Iterator[tuple[dict, list[str]]]:
    """(event, its mention ids) for sorted mention records, streamed (see cluster_mentions)."""
    for part in cluster_mentions(records):
        yield event_row(part, outlets), [m["mention_id"] for m in part]


MENTION_ORDER = ("event_type", "event_date", "mention_id")


def merge_events(mentions: pd.DataFrame, articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events, and the mentions with event_id set: merge_sorted_mentions on frames."""
    if mentions.empty:
        return pd.DataFrame(), mentions.assign(event_id=pd.Series(dtype=object))
    outlets = dict(zip(articles["article_id"], articles["outlet"])) if not articles.empty else {}
    ordered = mentions.sort_values(list(MENTION_ORDER)).reset_index(drop=True)
    records = [{k: _gap(v) for k, v in row.items()} for row in ordered.to_dict("records")]
    events, event_of = [], {}
    for event, mention_ids in merge_sorted_mentions(records, outlets):
        events.append(event)
        event_of.update((m, event["event_id"]) for m in mention_ids)
    ordered = ordered.assign(event_id=ordered["mention_id"].map(event_of))
    return pd.DataFrame(events).sort_values("event_id").reset_index(drop=True), ordered
