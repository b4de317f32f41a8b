"""Build each table's expectation suite from its schema (and rules.json), as GX-format JSON.

`python -m expectations.suites` rewrites expectations/suites/*.json; a test fails when the
committed suites differ from what the schemas give.
"""
from __future__ import annotations

import json
from pathlib import Path

from schemas import TABLES, Table

SUITE_DIR = Path(__file__).parent / "suites"
RULES = json.loads((Path(__file__).parent / "rules.json").read_text(encoding="utf-8"))


def _exp(kind: str, blocking: bool, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"blocking": blocking}}


def build_suite(table: Table) -> dict:
    expectations = [_exp("expect_table_columns_to_match_ordered_list", True, column_list=table.column_names)]
    for column in table.columns:
        if not column.nullable:
            expectations.append(_exp("expect_column_values_to_not_be_null", True, column=column.name))
        if column.codes:
            expectations.append(_exp("expect_column_values_to_be_in_set", True, column=column.name,
                                     value_set=list(column.codes)))
    if len(table.key) == 1:
        expectations.append(_exp("expect_column_values_to_be_unique", True, column=table.key[0]))
    else:
        expectations.append(_exp("expect_compound_columns_to_be_unique", True, column_list=list(table.key)))
    if table.name == "claims":
        for metric, (low, high) in RULES["value_ranges"].items():
            expectations.append(_exp("expect_column_values_to_be_between", False, column="value",
                                     min_value=low, max_value=high,
                                     row_condition=f'metric=="{metric}"', condition_parser="pandas"))
        low, high = RULES["date_window"]
        expectations.append(_exp("expect_column_values_to_be_between", False, column="as_of",
                                 min_value=low, max_value=high))
    if table.name in ("event_mentions", "events"):
        low, high = RULES["date_window"]
        expectations.append(_exp("expect_column_values_to_be_between", False, column="event_date",
                                 min_value="2020-01-01", max_value=high))
    return {"name": table.name, "expectations": expectations, "meta": {"generated_from": "schemas/tables.py"}}


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
