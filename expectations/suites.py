"""Build each table's expectation suite from its schema (and rules.json), as GX-format JSON.

`python -m expectations.suites` rewrites expectations/suites/*.json; a test fails when the
committed suites differ from what the schemas give. Every expectation carries `meta.blocking`
(schema, keys, codes, required fields stop the publish; the rest flag rows) and `meta.name`, the
string that lands in a failing row's `flags`. Row conditions are stored as GX condition objects
(the string form is deprecated and ignores everything after a first `&`).
"""
from __future__ import annotations

import json
from pathlib import Path

from schemas import TABLES, Table

SUITE_DIR = Path(__file__).parent / "suites"
RULES = json.loads((Path(__file__).parent / "rules.json").read_text(encoding="utf-8"))

# Columns joined onto a table for validation only (never written): name -> (table, column).
# They let a row rule see what lives in another table, e.g. the length of the row's article.
VIEW_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "claims": {"article_n_chars": ("articles", "n_chars")},
    "event_mentions": {"article_n_chars": ("articles", "n_chars")},
}


def equals(column: str, value) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "==", "parameter": value}


def is_in(column: str, values: list) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "IN", "parameter": list(values)}


def all_of(*conditions: dict) -> dict:
    return {"type": "and", "conditions": list(conditions)}


def _exp(kind: str, name: str, blocking: bool, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"blocking": blocking, "name": name}}


def _flag(kind: str, name: str, **kwargs) -> dict:
    return _exp(kind, name, False, **kwargs)


def _contract(table: Table) -> list[dict]:
    """Blocking: the columns, required fields, codes and key the writer and readers rely on."""
    columns = table.column_names + list(VIEW_COLUMNS.get(table.name, {}))
    out = [_exp("expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_ordered_list",
                True, column_list=columns)]
    for column in table.columns:
        if not column.nullable:
            out.append(_exp("expect_column_values_to_not_be_null",
                            f"expect_column_values_to_not_be_null:{column.name}", True, column=column.name))
        if column.codes:
            out.append(_exp("expect_column_values_to_be_in_set", f"expect_column_values_to_be_in_set:{column.name}",
                            True, column=column.name, value_set=list(column.codes)))
    if len(table.key) == 1:
        out.append(_exp("expect_column_values_to_be_unique", f"expect_column_values_to_be_unique:{table.key[0]}",
                        True, column=table.key[0]))
    else:
        out.append(_exp("expect_compound_columns_to_be_unique",
                        "expect_compound_columns_to_be_unique:" + ",".join(table.key), True,
                        column_list=list(table.key)))
    return out


def _inside_article(text_column: str) -> list[dict]:
    """Offsets index the article, and the quote holds the figure/trigger at those offsets."""
    return [
        _flag("expect_column_values_to_be_between", "expect_column_values_to_be_between:char_start",
              column="char_start", min_value=0),
        _flag("expect_column_pair_values_a_to_be_greater_than_b",
              "expect_column_pair_values_a_to_be_greater_than_b:article_n_chars:char_end",
              column_A="article_n_chars", column_B="char_end", or_equal=True, ignore_row_if="neither"),
        _flag("expect_quote_to_hold_text_at_offsets", f"expect_quote_to_hold_text_at_offsets:{text_column}",
              column_list=["quote", "quote_start", "char_start", "char_end", text_column], text_column=text_column),
    ]


def _date_range_ordered() -> dict:
    return _flag("expect_column_pair_values_a_to_be_greater_than_b",
                 "expect_column_pair_values_a_to_be_greater_than_b:event_date_end:event_date",
                 column_A="event_date_end", column_B="event_date", or_equal=True,
                 ignore_row_if="either_value_is_missing")


def _event_window() -> dict:
    low, high = RULES["event_date_window"]
    return _flag("expect_column_values_to_be_between", "expect_column_values_to_be_between:event_date",
                 column="event_date", min_value=low, max_value=high)


