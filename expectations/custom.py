"""Custom Great Expectations classes for the checks no built-in expresses.

Importing this module registers them (GX registers expectation and metric classes when they are
defined), so a stored suite naming them can be loaded. Each is a multicolumn *map* expectation:
its result lists the failing row indexes like any built-in, which is what turns into row flags.
The verdicts themselves live in `expectations.crossrow`.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from expectations import crossrow

DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")


class _Expectation(MulticolumnMapExpectation):
    # Nulls are data here (a null subgroup is "the whole population"), so no row is skipped.
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


class CumulativeNeverFalls(MulticolumnMapMetricProvider):
    condition_metric_name = "gazetl.cumulative_never_falls"
    condition_domain_keys = DOMAIN_KEYS
    condition_value_keys = ("series_key", "tolerance")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, series_key, tolerance, **kwargs):
        return crossrow.never_falls(column_list, list(series_key), tolerance)


class ExpectCumulativeFigureToNeverFall(_Expectation):
    """A running total of one series (series_key) never falls as as_of advances."""

    series_key: list[str]
    tolerance: float = 0.0
    map_metric = "gazetl.cumulative_never_falls"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "series_key", "tolerance")


class StockRisesOnlyWith(MulticolumnMapMetricProvider):
    condition_metric_name = "gazetl.stock_rises_only_with"
    condition_domain_keys = DOMAIN_KEYS
    condition_value_keys = ("series_key", "metric", "driver", "tolerance")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, series_key, metric, driver, tolerance, **kwargs):
        return crossrow.rises_only_with(column_list, list(series_key), metric, driver, tolerance)


class ExpectStockFigureToRiseOnlyWith(_Expectation):
    """A stock (hostages held) rises only when its driver (hostages taken) rose in between."""

    series_key: list[str]
    metric: str
    driver: str
    tolerance: float = 0.0
    map_metric = "gazetl.stock_rises_only_with"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "series_key", "metric", "driver", "tolerance")


class SameDayBoundsAgree(MulticolumnMapMetricProvider):
    condition_metric_name = "gazetl.same_day_bounds_agree"
    condition_domain_keys = DOMAIN_KEYS
    condition_value_keys = ("series_key", "tolerance")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, series_key, tolerance, **kwargs):
        return crossrow.same_day_bounds_agree(column_list, list(series_key), tolerance)


class ExpectSameDayBoundsToAgree(_Expectation):
    """Figures of one series, scope and day from one source have overlapping bounds."""

    series_key: list[str]
    tolerance: float = 0.0
    map_metric = "gazetl.same_day_bounds_agree"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "series_key", "tolerance")


class DateNotAfter(MulticolumnMapMetricProvider):
    condition_metric_name = "gazetl.date_not_after"
    condition_domain_keys = DOMAIN_KEYS
    condition_value_keys = ("max_days",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, max_days, **kwargs):
        first, second = column_list.columns[:2]
        return crossrow.not_after(column_list, first, second, max_days)


class ExpectDateToBeAtMostDaysAfter(_Expectation):
    """column_list[0] is a date no more than max_days after the date in column_list[1]."""

    max_days: int = 0
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"
    map_metric = "gazetl.date_not_after"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "max_days")


class TextAtOffsets(MulticolumnMapMetricProvider):
    condition_metric_name = "gazetl.text_at_offsets"
    condition_domain_keys = DOMAIN_KEYS
    condition_value_keys = ("text_column",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, text_column, **kwargs):
        return crossrow.text_at_offsets(column_list, text_column)


class ExpectQuoteToHoldTextAtOffsets(_Expectation):
    """quote[char_start - quote_start : char_end - quote_start] == text_column."""

    text_column: str
    map_metric = "gazetl.text_at_offsets"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "text_column")
