"""Cross-check cumulative health-ministry tolls against the ministry's own daily series.

The reference (../shared/reference/gaza_moh_daily.csv, see its README) is optional: without it
the `reference_check` table is empty and the run says so. Which claims are compared and with which
column is configured in rules.json ("reference").
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from expectations.suites import RULES
from expectations.validate import sql_literal
from schemas import TABLES

ENV_VAR = "GAZETL_REFERENCE"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = PROJECT_ROOT.parent / "shared" / "reference" / "gaza_moh_daily.csv"


@dataclass
class ReferenceCheck:
    frame: pd.DataFrame
    note: str


def resolve_path(given: str | os.PathLike | None) -> Path | None:
    """The reference to use: the given path, else $GAZETL_REFERENCE, else the default beside the
    project. An empty string switches the cross-check off."""
    for candidate in (given, os.environ.get(ENV_VAR), DEFAULT_PATH):
        if candidate is not None:
            return Path(candidate) if str(candidate) else None
    return None


def load(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame.set_index("date")


def _figure(reference: pd.DataFrame, day: date, column: str, extended: str | None) -> tuple[int | None, str | None]:
    if day not in reference.index:
        return None, None
    row = reference.loc[day]
    if row.get(column, ""):
        return int(float(row[column])), "reported"
    if extended and row.get(extended, ""):
        return int(float(row[extended])), "extended"
    return None, None


def _pct(delta: int | None, base: int | None) -> float | None:
    return None if delta is None or not base else round(100.0 * delta / base, 3)


# The claim columns compare() reads: a caller holding many claims passes these only.
CLAIM_COLUMNS = ("claim_id", "article_id", "source_path", "metric", "qualifier", "value", "as_of", "scope",
                 "source_norm", "population", "subgroup", "cause")


def candidates_sql() -> str:
    """A SQL condition narrowing the claims to those compare() may choose (it applies its whole
    rule itself), so a caller need not fetch every claim."""
    rules = RULES["reference"]
    metrics = ", ".join(sql_literal(m) for m in rules["columns"])
    norms = ", ".join(sql_literal(n) for n in rules["source_norms"])
    return f"metric IN ({metrics}) AND scope = 'cumulative' AND source_norm IN ({norms}) AND as_of IS NOT NULL"


def compare(claims: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    rules = RULES["reference"]
    columns = TABLES["reference_check"].column_names
    if claims.empty:
        return pd.DataFrame(columns=columns)
    chosen = claims[claims["metric"].isin(list(rules["columns"])) & (claims["scope"] == "cumulative")
                    & claims["source_norm"].isin(rules["source_norms"])
                    & (claims["population"] == rules["population"])
                    & claims["subgroup"].isna() & claims["cause"].isna() & claims["as_of"].notna()]
    slack = rules["date_slack_days"]
    rows = []
    for claim in chosen.itertuples(index=False):
        column, extended = rules["columns"][claim.metric], rules["extended_columns"].get(claim.metric)
        as_of = claim.as_of if isinstance(claim.as_of, date) else pd.Timestamp(claim.as_of).date()
        value, basis = _figure(reference, as_of, column, extended)
        delta = None if value is None else int(claim.value) - value
        nearby = [(as_of + timedelta(days=d), _figure(reference, as_of + timedelta(days=d), column, None)[0])
                  for d in range(-slack, slack + 1)]
        nearby = [(day, figure) for day, figure in nearby if figure is not None]
        near_day, near_value = min(nearby, key=lambda p: (abs(int(claim.value) - p[1]), p[0] != as_of),
                                   default=(None, None))
        near_delta = None if near_value is None else int(claim.value) - near_value
        rows.append({
            "claim_id": claim.claim_id, "article_id": claim.article_id, "source_path": claim.source_path,
            "metric": claim.metric, "qualifier": claim.qualifier, "value": int(claim.value), "as_of": as_of,
            "reference_value": value, "reference_basis": basis, "delta": delta, "delta_pct": _pct(delta, value),
            "nearest_reference_date": near_day, "nearest_reference_value": near_value,
            "nearest_delta": near_delta, "nearest_delta_pct": _pct(near_delta, near_value), "flags": [],
        })
    return pd.DataFrame(rows, columns=columns)


def check(claims: pd.DataFrame, path: str | os.PathLike | None = None) -> ReferenceCheck:
    """The reference_check table and a line for the summary; never raises for a missing file."""
    resolved = resolve_path(path)
    empty = pd.DataFrame(columns=TABLES["reference_check"].column_names)
    if resolved is None:
        return ReferenceCheck(empty, "reference cross-check: off")
    if not resolved.is_file():
        return ReferenceCheck(empty, f"reference cross-check: skipped, {resolved} not found")
    try:
        frame = compare(claims, load(resolved))
    except (OSError, ValueError, KeyError) as exc:
        return ReferenceCheck(empty, f"reference cross-check: skipped, {resolved} unreadable ({exc})")
    note = f"reference cross-check: {len(frame)} claim(s) compared with {resolved}"
    if len(frame) and frame["nearest_delta_pct"].notna().any():
        worst = frame.loc[frame["nearest_delta_pct"].abs().idxmax()]
        note += (f"; median |delta| {frame['nearest_delta_pct'].abs().median():.2f}%, "
                 f"largest {worst['nearest_delta_pct']:+.2f}% ({worst['source_path']}, {worst['metric']} "
                 f"{worst['value']} as of {worst['as_of']})")
    return ReferenceCheck(frame, note)
