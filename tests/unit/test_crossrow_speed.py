"""The cross-row verdicts (expectations.crossrow) branch by branch on hand-made frames, and their
speed on a run-sized claims table.

The frames are what GX hands a map metric: only the named columns, an index that is neither
0..n-1 nor sorted (rows filtered by a row condition), dates as `datetime.date` or ISO strings.
Each case lists the verdict of every row in frame order: True = the row passes.
"""
from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from expectations import crossrow
from expectations.suites import RULES

KEY = RULES["series_key"]
SLACK = 0.02
HELD, TAKEN = "hostages_held", "hostages_taken"


def figure(day: int | None, value, metric="killed", qualifier="exact", scope="cumulative", **extra) -> dict:
    """One claim on day `day` of March 2024 (None: no as_of), with the bounds its qualifier gives."""
    known = value is not None
    low = {"exact": value, "at_least": value, "more_than": known and value + 1}.get(qualifier)
    high = {"exact": value, "nearly": value, "less_than": known and value - 1}.get(qualifier)
    row = {"metric": metric, "population": "gaza_palestinians", "subgroup": None, "cause": None,
           "source_norm": "gaza_moh", "as_of": None if day is None else date(2024, 3, day), "value": value,
           "value_low": low, "value_high": high, "qualifier": qualifier, "scope": scope}
    return {**row, **extra}


def held(day, value, **extra) -> dict:
    return figure(day, value, **{"metric": HELD, "scope": "stock", "population": "hostages", **extra})


def taken(day, value, **extra) -> dict:
    return figure(day, value, **{"metric": TAKEN, "scope": "event", "population": "israel_oct7", **extra})


def frame_of(rows: list[dict], iso_dates: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(figure(1, 1)) if not rows else None)
    # Descending labels with gaps: a verdict put on the wrong row shows.
    frame.index = [10 * (len(rows) - i) + 7 for i in range(len(rows))]
    if iso_dates:
        frame["as_of"] = [d.isoformat() if isinstance(d, date) else d for d in frame["as_of"]]
    return frame


def check(verdicts: pd.Series, frame: pd.DataFrame, expected: list[bool]) -> None:
    assert verdicts.index.equals(frame.index)
    assert verdicts.dtype == bool
    assert verdicts.tolist() == expected


NEVER_FALLS = {
    "rise then fall": ([figure(1, 100), figure(2, 90)], [True, False]),
    "rows out of date order": ([figure(3, 95), figure(1, 100), figure(2, 120)], [False, True, True]),
    "same day figures are not compared": ([figure(1, 100), figure(1, 90)], [True, True]),
    "below the best figure of an earlier day": ([figure(1, 90), figure(1, 100), figure(2, 95)], [True, True, False]),
    "below the highest earlier figure, not only the latest": (
        [figure(1, 100), figure(2, 80), figure(3, 90), figure(4, 100)], [True, False, False, True]),
    "no as_of is never compared": ([figure(None, 200), figure(1, 100), figure(None, 50)], [True, True, True]),
    "approximate later figure within slack": ([figure(1, 100), figure(2, 99, qualifier="about")], [True, True]),
    "approximate later figure beyond slack": ([figure(1, 100), figure(2, 97, qualifier="nearly")], [True, False]),
    "approximate earlier figure lowered by slack": ([figure(1, 100, qualifier="about"), figure(2, 99)], [True, True]),
    "open wordings compare their figures": ([figure(1, 30100), figure(2, 30000, qualifier="at_least")], [True, False]),
    "other series are not compared": (
        [figure(1, 100), figure(2, 90, source_norm="un"), figure(2, 90, subgroup="children"),
         figure(2, 90, metric="injured")], [True, True, True, True]),
    "null key values are one series": ([figure(1, 100, cause=None), figure(2, 90, cause=float("nan"))], [True, False]),
    # A day whose only figure is unreadable leaves nothing to compare the next day with.
    "a day without a readable figure": ([figure(1, 100), figure(2, None), figure(3, 90), figure(4, 80)],
                                        [True, True, True, False]),
    "one row": ([figure(1, 100)], [True]),
    "no rows": ([], []),
}


