"""Run the stored suites with Great Expectations and turn the results into an outcome and row flags.

A checkpoint or batch validation never raises on failed expectations: this module reads the
result and decides. Blocking expectations (schema, keys, codes) stop the publish; the others flag
the offending rows (their names go into the row's `flags`) and the run publishes.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from expectations.suites import suite_path


@dataclass
class ValidationOutcome:
    outcome: str  # passed | passed_with_flags | blocked
    blocking_failures: list[str] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # table -> GX result as JSON
    flagged: dict = field(default_factory=dict)  # table -> {row index: [expectation names]}

    def summary(self) -> str:
        lines = [f"validation: {self.outcome}"]
        for table, flags in self.flagged.items():
            if flags:
                lines.append(f"  {table}: {len(flags)} row(s) flagged")
        lines.extend(f"  BLOCKING: {failure}" for failure in self.blocking_failures)
        return "\n".join(lines)


def _expectation_name(config: dict) -> str:
    kwargs = config.get("kwargs", {})
    parts = [config["type"], kwargs.get("column", "")]
    if kwargs.get("row_condition"):
        condition = kwargs["row_condition"]
        parts.append(str(condition.get("condition", condition) if isinstance(condition, dict) else condition).replace('"', ""))
    return ":".join(p for p in parts if p)


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """GX compares dates as strings in this version: give it ISO strings, keep nulls."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, date)).any():
            out[column] = out[column].map(lambda v: v.isoformat() if isinstance(v, date) else None)
        elif out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(lambda v: ",".join(v) if isinstance(v, list) else v)
    return out


def validate_tables(frames: dict[str, pd.DataFrame]) -> ValidationOutcome:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # imported here: it is slow to import and only this step needs it

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_pandas("pipeline")
    outcome = ValidationOutcome("passed")
    for name, frame in frames.items():
        stored = json.loads(suite_path(name).read_text(encoding="utf-8"))
        suite = gx.ExpectationSuite(name=name)
        for config in stored["expectations"]:
            cls = gx.expectations.registry.get_expectation_impl(config["type"])
            suite.add_expectation(cls(**config["kwargs"], meta=config.get("meta", {})))
        suite = context.suites.add(suite)
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("all") \
            .get_batch(batch_parameters={"dataframe": _comparable(frame.reset_index(drop=True))})
        result = batch.validate(suite, result_format="COMPLETE")
        outcome.results[name] = result.describe_dict() if hasattr(result, "describe_dict") else result.to_json_dict()
        flags: dict[int, list[str]] = {}
        for item in result.results:
            if item.success:
                continue
            config = item.expectation_config.to_json_dict()
            label = _expectation_name(config)
            if config.get("meta", {}).get("blocking"):
                outcome.blocking_failures.append(f"{name}: {label} ({item.result.get('unexpected_count', 'n/a')} unexpected)")
                continue
            for index in item.result.get("unexpected_index_list") or []:
                row = index if isinstance(index, int) else index.get("index") if isinstance(index, dict) else None
                if row is not None:
                    flags.setdefault(int(row), []).append(label)
        outcome.flagged[name] = flags
    if outcome.blocking_failures:
        outcome.outcome = "blocked"
    elif any(outcome.flagged.values()):
        outcome.outcome = "passed_with_flags"
    return outcome


def apply_flags(frame: pd.DataFrame, flags: dict[int, list[str]]) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    existing = frame["flags"] if "flags" in frame.columns else pd.Series([[]] * len(frame))
    frame["flags"] = [sorted(set(list(existing[i] or []) + flags.get(i, []))) for i in range(len(frame))]
    return frame
