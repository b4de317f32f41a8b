"""The facts a run report states, derived once from the parts of ReportInputs for both the HTML
page and the Prefect artifacts (so the two cannot disagree). Plain values out; the callers format."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reporting.charts import death_toll_points, events_points

# (runs column, label): what came in, and what the published tables hold.
INPUT_COUNTS = (("n_inputs", "discovered"), ("n_new", "new"), ("n_changed", "changed"),
                ("n_skipped_unchanged", "unchanged"), ("n_removed", "removed"))
ROW_COUNTS = (("n_articles", "articles"), ("n_claims", "claims"), ("n_event_mentions", "event mentions"),
              ("n_events", "events"), ("n_quarantined", "quarantined"), ("n_flagged_rows", "flagged rows"))
OUTCOME_LABELS = {"passed": "passed", "passed_with_flags": "flagged", "blocked": "blocked"}
N_EXAMPLE_PATHS = 3


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def counts(run: dict, columns: tuple[tuple[str, str], ...]) -> list[tuple[str, str, int | None]]:
    """(column, label, value) in order; None for a count the run did not measure."""
    out = []
    for column, label in columns:
        value = run.get(column)
        out.append((column, label, None if value is None or pd.isna(value) else int(value)))
    return out


@dataclass(frozen=True)
class QuarantineReason:
    reason_code: str
    n: int
    stages: list[str]
    example_paths: list[str]


def quarantine_reasons(quarantine: pd.DataFrame) -> list[QuarantineReason]:
    """One entry per reason_code, most frequent first, with a few example paths (sorted)."""
    if quarantine is None or quarantine.empty:
        return []
    reasons = []
    for reason, rows in quarantine.groupby(quarantine["reason_code"].astype(str), sort=True):
        paths = sorted(set(rows["source_path"].astype(str)))
        stages = sorted(set(rows["stage"].astype(str))) if "stage" in rows else []
        reasons.append(QuarantineReason(reason, len(rows), stages, paths[:N_EXAMPLE_PATHS]))
    return sorted(reasons, key=lambda r: (-r.n, r.reason_code))


@dataclass(frozen=True)
class TableValidation:
    table: str
    rows_flagged: int
    blocking: int  # failed blocking expectations
    flagging: int  # failed non-blocking expectations


def validation_by_table(validation: dict) -> list[TableValidation]:
    """Per table: rows flagged and failed expectations, tables in the order the summary lists them."""
    flagged = validation.get("rows_flagged") or {}
    failures = validation.get("failures") or []
    tables = list(dict.fromkeys([*flagged, *(str(f.get("table")) for f in failures)]))
    return [TableValidation(
        table, int(flagged.get(table) or 0),
        sum(1 for f in failures if str(f.get("table")) == table and f.get("blocking")),
        sum(1 for f in failures if str(f.get("table")) == table and not f.get("blocking")),
    ) for table in tables]


def failures(validation: dict) -> list[dict]:
    """The failed expectations, blocking ones first, in the summary's order otherwise."""
    items = list(validation.get("failures") or [])
    return sorted(items, key=lambda f: not f.get("blocking"))


@dataclass(frozen=True)
class SeriesSummary:
    population: str
    source_norm: str
    points: int
    first_as_of: object
    last_as_of: object
    last_value: int
    n_claims: int


def death_toll_summary(series: pd.DataFrame) -> list[SeriesSummary]:
    """One entry per line of the death-toll chart, in the chart's order."""
    data = death_toll_points(series)
    out = []
    for (population, source), rows in data.groupby(["population", "source_norm"], sort=False):
        out.append(SeriesSummary(population, source, len(rows), rows["as_of"].iloc[0].date(),
                                 rows["as_of"].iloc[-1].date(), int(rows["value"].iloc[-1]),
                                 int(pd.to_numeric(rows["n_claims"]).sum())))
    return out


@dataclass(frozen=True)
class EventTypeCount:
    event_type: str
    reported: int  # past, single day (or week/month start)
    planned: int  # future, single day
    windows: int  # several-day date windows, either tense
    undated: int


def events_by_type(events: pd.DataFrame) -> list[EventTypeCount]:
    if events is None or events.empty:
        return []
    drawn = events_points(events)
    undated = events[events["event_date"].isna()]["event_type"].astype(str).value_counts()
    types = list(dict.fromkeys([*drawn["event_type"], *sorted(undated.index)]))
    out = []
    for event_type in types:
        rows = drawn[drawn["event_type"] == event_type]
        points = rows[rows["kind"] == "point"]
        out.append(EventTypeCount(event_type, int((points["tense"] == "past").sum()),
                                  int((points["tense"] == "future").sum()),
                                  int((rows["kind"] == "range").sum()), int(undated.get(event_type, 0))))
    return out