@pytest.mark.parametrize("iso_dates", [False, True], ids=["dates", "iso"])
@pytest.mark.parametrize("rows, expected", NEVER_FALLS.values(), ids=NEVER_FALLS.keys())
def test_never_falls(rows, expected, iso_dates):
    frame = frame_of(rows, iso_dates)
    check(crossrow.never_falls(frame, KEY, SLACK), frame, expected)


RISES_ONLY_WITH = {
    "rise with nobody taken": ([held(1, 100), held(2, 110)], [True, False]),
    "fall": ([held(1, 100), held(2, 90)], [True, True]),
    "taken in between": ([held(1, 100), taken(2, 250), held(3, 240)], [True, True, True]),
    "taken before the earlier figure": ([taken(1, 250), held(2, 100), held(3, 110)], [True, True, False]),
    "taken on the day of the rise": ([held(1, 100), taken(2, 5), held(2, 110)], [True, True, True]),
    "taken on the day of the earlier figure": ([taken(1, 250), held(1, 100), held(2, 110)], [True, True, False]),
    "taken again at the same level is no rise": (
        [taken(1, 250), held(2, 100), taken(3, 250), held(4, 110)], [True, True, True, False]),
    "taken figure of zero is no rise": ([held(1, 100), taken(2, 0), held(3, 110)], [True, True, False]),
    "taken without as_of is no rise": ([held(1, 100), taken(None, 250), held(3, 110)], [True, True, False]),
    "taken in any series counts": ([held(1, 100), taken(2, 250, source_norm="un"), held(3, 110)], [True, True, True]),
    "against the latest earlier day only": (
        [held(1, 130), held(2, 10), held(3, 129), held(4, 128)], [True, True, False, True]),
    "against the lowest figure of that day": ([held(1, 100), held(1, 120), held(2, 110)], [True, True, False]),
    "same day figures are not compared": ([held(1, 100), held(1, 120)], [True, True]),
    "rows out of date order": ([held(3, 110), held(1, 100), held(2, 100)], [False, True, True]),
    "approximate rise within slack": ([held(1, 100), held(2, 101, qualifier="about")], [True, True]),
    "approximate earlier figure raised by slack": ([held(1, 100, qualifier="about"), held(2, 102)], [True, True]),
    "approximate rise beyond slack": ([held(1, 100, qualifier="nearly"), held(2, 105)], [True, False]),
    "subgroups rise as captives die": (
        [held(1, 31, subgroup="deceased"), held(2, 37, subgroup="deceased")], [True, True]),
    "an empty subgroup is the whole count": ([held(1, 100, subgroup=""), held(2, 110, subgroup="")], [True, False]),
    "only stocks": ([held(1, 100), held(2, 110, scope="cumulative"), held(3, 120, scope="period")],
                    [True, True, True]),
    "other metrics are not checked": ([figure(1, 100), figure(2, 110)], [True, True]),
    "no as_of is never compared": ([held(None, 50), held(1, 100), held(None, 200)], [True, True, True]),
    "other series are not compared": ([held(1, 100), held(2, 110, source_norm="un")], [True, True]),
    "unreadable figures": ([held(1, None), held(2, 110), held(3, None)], [True, True, True]),
    "no rows": ([], []),
}


@pytest.mark.parametrize("iso_dates", [False, True], ids=["dates", "iso"])
@pytest.mark.parametrize("rows, expected", RISES_ONLY_WITH.values(), ids=RISES_ONLY_WITH.keys())
def test_rises_only_with(rows, expected, iso_dates):
    frame = frame_of(rows, iso_dates)
    check(crossrow.rises_only_with(frame, KEY, HELD, TAKEN, SLACK), frame, expected)


