"""Report inputs made up for the report tests (renderer, artifacts and browser): a run row,
validation summaries and the chart frames, small enough to count every mark by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd

from reporting.inputs import (DEATH_TOLL_COLUMNS, EVENT_COLUMNS, QUARANTINE_COLUMNS, REFERENCE_COLUMNS,
                              ReportInputs)

RUN_ID = "20260105T120000Z-ab12cd"
DOCS_HREF = f"../_snapshots/{RUN_ID}-1a2b/validation/index.html"


def run_row(**changes) -> dict:
    row = {
        "run_id": RUN_ID, "started_at": datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc),
        "finished_at": datetime(2026, 1, 5, 12, 0, 41, tzinfo=timezone.utc), "duration_s": 41.2,
        "input_dir": "articles", "runner": "prefect-threads", "n_inputs": 14, "n_articles": 11,
        "n_quarantined": 3, "n_claims": 57, "n_event_mentions": 19, "n_events": 9, "n_flagged_rows": 2,
        "n_new": 4, "n_changed": 1, "n_skipped_unchanged": 9, "n_removed": 0, "on_removed": "drop",
        "validation_outcome": "passed", "code_version": "0.1.0",
    }
    return {**row, **changes}


def validation(outcome: str = "passed", failures: list[dict] | None = None,
               rows_flagged: dict | None = None, notes: list[str] | None = None) -> dict:
    flagged = {"articles": 0, "claims": 0, "event_mentions": 0, "events": 0, "quarantine": 0, "reference_check": 0}
    return {"outcome": outcome, "failures": failures or [], "rows_flagged": {**flagged, **(rows_flagged or {})},
            "notes": notes or []}


def failure(table: str, name: str, blocking: bool, count: int | None, examples: list[str]) -> dict:
    return {"table": table, "name": name, "blocking": blocking, "unexpected_count": count, "examples": examples}


def toll(rows: list[tuple[str, str | None, str, int]]) -> pd.DataFrame:
    """(source_norm, population, as_of ISO, value) -> death_toll_series rows, one claim each."""
    return pd.DataFrame([{"source_norm": s, "population": p, "as_of": date.fromisoformat(d), "value": v,
                          "n_claims": 1, "n_articles": 1} for s, p, d, v in rows], columns=list(DEATH_TOLL_COLUMNS))


def events(rows: list[tuple[str, str | None, str | None, str]]) -> pd.DataFrame:
    """(event_type, event_date ISO or None, event_date_end ISO or None, tense) -> events rows."""
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    return pd.DataFrame([{"event_type": t, "event_date": day(start), "event_date_end": day(end), "tense": tense}
                         for t, start, end, tense in rows], columns=list(EVENT_COLUMNS))


def quarantine(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(source_path, stage, reason_code) -> quarantine rows."""
    return pd.DataFrame(rows, columns=list(QUARANTINE_COLUMNS))


def reference(first: str, days: int, start: int, per_day: int) -> pd.DataFrame:
    begin = date.fromisoformat(first)
    return pd.DataFrame([{"date": begin + timedelta(days=i), "value": start + per_day * i, "basis": "reported"}
                         for i in range(days)], columns=list(REFERENCE_COLUMNS))


def inputs(run: dict | None = None, summary: dict | None = None, quarantined: pd.DataFrame | None = None,
           series: pd.DataFrame | None = None, merged: pd.DataFrame | None = None,
           reference_series: pd.DataFrame | None = None, docs_href: str | None = DOCS_HREF,
           notes: list[str] | None = None) -> ReportInputs:
    return ReportInputs(
        run=run or run_row(), validation=summary or validation(),
        quarantine=quarantined if quarantined is not None else quarantine([]),
        death_toll_series=series if series is not None else toll([]),
        events=merged if merged is not None else events([]),
        reference=reference_series, data_docs_href=docs_href, notes=notes or [],
    )


# A run with flags, quarantined inputs, several sources over months and every kind of event mark.
FLAGGED_TOLL = toll([
    ("gaza_moh", "gaza_palestinians", "2024-01-21", 25084),
    ("gaza_moh", "gaza_palestinians", "2024-03-03", 30387),
    ("gaza_moh", "gaza_palestinians", "2024-05-22", 35690),
    ("gaza_moh", "gaza_palestinians", "2024-10-21", 42587),
    ("un", "gaza_palestinians", "2024-02-10", 28100),
    ("un", "gaza_palestinians", "2024-06-01", 36200),
    ("unattributed", "gaza_palestinians", "2024-08-14", 39965),
    ("idf", "israeli_soldiers", "2024-08-14", 689),
])
FLAGGED_EVENTS = events([
    ("talks", "2024-03-03", None, "past"),
    ("talks", "2024-03-04", None, "future"),
    ("meeting", "2024-07-10", None, "future"),
    ("attack", "2024-01-20", "2024-01-21", "past"),  # a window: a bar
    ("attack", "2024-05-22", None, "past"),
    ("truce", "2024-11-24", "2024-11-28", "future"),  # a planned window: a hatched bar
    ("release", "2024-11-24", None, "past"),
    ("statement", None, None, "past"),  # undated: counted, not drawn
])
FLAGGED_QUARANTINE = quarantine([
    ("bad/empty.txt", "read", "empty"),
    ("bad/blob.html", "decode", "binary"),
    ("bad/zero.md", "read", "empty"),
])
FLAGGED_VALIDATION = validation(
    "passed_with_flags",
    [failure("claims", "cumulative_never_falls", False, 2,
             ["source_path=a.txt, metric=killed, value=30100, as_of=2024-03-01"])],
    {"claims": 2},
    ["reference cross-check: 4 claim(s) compared with gaza_moh_daily.csv"],
)


def flagged_inputs() -> ReportInputs:
    return inputs(run=run_row(validation_outcome="passed_with_flags"), summary=FLAGGED_VALIDATION,
                  quarantined=FLAGGED_QUARANTINE, series=FLAGGED_TOLL, merged=FLAGGED_EVENTS,
                  reference_series=reference("2023-12-01", 400, 15000, 90))
