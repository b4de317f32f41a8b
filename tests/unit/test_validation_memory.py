"""Validation whose memory does not grow with the corpus: GX's batch caches released, stored
results trimmed, cross-row passes split only along the columns compared rows share."""
import pandas as pd

from expectations import validate
from expectations.validate import KEPT_UNEXPECTED, RunValidator, cross_row_passes, cross_row_split_columns


def test_the_validator_keeps_no_batch_after_a_validation():
    validator = RunValidator()
    validator.outcome.flagged["quarantine"] = {}
    frame = pd.DataFrame({"source_path": ["a.txt"], "stage": ["decode"], "reason_code": ["empty"],
                          "detail": ["no text"], "n_bytes": [0], "run_id": ["r"]})
    for _ in range(3):
        validator.validate("quarantine", frame)
    engine = validator.source.get_execution_engine()
    assert not engine.batch_manager.batch_data_cache and not engine.batch_manager.batch_cache
    assert not engine._metric_cache  # resolved metrics hold row masks and failing values
    assert not validator.source.assets


def test_stored_results_keep_a_few_failing_rows_but_every_row_is_flagged():
    validator = RunValidator()
    n = 3 * KEPT_UNEXPECTED
    frame = pd.DataFrame({"event_id": ["same"] * n})
    validator.validate("events", frame, part="keys")
    stored = next(iter(validator.outcome.results.values()))
    failed = [r for r in stored["results"] if not r["success"]]
    assert failed and all(len(r["result"].get("unexpected_index_list", [])) <= KEPT_UNEXPECTED for r in failed)
    assert all(len(r["result"].get("unexpected_index_query", "")) < 200 for r in failed)
    assert all(r["result"]["unexpected_count"] == n for r in failed)  # the count stays whole
    assert validator.finish().outcome == "blocked"


def test_cross_row_passes_split_only_by_columns_every_compared_pair_shares():
    assert cross_row_split_columns("claims", "keys") == ["claim_id"]
    # The stock rule compares hostages held with hostages taken: metric must not split them.
    assert cross_row_split_columns("claims", "series") == ["cause", "population", "source_norm", "subgroup"]
    assert cross_row_split_columns("claims", "rows") == []


def test_trimming_leaves_short_lists_alone():
    class Item:
        def __init__(self, result):
            self.result = result

    class Result:
        results = [Item({"unexpected_index_list": [1, 2], "unexpected_index_query": "df.filter(items=[1, 2])"}),
                   Item({"unexpected_list": list(range(100)), "unexpected_index_list": list(range(100)),
                         "unexpected_index_query": "df.filter(items=[...])"})]

    validate._trim_unexpected_lists(Result)
    short, long = Result.results
    assert short.result == {"unexpected_index_list": [1, 2], "unexpected_index_query": "df.filter(items=[1, 2])"}
    assert len(long.result["unexpected_list"]) == len(long.result["unexpected_index_list"]) == KEPT_UNEXPECTED
    assert "every failing row is flagged" in long.result["unexpected_index_query"]


def test_each_cross_row_rule_gets_its_own_pass_split_by_its_own_series():
    passes = cross_row_passes("claims")
    assert passes and set(validate.cross_row_passes("claims")) == set(passes)
    stored = validate._stored("claims")
    rules = [stored[int(p.split("-")[1])] for p in passes]
    assert all(r["type"] in validate.CROSS_ROW_TYPES for r in rules)
    assert {r["type"] for r in rules} == {c["type"] for c in stored if c["type"] in validate.CROSS_ROW_TYPES}
    for part, rule in zip(passes, rules):
        split = cross_row_split_columns("claims", part)
        if rule["type"] == "expect_stock_figure_to_rise_only_with":
            assert "metric" not in split  # held is compared with taken
        elif rule["type"] in validate.SERIES_TYPES:
            assert split == sorted(rule["kwargs"]["series_key"])
        else:
            assert split == sorted(validate._named_columns(rule["kwargs"]))
    never_fall = next(p for p, r in zip(passes, rules) if r["type"] == "expect_cumulative_figure_to_never_fall")
    assert "'cumulative'" in validate.cross_row_filter("claims", never_fall)


def test_a_single_rule_pass_runs_that_rule_only():
    validator = RunValidator()
    part = cross_row_passes("events")[0]
    validator.validate("events", pd.DataFrame({"event_id": ["same", "same", "other"]}), part=part)
    stored = next(iter(validator.outcome.results.values()))
    assert len(stored["results"]) == 1 and not stored["results"][0]["success"]
    try:
        validator.validate("events", pd.DataFrame({"event_id": ["x"]}), part="cross-x")
    except ValueError as error:
        assert "cross-N" in str(error)
    else:
        raise AssertionError("an unknown part must be refused")
