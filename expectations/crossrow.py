"""Row-wise verdicts that need other rows (or several columns) of a table: pure pandas, no GX.

Each function takes the frame a GX map metric receives (only the columns it names, dates as ISO
strings, nulls as None/NaN) and returns a boolean Series on the same index: True = the row is fine.
The GX classes in `expectations.custom` are thin wrappers around these, so the logic can be tested
on its own and the stored GX results still carry the row indexes.
"""
from __future__ import annotations

import math

import pandas as pd

APPROXIMATE = ("about", "nearly")


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def point_range(frame: pd.DataFrame, tolerance: float) -> tuple[pd.Series, pd.Series]:
    """The stated figure, widened by `tolerance` (relative) when the wording is approximate.

    Monotonicity compares the figures themselves, not their bounds: "at least 30,000" after
    "34,683" is a lower toll an analyst wants to see, although the bounds do not contradict.
    """
    value = _numbers(frame["value"])
    slack = frame["qualifier"].isin(APPROXIMATE).astype(float) * tolerance
    return value * (1 - slack), value * (1 + slack)


def bounds(frame: pd.DataFrame, tolerance: float) -> tuple[pd.Series, pd.Series]:
    """Lowest and highest value the wording allows (docs/conventions.md, "Bounds from qualifiers").

    Approximate wordings have null bounds in the table; here they get `tolerance` around the
    figure, and an open side is unbounded.
    """
    value = _numbers(frame["value"])
    low, high = _numbers(frame["value_low"]), _numbers(frame["value_high"])
    approximate = frame["qualifier"].isin(APPROXIMATE)
    low = low.where(low.notna(), (value * (1 - tolerance)).where(approximate, 0.0))
    high = high.where(high.notna(), (value * (1 + tolerance)).where(frame["qualifier"] == "about", math.inf))
    return low, high


def _series_groups(frame: pd.DataFrame, key: list[str]):
    return frame.groupby(key, dropna=False, sort=False).groups.values()


def never_falls(frame: pd.DataFrame, key: list[str], tolerance: float) -> pd.Series:
    """False for a row whose figure is below a figure of the same series at an earlier as_of."""
    ok = pd.Series(True, index=frame.index)
    as_of = _dates(frame["as_of"])
    low, high = point_range(frame, tolerance)
    for rows in _series_groups(frame, key):
        dated = as_of[rows].dropna()
        if dated.nunique() < 2:
            continue
        best_low_by_day = low[dated.index].groupby(dated).max().sort_index()
        # The highest figure reported strictly before each day.
        before = best_low_by_day.cummax().shift(1)
        ok[dated.index] = ~(high[dated.index].to_numpy() < before.reindex(dated).to_numpy())
    return ok


def rises_only_with(frame: pd.DataFrame, key: list[str], metric: str, driver: str,
                    tolerance: float) -> pd.Series:
    """False for a `metric` row above an earlier figure of its series with no rise of `driver`
    in between (hostages held may only grow when more were taken)."""
    ok = pd.Series(True, index=frame.index)
    as_of = _dates(frame["as_of"])
    low, high = point_range(frame, tolerance)
    driver_rows = frame.index[(frame["metric"] == driver) & as_of.notna()]
    driver_by_day = _numbers(frame.loc[driver_rows, "value"]).groupby(as_of[driver_rows]).max().sort_index()
    running = driver_by_day.cummax()
    # The day the driver last reached its current level: earlier figures predate that rise.
    last_rise = running[running.diff().fillna(running) > 0]
    # Only the whole count: the held hostages declared dead (a subgroup) rise as captives die.
    whole = frame["subgroup"].isna() | (frame["subgroup"] == "") if "subgroup" in frame else True
    subject = frame[(frame["metric"] == metric) & (frame["scope"] == "stock") & as_of.notna() & whole]
    for rows in _series_groups(subject, key):
        dates = as_of[rows]
        for row in rows:
            rises = last_rise[last_rise.index <= dates[row]]
            since = rises.index[-1] if len(rises) else pd.Timestamp.min
            window = dates[(dates >= since) & (dates < dates[row])]
            if window.empty:
                continue
            # Against the latest earlier day only: one misread low figure should flag the rise
            # right after it, not every later figure of the series.
            previous = window.index[window == window.max()]
            if low[row] > high[previous].min():
                ok[row] = False
    return ok


def same_day_bounds_agree(frame: pd.DataFrame, key: list[str], tolerance: float) -> pd.Series:
    """False for a row whose bounds exclude those of another figure of the same series, scope and day."""
    low, high = bounds(frame, tolerance)
    groups = [frame[c] for c in key + ["scope", "as_of"]]
    highest_low = low.groupby(groups, dropna=False).transform("max")
    lowest_high = high.groupby(groups, dropna=False).transform("min")
    return ~((high < highest_low) | (low > lowest_high))


def not_after(frame: pd.DataFrame, column: str, reference: str, max_days: int) -> pd.Series:
    """False where `column` is more than `max_days` after `reference` (nulls pass)."""
    late = (_dates(frame[column]) - _dates(frame[reference])).dt.days > max_days
    return ~late.fillna(False).astype(bool)


def text_at_offsets(frame: pd.DataFrame, text: str) -> pd.Series:
    """True where the quote holds the figure's text exactly at its offsets (quote inside article,
    figure inside quote)."""
    def check(row) -> bool:
        quote, start = row["quote"], row["quote_start"]
        if not isinstance(quote, str) or not isinstance(row[text], str) or pd.isna(start):
            return False
        begin, end = int(row["char_start"]) - int(start), int(row["char_end"]) - int(start)
        return 0 <= begin < end <= len(quote) and quote[begin:end] == row[text]
    if frame.empty:
        return pd.Series(True, index=frame.index, dtype=bool)
    return frame.apply(check, axis=1).astype(bool)
