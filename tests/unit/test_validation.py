"""Validation: the stored suites against the schemas, each row rule and cross-row rule on small
invented frames (through GX, so the flag names are the ones the pipeline writes), offline Data Docs."""
import json
import re
from datetime import date

import pandas as pd
import pytest

from expectations import crossrow
from expectations.report import validation_files
from expectations.suites import RULES, VIEW_COLUMNS, build_suite, render, suite_path
from expectations.validate import validate_tables
from flows.storage import to_arrow
from schemas import TABLES

COLUMN_KWARGS = ("column", "column_A", "column_B", "text_column")
LIST_KWARGS = ("column_list", "series_key")


def _condition_columns(condition) -> list[str]:
    if not isinstance(condition, dict):
        return []
    if condition.get("type") in ("and", "or"):
        return [c for sub in condition["conditions"] for c in _condition_columns(sub)]
    return [condition["column"]["name"]]


def test_suites_are_generated_from_schemas_and_name_only_their_columns():
    for table in TABLES.values():
        stored = suite_path(table.name).read_text()
        assert stored == render(build_suite(table)), "run `python -m expectations.suites`"
        suite = json.loads(stored)
        view = VIEW_COLUMNS.get(table.name, {})
        for other, source in view.values():  # view columns come from real columns of other tables
            assert source in TABLES[other].column_names
        known = set(table.column_names) | set(view)
        for exp in suite["expectations"]:
            kwargs = exp["kwargs"]
            named = [kwargs[k] for k in COLUMN_KWARGS if k in kwargs]
            named += [c for k in LIST_KWARGS for c in kwargs.get(k, [])]
            named += _condition_columns(kwargs.get("row_condition"))
            assert set(named) <= known, (table.name, exp["meta"]["name"])
            assert isinstance(kwargs.get("row_condition", {}), dict), "string row conditions are deprecated"
            if exp["type"] == "expect_column_values_to_be_in_set":
                assert tuple(kwargs["value_set"]) == table.column(kwargs["column"]).codes
            for value in _condition_values(kwargs.get("row_condition"), "metric"):
                assert value in TABLES["claims"].column("metric").codes
        names = [e["meta"]["name"] for e in suite["expectations"]]
        assert len(names) == len(set(names)), "flag names must tell expectations apart"


def _condition_values(condition, column):
    if not isinstance(condition, dict):
        return []
    if condition.get("type") in ("and", "or"):
        return [v for sub in condition["conditions"] for v in _condition_values(sub, column)]
    if condition["column"]["name"] != column:
        return []
    return condition["parameter"] if isinstance(condition["parameter"], list) else [condition["parameter"]]


def test_every_coded_or_required_column_has_a_blocking_expectation():
    for table in TABLES.values():
        blocking = {(e["type"], e["kwargs"].get("column")) for e in build_suite(table)["expectations"]
                    if e["meta"]["blocking"]}
        for column in table.columns:
            if column.codes:
                assert ("expect_column_values_to_be_in_set", column.name) in blocking
            if not column.nullable:
                assert ("expect_column_values_to_not_be_null", column.name) in blocking


# --- invented frames --------------------------------------------------------------------------

def _claim(n, metric, value, as_of, published=None, qualifier="exact", population="gaza_palestinians",
           scope="cumulative", source_norm="gaza_moh", subgroup=None, number_text=None, **extra):
    number = f"{value:,}"
    quote = f"Officials said {number} people were counted."
    start = quote.index(number)
    low = {"exact": value, "at_least": value, "more_than": value + 1}.get(qualifier)
    high = {"exact": value, "nearly": value, "less_than": value - 1}.get(qualifier)
    row = {"claim_id": f"c{n}", "article_id": f"a{n}", "source_path": f"art{n}.txt",
           "published_date": published or as_of, "metric": metric, "value": value, "value_low": low,
           "value_high": high, "qualifier": qualifier, "population": population, "subgroup": subgroup,
           "cause": None, "scope": scope, "as_of": as_of, "source": None, "source_norm": source_norm,
           "quote": quote, "quote_start": 0, "char_start": start, "char_end": start + len(number),
           "number_text": number_text or number, "line_kind": "body", "extraction_rule": "test",
           "confidence": 0.9, "flags": []}
    row.update(extra)
    return row


