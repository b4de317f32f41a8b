"""What a run report is made from, gathered once so that the HTML page and the Prefect artifacts
say the same thing."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# The chart data contracts. DEATH_TOLL_COLUMNS is shared with the warehouse view of that name.
DEATH_TOLL_COLUMNS = ("source_norm", "population", "as_of", "value", "n_claims", "n_articles")
REFERENCE_COLUMNS = ("date", "value", "basis")  # basis: reported (that day's bulletin) or extended
EVENT_COLUMNS = ("event_type", "event_date", "event_date_end", "tense")
QUARANTINE_COLUMNS = ("source_path", "stage", "reason_code")


@dataclass(frozen=True)
class ReportInputs:
    # One row of the runs table (column -> value); counts that a run did not measure are None.
    run: dict
    # OUTPUT/validation/summary.json as written by expectations/report.py:
    # {"outcome", "failures": [{"table", "name", "blocking", "unexpected_count", "examples"}],
    #  "rows_flagged": {table: n}, "notes": [...]}
    validation: dict
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS, one row per quarantine row
    death_toll_series: pd.DataFrame  # DEATH_TOLL_COLUMNS
    events: pd.DataFrame  # at least EVENT_COLUMNS of the events table
    reference: pd.DataFrame | None = None  # REFERENCE_COLUMNS: the ministry's daily cumulative killed
    # Link from the report to this run's Data Docs; None when the run published none (blocked).
    data_docs_href: str | None = None
    # Why some of the above is empty or partial (a table missing, no reference file, ...).
    notes: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return str(self.validation.get("outcome") or self.run.get("validation_outcome") or "unknown")

    @property
    def published(self) -> bool:
        return self.outcome != "blocked"


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})