def test_rises_only_with_on_a_frame_without_subgroup():
    frame = frame_of([held(1, 100, subgroup="deceased"), held(2, 110, subgroup="deceased")]).drop(columns="subgroup")
    key = [c for c in KEY if c != "subgroup"]
    check(crossrow.rises_only_with(frame, key, HELD, TAKEN, SLACK), frame, [True, False])


SAME_DAY = {
    "overlapping bounds": ([figure(1, 100), figure(1, 90, qualifier="at_least")], [True, True]),
    "disjoint bounds": ([figure(1, 100), figure(1, 110)], [False, False]),
    "only the rows that disagree": (
        [figure(1, 100), figure(1, 90, qualifier="at_least"), figure(1, 95, qualifier="less_than")],
        [False, True, False]),
    "approximate within slack": ([figure(1, 100), figure(1, 101, qualifier="about")], [True, True]),
    "approximate beyond slack": ([figure(1, 100), figure(1, 104, qualifier="about")], [False, False]),
    "other days": ([figure(1, 100), figure(2, 110)], [True, True]),
    "other scopes": ([figure(1, 100), figure(1, 110, scope="stock")], [True, True]),
    "other series": ([figure(1, 100), figure(1, 110, source_norm="un")], [True, True]),
    "rows without as_of share a day": ([figure(None, 100), figure(None, 110)], [False, False]),
    "no rows": ([], []),
}


@pytest.mark.parametrize("rows, expected", SAME_DAY.values(), ids=SAME_DAY.keys())
def test_same_day_bounds_agree(rows, expected):
    frame = frame_of(rows)
    check(crossrow.same_day_bounds_agree(frame, KEY, SLACK), frame, expected)


def test_not_after():
    frame = pd.DataFrame({"as_of": [date(2024, 3, 2), date(2024, 3, 3), None, "2024-03-09"],
                          "published_date": [date(2024, 3, 1), date(2024, 3, 1), date(2024, 3, 1), None]},
                         index=[9, 4, 7, 1])
    check(crossrow.not_after(frame, "as_of", "published_date", 1), frame, [True, False, True, True])


QUOTE = "Officials said 1,200 people were counted."
AT = QUOTE.index("1,200")


def quoted(start=100, begin=AT, end=AT + 5, figure="1,200", quote=QUOTE) -> dict:
    """A figure at quote offsets begin:end, the quote starting at article offset `start`."""
    return {"quote": quote, "quote_start": start, "char_start": start + begin, "char_end": start + end,
            "number_text": figure}


TEXT_AT_OFFSETS = {
    "the figure at its offsets": ([quoted(), quoted(start=0)], [True, True]),
    "one character off": ([quoted(begin=AT + 1, end=AT + 6), quoted(figure="1,20")], [False, False]),
    "other text": ([quoted(figure="1200")], [False]),
    "no quote": ([quoted(quote=None)], [False]),
    "no figure": ([quoted(figure=None)], [False]),
    "before the quote": ([quoted(begin=-1, end=4, figure=QUOTE[:4])], [False]),
    "past the quote": ([quoted(begin=len(QUOTE) - 3, end=len(QUOTE) + 1, figure=QUOTE[-3:])], [False]),
    "empty span": ([quoted(begin=AT, end=AT, figure="")], [False]),
    "the whole quote": ([quoted(begin=0, end=len(QUOTE), figure=QUOTE)], [True]),
    "no rows": ([], []),
}


@pytest.mark.parametrize("dtype", ["int64", "Int64", "float64", "object"])
@pytest.mark.parametrize("rows, expected", TEXT_AT_OFFSETS.values(), ids=TEXT_AT_OFFSETS.keys())
def test_text_at_offsets(rows, expected, dtype):
    frame = pd.DataFrame(rows, columns=list(quoted())).astype({c: dtype for c in crossrow.OFFSETS})
    frame.index = [f"row{len(rows) - i}" for i in range(len(rows))]
    check(crossrow.text_at_offsets(frame, "number_text"), frame, expected)