D = date.fromisoformat
CLAIMS = [
    _claim(0, "killed", 30100, D("2024-03-01"), qualifier="at_least"),
    _claim(1, "killed", 29950, D("2024-03-05")),                      # lower later: never_fall
    _claim(2, "killed", 30800, D("2024-03-08")),
    _claim(3, "hostages_taken", 250, D("2023-10-07"), population="israel_oct7", scope="event",
           source_norm="israel_official"),
    _claim(4, "hostages_held", 130, D("2024-03-01"), population="hostages", scope="stock",
           source_norm="israel_official"),
    _claim(5, "hostages_held", 134, D("2024-03-10"), population="hostages", scope="stock",
           source_norm="israel_official"),                           # rise, nobody taken: flagged
    _claim(6, "injured", 70000, D("2024-03-02")),
    _claim(7, "injured", 71000, D("2024-03-02")),                     # same day, same source: both
    _claim(8, "killed", 5, D("2024-03-20"), published=D("2024-03-10"), population="aid_seekers",
           scope="event"),                                            # as_of 10 days after publication
    _claim(9, "killed", 12, D("2024-03-03"), population="aid_seekers", scope="event",
           number_text="twelve"),                                     # text not at its offsets
    _claim(10, "population", 10, D("2024-03-03"), population="gaza_population", scope="stock",
           source_norm="unattributed"),                               # outside the metric's range
    _claim(11, "displaced", 1000, D("2024-03-03"), scope="stock", char_start=500, char_end=505),
]
EXPECTED_FLAGS = {
    1: ["expect_cumulative_figure_to_never_fall:killed"],
    5: ["expect_stock_figure_to_rise_only_with:hostages_held:hostages_taken"],
    6: ["expect_same_day_bounds_to_agree"],
    7: ["expect_same_day_bounds_to_agree"],
    8: ["expect_date_to_be_at_most_days_after:as_of:published_date"],
    9: ["expect_quote_to_hold_text_at_offsets:number_text"],
    10: ["expect_column_values_to_be_between:value:population"],
    11: ["expect_column_pair_values_a_to_be_greater_than_b:article_n_chars:char_end",
         "expect_quote_to_hold_text_at_offsets:number_text"],
}


def _articles(claims: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{"article_id": c["article_id"], "source_path": c["source_path"],
                          "published_date": c["published_date"], "published_date_basis": "metadata",
                          "content_type": "text", "encoding": "utf-8", "n_chars": 100, "n_sentences": 1,
                          "n_claims": 1, "n_event_mentions": 0, "text": c["quote"].ljust(100),
                          "ingested_at": pd.Timestamp("2026-01-01", tz="UTC"), "run_id": "r"}
                         for c in claims])


def _typed(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: to_arrow(frame, TABLES[name]).to_pandas(date_as_object=True) for name, frame in frames.items()}


@pytest.fixture(scope="module")
def outcome():
    return validate_tables(_typed({"articles": _articles(CLAIMS), "claims": pd.DataFrame(CLAIMS)}))


def test_each_rule_flags_exactly_its_rows(outcome):
    assert outcome.outcome == "passed_with_flags"
    got = {row: sorted(names) for row, names in outcome.flagged["claims"].items()}
    assert got == {row: sorted(names) for row, names in EXPECTED_FLAGS.items()}
    assert not outcome.flagged["articles"]


