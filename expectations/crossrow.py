"""Row-wise verdicts that need other rows (or several columns) of a table: pure pandas, no GX.

Each function takes the frame a GX map metric receives (only the columns it names, dates as ISO
strings, nulls as None/NaN) and returns a boolean Series on the same index: True = the row is fine.
The GX classes in `expectations.custom` are thin wrappers around these, so the logic can be tested
on its own and the stored GX results still carry the row indexes.

The frames hold a whole run's claims (hundreds of thousands of rows), so nothing here loops over
rows or series in Python except `text_at_offsets`, whose string slicing needs it: series are
turned into integer codes, rows are sorted by (series, day) once, and each (series, day) run is
reduced with numpy. The index only has to be unique; it may be in any order.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

APPROXIMATE = ("about", "nearly")
NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


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


def _codes(columns: list[pd.Series]) -> np.ndarray:
    """One integer per row, equal where the rows agree on every column. Nulls of any kind (None,
    NaN, NA) are one value, as in `groupby(dropna=False)`, which factorizes its keys the same way."""
    combined, size = np.zeros(len(columns[0]), dtype=np.int64), 1
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        if size * len(uniques) >= 2**62:  # renumber densely (below the row count) before it could overflow
            combined, size = pd.factorize(combined)[0], len(combined)
        combined, size = combined * len(uniques) + codes, size * max(len(uniques), 1)
    return combined


def _ticks(dates) -> np.ndarray:
    """Datetimes as int64 in their own unit (NaT is the smallest int64); comparable within one column."""
    return pd.DatetimeIndex(dates).asi8


class _SeriesDays:
    """Rows sorted by (series, day), and the runs of rows sharing a series and a day.

    `rows` are positions in the frame and `series`, `day` integers per row (a day's ticks where
    order matters, any code where only sameness does). `day_of` maps each sorted row to its run;
    `series_of_day` and `day` describe the runs, in order, so run i - 1 is the previous day of
    run i's series when `series_of_day` agrees."""

    def __init__(self, rows: np.ndarray, series: np.ndarray, day: np.ndarray):
        order = np.lexsort((day, series))
        self.rows, self.series, day = rows[order], series[order], day[order]
        starts_run = np.ones(len(self.rows), dtype=bool)
        starts_run[1:] = (self.series[1:] != self.series[:-1]) | (day[1:] != day[:-1])
        self.starts = np.flatnonzero(starts_run)
        self.day_of = np.cumsum(starts_run) - 1
        self.series_of_day, self.day = self.series[self.starts], day[self.starts]

    def day_max(self, values: np.ndarray) -> np.ndarray:
        """Per run, the largest of `values` (frame-aligned) ignoring NaN; NaN when all are."""
        return np.fmax.reduceat(values[self.rows], self.starts)

    def day_min(self, values: np.ndarray) -> np.ndarray:
        return np.fmin.reduceat(values[self.rows], self.starts)

    def per_row(self, per_day: np.ndarray, size: int) -> np.ndarray:
        """A value per run, handed to each of its rows, in frame order (other rows NaN)."""
        out = np.full(size, np.nan)
        out[self.rows] = per_day[self.day_of]
        return out

    def previous_day(self) -> tuple[np.ndarray, np.ndarray]:
        """Per run: the index of the previous run of its series, and whether there is one."""
        previous = np.arange(len(self.starts)) - 1
        exists = previous >= 0
        exists[1:] &= self.series_of_day[1:] == self.series_of_day[:-1]
        return np.maximum(previous, 0), exists


def never_falls(frame: pd.DataFrame, key: list[str], tolerance: float) -> pd.Series:
    """False for a row whose figure is below a figure of the same series at an earlier as_of."""
    ok = np.ones(len(frame), dtype=bool)
    as_of = _dates(frame["as_of"])
    low, high = (side.to_numpy() for side in point_range(frame, tolerance))
    rows = np.flatnonzero(as_of.notna().to_numpy())
    if len(rows):
        runs = _SeriesDays(rows, _codes([frame[c].iloc[rows] for c in key]), _ticks(as_of)[rows])
        # Running maximum per series, shifted by one day: the highest figure reported strictly
        # before. A day with no readable figure holds NaN (Series.cummax's rule, which the
        # per-series version applied), so the day after it is compared with nothing.
        running = pd.Series(runs.day_max(low)).groupby(runs.series_of_day).cummax().to_numpy()
        previous, exists = runs.previous_day()
        before = np.where(exists, running[previous], np.nan)
        ok[runs.rows] = ~(high[runs.rows] < before[runs.day_of])
    return pd.Series(ok, index=frame.index)


