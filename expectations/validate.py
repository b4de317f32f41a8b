"""Run the stored suites with Great Expectations and turn the results into an outcome and row flags.

A checkpoint or batch validation never raises on failed expectations: this module reads each
result and decides. Blocking expectations (schema, keys, codes, required fields) stop the publish;
the others put their `meta.name` into the failing rows' `flags` and the run publishes.
Cross-row rules see the whole frames they are given, so callers pass the full tables.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from expectations.suites import VIEW_COLUMNS, suite_path

# Columns shown for a flagged row in the summary, when the table has them.
IDENTIFYING = ("source_path", "metric", "value", "scope", "as_of", "source_norm", "event_type", "event_date",
               "nearest_delta_pct")
N_EXAMPLES = 3


@dataclass
class Failure:
    table: str
    name: str
    blocking: bool
    unexpected_count: int | None
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        count = "n/a" if self.unexpected_count is None else self.unexpected_count
        return f"{self.table}: {self.name} ({count} unexpected)"


@dataclass
class ValidationOutcome:
    outcome: str  # passed | passed_with_flags | blocked
    failures: list[Failure] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # table -> GX validation result as JSON
    docs: dict = field(default_factory=dict)  # table -> Data Docs page (offline HTML)
    flagged: dict = field(default_factory=dict)  # table -> {row index: [expectation names]}
    notes: list[str] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[str]:
        return [f.line() for f in self.failures if f.blocking]

    def summary(self) -> str:
        lines = [f"validation: {self.outcome}"]
        for table, flags in self.flagged.items():
            if flags:
                lines.append(f"  {table}: {len(flags)} row(s) flagged")
        for failure in self.failures:
            lines.append(("  BLOCKING " if failure.blocking else "  flag ") + failure.line())
            lines.extend(f"      e.g. {example}" for example in failure.examples)
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


def validation_view(name: str, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The frame GX sees: the table as given plus the VIEW_COLUMNS joined from other tables."""
    frame = frames[name].reset_index(drop=True)
    for column, (other, source) in VIEW_COLUMNS.get(name, {}).items():
        lookup = frames.get(other)
        if lookup is None or lookup.empty or "article_id" not in frame.columns:
            frame = frame.assign(**{column: pd.Series([None] * len(frame), dtype="float64")})
            continue
        mapping = dict(zip(lookup["article_id"], lookup[source]))
        # Numeric even when empty: GX compares it with offsets, and an empty str column cannot.
        frame = frame.assign(**{column: pd.to_numeric(frame["article_id"].map(mapping), errors="coerce")})
    return frame


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates stay `datetime.date` objects: GX turns a suite's ISO bounds into dates, and compares
    them with date values only (ISO strings or Timestamps raise). Lists become strings."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, date)).any():
            out[column] = pd.Series([v if isinstance(v, date) else None for v in out[column]],
                                    index=out.index, dtype=object)
        elif out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(lambda v: ",".join(v) if isinstance(v, list) else v)
    return out


def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # imported here: it is slow to import and only this step needs it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import expectations.custom  # noqa: F401  registers the custom expectation classes

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, context


def load_suite(gx, name: str):
    stored = json.loads(suite_path(name).read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(name=name, meta=stored.get("meta", {}))
    for config in stored["expectations"]:
        cls = gx.expectations.registry.get_expectation_impl(config["type"])
        suite.add_expectation(cls(**config["kwargs"], meta=config.get("meta", {})))
    return suite


def _row_indexes(result: dict) -> list[int]:
    rows = []
    for index in result.get("unexpected_index_list") or []:
        row = index.get("index") if isinstance(index, dict) else index
        if row is not None:
            rows.append(int(row))
    return rows


def _examples(frame: pd.DataFrame, rows: list[int]) -> list[str]:
    columns = [c for c in dict.fromkeys(IDENTIFYING) if c in frame.columns]
    out = []
    for row in rows[:N_EXAMPLES]:
        values = frame.loc[row, columns]
        out.append(", ".join(f"{c}={values[c]}" for c in columns if not _missing(values[c])))
    return out


def _raised(info) -> str:
    """The exception message when GX caught one (top level, or nested per metric), else ''."""
    if not info:
        return ""
    entries = [info] + [v for v in info.values() if isinstance(v, dict)]
    for entry in entries:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "exception")
    return ""


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (list, str)) and pd.isna(value))


def validate_tables(frames: dict[str, pd.DataFrame], notes: list[str] | None = None) -> ValidationOutcome:
    """Validate every frame that has a stored suite; frames are the tables as they will be written."""
    from expectations.docs import offline_page

    gx, context = _gx_context()
    source = context.data_sources.add_pandas("pipeline")
    outcome = ValidationOutcome("passed", notes=list(notes or []))
    for name in frames:
        if not suite_path(name).exists():
            continue
        suite = context.suites.add(load_suite(gx, name))
        view = validation_view(name, frames)
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all") \
            .get_batch(batch_parameters={"dataframe": _comparable(view)})
        result = batch.validate(suite, result_format="COMPLETE")
        outcome.results[name] = result.to_json_dict()
        outcome.docs[name] = offline_page(result)
        flags: dict[int, list[str]] = {}
        for item in result.results:
            if item.success:
                continue
            config = item.expectation_config
            meta = config.meta or {}
            label = meta.get("name") or config.type
            rows = _row_indexes(item.result)
            if _raised(item.exception_info):
                # An expectation that crashed tells nothing about the rows: report it, flag none.
                outcome.failures.append(Failure(name, label, bool(meta.get("blocking")), None,
                                                [_raised(item.exception_info)[:300]]))
                continue
            if meta.get("blocking"):
                examples = [repr(v) for v in (item.result.get("partial_unexpected_list") or [])[:N_EXAMPLES]]
                outcome.failures.append(Failure(name, label, True, item.result.get("unexpected_count"), examples))
                continue
            outcome.failures.append(Failure(name, label, False, len(rows), _examples(view, rows)))
            for row in rows:
                flags.setdefault(row, []).append(label)
        outcome.flagged[name] = flags
    if any(f.blocking for f in outcome.failures):
        outcome.outcome = "blocked"
    elif any(outcome.flagged.values()):
        outcome.outcome = "passed_with_flags"
    return outcome


def apply_flags(frame: pd.DataFrame, flags: dict[int, list[str]]) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    existing = frame["flags"] if "flags" in frame.columns else pd.Series([[]] * len(frame))
    frame["flags"] = [sorted(set(list(_as_list(existing[i])) + flags.get(i, []))) for i in range(len(frame))]
    return frame


def _as_list(value) -> list:
    if value is None or (not isinstance(value, (list, tuple, str)) and not hasattr(value, "__len__")):
        return []
    return list(value)