def test_results_summary_and_offline_data_docs(outcome):
    files = validation_files(outcome)
    claims = json.loads(files["results/claims.json"])
    assert claims["success"] is False and claims["statistics"]["evaluated_expectations"] > 30
    assert "expect_cumulative_figure_to_never_fall:killed (1 unexpected)" in files["summary.txt"]
    assert "art1.txt" in files["summary.txt"]  # the offending row is named, not just counted
    pages = [p for p in files if p.endswith(".html")]
    assert {"index.html", "docs/claims.html"} <= set(pages)
    for page in pages:
        html = files[page]
        tags = re.findall(r"<(?:link|script)\b[^>]*>", html, re.IGNORECASE)
        assert not [t for t in tags if re.search(r"(?:src|href)\s*=\s*['\"]?(?:https?:)?//", t)], page
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html), page
        assert not re.search(r"@import", html), page
    assert "expect_cumulative_figure_to_never_fall" in files["docs/claims.html"]


def test_blocking_expectations_block_and_do_not_flag():
    bad = CLAIMS[:3] + [dict(CLAIMS[0], metric="casualties"), dict(CLAIMS[1])]  # bad code, duplicate key
    result = validate_tables(_typed({"claims": pd.DataFrame(bad)}))
    assert result.outcome == "blocked"
    blocking = {f.name for f in result.failures if f.blocking}
    assert blocking == {"expect_column_values_to_be_in_set:metric", "expect_column_values_to_be_unique:claim_id"}
    assert all("in_set" not in n and "unique" not in n for names in result.flagged["claims"].values() for n in names)
    assert "BLOCKING claims: expect_column_values_to_be_unique:claim_id (4 unexpected)" in result.summary()


# --- the cross-row logic alone ----------------------------------------------------------------

KEY = RULES["series_key"]


def _frame(rows):
    return pd.DataFrame([_claim(i, **r) for i, r in enumerate(rows)])


def test_held_may_rise_when_more_were_taken_in_between():
    frame = _frame([
        dict(metric="hostages_held", value=100, as_of=D("2023-10-05"), population="hostages", scope="stock"),
        dict(metric="hostages_taken", value=250, as_of=D("2023-10-07"), population="israel_oct7", scope="event"),
        dict(metric="hostages_held", value=240, as_of=D("2023-10-20"), population="hostages", scope="stock"),
    ])
    assert crossrow.rises_only_with(frame, KEY, "hostages_held", "hostages_taken", 0.02).all()


def test_approximate_and_open_wordings_get_their_slack():
    frame = _frame([
        dict(metric="killed", value=30100, as_of=D("2024-03-01")),
        dict(metric="killed", value=30000, as_of=D("2024-03-02"), qualifier="about"),  # within 2%
        dict(metric="killed", value=30100, as_of=D("2024-03-02"), qualifier="more_than"),
    ])
    assert crossrow.never_falls(frame, KEY, 0.02).all()
    assert crossrow.same_day_bounds_agree(frame, KEY, 0.02).all()


def test_a_single_low_misreading_flags_only_the_rise_after_it():
    held = dict(metric="hostages_held", population="hostages", scope="stock")
    frame = _frame([dict(held, value=130, as_of=D("2024-03-01")), dict(held, value=10, as_of=D("2024-03-02")),
                    dict(held, value=129, as_of=D("2024-03-03")), dict(held, value=128, as_of=D("2024-03-04"))])
    assert list(crossrow.rises_only_with(frame, KEY, "hostages_held", "hostages_taken", 0.02)) == [
        True, True, False, True]


def test_held_hostages_declared_dead_may_rise_without_new_captures():
    dead = dict(metric="hostages_held", population="hostages", scope="stock", subgroup="deceased")
    frame = _frame([dict(dead, value=31, as_of=D("2024-03-03")), dict(dead, value=37, as_of=D("2024-05-22"))])
    assert crossrow.rises_only_with(frame, KEY, "hostages_held", "hostages_taken", 0.02).all()
    whole = dict(metric="hostages_held", population="hostages", scope="stock")
    frame = _frame([dict(whole, value=120, as_of=D("2024-03-03")), dict(whole, value=130, as_of=D("2024-05-22"))])
    assert list(crossrow.rises_only_with(frame, KEY, "hostages_held", "hostages_taken", 0.02)) == [True, False]