def rises_only_with(frame: pd.DataFrame, key: list[str], metric: str, driver: str,
                    tolerance: float) -> pd.Series:
    """False for a `metric` row above an earlier figure of its series with no rise of `driver`
    in between (hostages held may only grow when more were taken)."""
    ok = np.ones(len(frame), dtype=bool)
    as_of = _dates(frame["as_of"])
    low, high = (side.to_numpy() for side in point_range(frame, tolerance))
    driving = (frame["metric"] == driver) & as_of.notna()
    driver_by_day = _numbers(frame["value"][driving]).groupby(as_of[driving]).max().sort_index()
    running = driver_by_day.cummax()
    # The day the driver last reached its current level: earlier figures predate that rise.
    last_rise = running[running.diff().fillna(running) > 0]
    # Only the whole count: the held hostages declared dead (a subgroup) rise as captives die.
    whole = frame["subgroup"].isna() | (frame["subgroup"] == "") if "subgroup" in frame else True
    subject = (frame["metric"] == metric) & (frame["scope"] == "stock") & as_of.notna() & whole
    rows = np.flatnonzero(subject.to_numpy())
    if not len(rows):
        return pd.Series(ok, index=frame.index)
    runs = _SeriesDays(rows, _codes([frame[c].iloc[rows] for c in key]), _ticks(as_of)[rows])
    # With no rise yet, a window opens at pd.Timestamp.min (in the column's unit, rounded up): a day
    # before 1677 is then outside every window.
    earliest = -(-pd.Timestamp.min.value // NS_PER_UNIT[pd.DatetimeIndex(as_of).unit])
    opens = np.concatenate(([earliest], _ticks(last_rise.index)))
    day = runs.day[runs.day_of]
    since = opens[np.searchsorted(opens[1:], day, side="right")]
    # Against the latest earlier day only: one misread low figure should flag the rise right
    # after it, not every later figure of the series.
    previous, exists = runs.previous_day()
    previous, exists = previous[runs.day_of], exists[runs.day_of]
    compared = exists & (runs.day[previous] >= since)
    lowest_high = runs.day_min(high)[previous]
    ok[runs.rows] = ~(compared & (low[runs.rows] > lowest_high))
    return pd.Series(ok, index=frame.index)


def same_day_bounds_agree(frame: pd.DataFrame, key: list[str], tolerance: float) -> pd.Series:
    """False for a row whose bounds exclude those of another figure of the same series, scope and day."""
    low, high = (side.to_numpy() for side in bounds(frame, tolerance))
    if frame.empty:
        return pd.Series(True, index=frame.index, dtype=bool)
    # The day as written: this check needs no date arithmetic, so as_of is not parsed.
    runs = _SeriesDays(np.arange(len(frame)), _codes([frame[c] for c in key + ["scope"]]), _codes([frame["as_of"]]))
    highest_low = runs.per_row(runs.day_max(low), len(frame))
    lowest_high = runs.per_row(runs.day_min(high), len(frame))
    return pd.Series(~((high < highest_low) | (low > lowest_high)), index=frame.index)


def not_after(frame: pd.DataFrame, column: str, reference: str, max_days: int) -> pd.Series:
    """False where `column` is more than `max_days` after `reference` (nulls pass)."""
    late = (_dates(frame[column]) - _dates(frame[reference])).dt.days > max_days
    return ~late.fillna(False).astype(bool)


OFFSETS = ("quote_start", "char_start", "char_end")
# Offsets below this add and subtract in int64 without overflow, as Python ints would.
SAFE_OFFSET = 2**62


def _holds(quote, start, char_start, char_end, figure) -> bool:
    if not isinstance(quote, str) or not isinstance(figure, str) or pd.isna(start):
        return False
    begin, end = int(char_start) - int(start), int(char_end) - int(start)
    return 0 <= begin < end <= len(quote) and quote[begin:end] == figure


def _integer_offsets(frame: pd.DataFrame) -> list[np.ndarray] | None:
    """The offset columns as int64 arrays, when they are plain integers (the table's own type)."""
    arrays = [frame[c].to_numpy() for c in OFFSETS]
    if not all(a.dtype.kind == "i" for a in arrays):
        return None
    if not all(((a > -SAFE_OFFSET) & (a < SAFE_OFFSET)).all() for a in arrays):
        return None
    return [a.astype(np.int64) for a in arrays]


def text_at_offsets(frame: pd.DataFrame, text: str) -> pd.Series:
    """True where the quote holds the figure's text exactly at its offsets (quote inside article,
    figure inside quote)."""
    quotes, figures = frame["quote"].tolist(), frame[text].tolist()
    offsets = _integer_offsets(frame)
    if offsets is None:  # nullable or float offsets: the row-by-row check with its int() conversions
        columns = zip(quotes, *(frame[c].tolist() for c in OFFSETS), figures)
        verdicts = [_holds(q, s, a, b, t) for q, s, a, b, t in columns]
    else:
        start, char_start, char_end = offsets
        begins, ends = (char_start - start).tolist(), (char_end - start).tolist()
        verdicts = [isinstance(q, str) and isinstance(t, str) and 0 <= b < e <= len(q) and q[b:e] == t
                    for q, t, b, e in zip(quotes, figures, begins, ends)]
    return pd.Series(verdicts, index=frame.index, dtype=bool)