@pytest.mark.parametrize("dtype", ["Int64", "float64"])
def test_text_at_offsets_without_quote_start(dtype):
    frame = pd.DataFrame([quoted(), quoted()]).astype({c: dtype for c in crossrow.OFFSETS})
    frame.loc[1, "quote_start"] = None
    check(crossrow.text_at_offsets(frame, "number_text"), frame, [True, False])


# --- run-sized tables -------------------------------------------------------------------------

def claims_table(n: int, seed: int = 7) -> pd.DataFrame:
    """n claims shaped like a run's: a few hundred long series (hostage counts among them), dates as
    `datetime.date` objects as GX receives them."""
    rng = np.random.default_rng(seed)
    metric = rng.choice(["killed", "injured", HELD, HELD, TAKEN, "displaced"], n)
    scope = np.select([metric == HELD, metric == TAKEN, metric == "displaced"], ["stock", "event", "stock"],
                      "cumulative")
    days = rng.integers(0, 800, n)
    value = rng.integers(1, 50_000, n) + 40 * days
    qualifier = rng.choice(["exact", "exact", "exact", "about", "nearly", "at_least"], n)
    exact = qualifier == "exact"
    numbers = [f"{v:,}" for v in value.tolist()]
    quotes = [f"Officials said {text} people were counted." for text in numbers]
    quote_start = rng.integers(0, 20_000, n)
    char_start = quote_start + 15 + (rng.random(n) < 0.01)  # one figure in a hundred misplaced

    def as_dates(days_since_october_7: np.ndarray) -> np.ndarray:
        return pd.DatetimeIndex(np.datetime64("2023-10-07") + days_since_october_7.astype("timedelta64[D]")).date

    frame = pd.DataFrame({
        "metric": metric, "population": rng.choice(["gaza_palestinians", "hostages", "aid_seekers"], n),
        "subgroup": rng.choice(np.array([None, None, None, "children", "deceased"], dtype=object), n),
        "cause": rng.choice(np.array([None, None, "airstrike"], dtype=object), n),
        "source_norm": rng.choice(["gaza_moh", "israel_official", "un", "unattributed", "idf"], n),
        "as_of": as_dates(days), "value": value,
        "value_low": np.where(exact, value, np.nan), "value_high": np.where(exact, value, np.nan),
        "qualifier": qualifier, "scope": scope,
        "published_date": as_dates(days + rng.integers(-2, 3, n)),
        "quote": quotes, "quote_start": quote_start, "char_start": char_start,
        "char_end": char_start + np.array([len(t) for t in numbers]), "number_text": numbers,
    })
    frame.index = rng.permutation(n) * 3 + 11
    return frame


def all_verdicts(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "never_falls": crossrow.never_falls(frame, KEY, SLACK),
        "rises_only_with": crossrow.rises_only_with(frame, KEY, HELD, TAKEN, SLACK),
        "same_day_bounds_agree": crossrow.same_day_bounds_agree(frame, KEY, SLACK),
        "not_after": crossrow.not_after(frame, "as_of", "published_date", 1),
        "text_at_offsets": crossrow.text_at_offsets(frame, "number_text"),
    }


def test_verdicts_follow_their_rows_whatever_the_row_order():
    frame = claims_table(3_000)
    verdicts = all_verdicts(frame)
    shuffled = all_verdicts(frame.sample(frac=1, random_state=3))
    for name, got in shuffled.items():
        assert got.sort_index().equals(verdicts[name].sort_index()), name
        assert 0 < (~got).sum() < len(got), name  # the table exercises both verdicts


def test_run_sized_table_is_checked_in_seconds():
    """300,000 claims through all five checks. Row-by-row versions took over 20 s; the bound is
    generous and counts this process's CPU time, so a loaded CI machine does not fail it."""
    frame = claims_table(300_000)
    started = time.process_time()
    verdicts = all_verdicts(frame)
    elapsed = time.process_time() - started
    assert all(len(v) == len(frame) for v in verdicts.values())
    assert elapsed < 5.0, f"{elapsed:.1f} s of CPU"