def _claim_rows() -> list[dict]:
    out = []
    for metric, (low, high) in RULES["value_ranges"].items():
        out.append(_flag("expect_column_values_to_be_between", f"expect_column_values_to_be_between:value:{metric}",
                         column="value", min_value=low, max_value=high, row_condition=equals("metric", metric)))
    low, high = RULES["as_of_window"]
    out += [
        _flag("expect_column_values_to_be_between", "expect_column_values_to_be_between:as_of",
              column="as_of", min_value=low, max_value=high),
        _flag("expect_date_to_be_at_most_days_after", "expect_date_to_be_at_most_days_after:as_of:published_date",
              column_list=["as_of", "published_date"], max_days=RULES["as_of_max_days_after_publication"]),
        _flag("expect_column_pair_values_a_to_be_greater_than_b",
              "expect_column_pair_values_a_to_be_greater_than_b:value_high:value_low",
              column_A="value_high", column_B="value_low", or_equal=True, ignore_row_if="either_value_is_missing"),
        _flag("expect_column_values_to_be_between", "expect_column_values_to_be_between:confidence",
              column="confidence", min_value=0, max_value=1),
        *_inside_article("number_text"),
    ]
    return out


def _claim_series() -> list[dict]:
    """Cross-row: how one series (RULES["series_key"]) may move over time and within a day."""
    key, tolerance = RULES["series_key"], RULES["approximate_tolerance"]
    figure = ["as_of", "value", "value_low", "value_high", "qualifier", "scope"]
    out = []
    for metric in RULES["cumulative_never_falls"]:
        out.append(_flag("expect_cumulative_figure_to_never_fall", f"expect_cumulative_figure_to_never_fall:{metric}",
                         column_list=key + figure, series_key=key, tolerance=tolerance,
                         row_condition=all_of(equals("metric", metric), equals("scope", "cumulative"))))
    for metric, driver in RULES["stock_rises_only_with"].items():
        out.append(_flag("expect_stock_figure_to_rise_only_with",
                         f"expect_stock_figure_to_rise_only_with:{metric}:{driver}",
                         column_list=key + figure, series_key=key, metric=metric, driver=driver,
                         tolerance=tolerance,
                         # The driver counts whatever its scope: 253 taken on 7 October is an event.
                         row_condition=is_in("metric", [metric, driver])))
    scopes = RULES["same_day_agreement_scopes"]
    out.append(_flag("expect_same_day_bounds_to_agree", "expect_same_day_bounds_to_agree",
                     column_list=key + figure, series_key=key, tolerance=tolerance,
                     row_condition=is_in("scope", scopes)))
    return out


def _mention_rows() -> list[dict]:
    return [
        _event_window(), _date_range_ordered(),
        _flag("expect_date_to_be_at_most_days_after",
              "expect_date_to_be_at_most_days_after:event_date:published_date:past",
              column_list=["event_date", "published_date"], max_days=RULES["past_event_max_days_after_publication"],
              row_condition=equals("tense", "past")),
        *_inside_article("trigger_text"),
    ]


def _reference_rows() -> list[dict]:
    limit = RULES["reference"]["max_abs_delta_pct"]
    return [_flag("expect_column_values_to_be_between", "expect_column_values_to_be_between:nearest_delta_pct",
                  column="nearest_delta_pct", min_value=-limit, max_value=limit)]


TABLE_RULES = {
    "claims": lambda: _claim_rows() + _claim_series(),
    "event_mentions": _mention_rows,
    "events": lambda: [_event_window(), _date_range_ordered()],
    "reference_check": _reference_rows,
}


def build_suite(table: Table) -> dict:
    expectations = _contract(table) + TABLE_RULES.get(table.name, list)()
    meta = {"generated_from": "schemas/tables.py and expectations/rules.json"}
    if table.name in VIEW_COLUMNS:
        meta["view_columns"] = {name: ".".join(src) for name, src in VIEW_COLUMNS[table.name].items()}
    return {"name": table.name, "expectations": expectations, "meta": meta}


def suite_path(name: str) -> Path:
    return SUITE_DIR / f"{name}.json"


def render(suite: dict) -> str:
    return json.dumps(suite, indent=2, sort_keys=True) + "\n"


def write_all() -> None:
    SUITE_DIR.mkdir(exist_ok=True)
    for table in TABLES.values():
        suite_path(table.name).write_text(render(build_suite(table)), encoding="utf-8")


if __name__ == "__main__":
    write_all()
