import json

import pyarrow as pa

from expectations.suites import build_suite, render, suite_path
from schemas import TABLES, codes


def test_committed_suites_match_schemas():
    for table in TABLES.values():
        assert suite_path(table.name).read_text() == render(build_suite(table)), (
            f"{table.name}: run `python -m expectations.suites` after changing schemas/")


def test_suite_columns_and_code_sets_exist_in_schemas():
    for table in TABLES.values():
        suite = json.loads(suite_path(table.name).read_text())
        for exp in suite["expectations"]:
            kwargs = exp["kwargs"]
            for column in [kwargs.get("column")] + list(kwargs.get("column_list", [])):
                if column:
                    # or a column joined from another table for validation only (suite meta)
                    assert column in table.column_names or column in suite["meta"].get("view_columns", {})
            if exp["type"] == "expect_column_values_to_be_in_set":
                assert tuple(kwargs["value_set"]) == table.column(kwargs["column"]).codes


def test_every_column_is_described_and_dates_are_dates():
    for table in TABLES.values():
        schema = table.arrow_schema()
        for field in schema:
            assert field.metadata[b"description"]
        for name in ("published_date", "as_of", "event_date"):
            if name in table.column_names:
                assert schema.field(name).type == pa.date32()


def test_code_sets_follow_annotation_guide():
    assert "truce_days" in codes.METRICS and "gaza_moh" in codes.SOURCE_NORMS
    assert codes.SUBGROUPS[0] == "children" and codes.SUBGROUPS[-1] == "other"
