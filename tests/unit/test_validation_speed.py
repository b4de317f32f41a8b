"""The two things that make GX cheap on wide chunks must not change a verdict: repeated strings
handed to GX as categoricals, and each row condition evaluated once per batch."""
import pandas as pd
import pytest

from expectations import engine, validate
from expectations.validate import RunValidator, validate_tables
from tests.unit.test_validation import CLAIMS, EXPECTED_FLAGS, _articles, _typed


def _flags(monkeypatch, share: float) -> dict:
    monkeypatch.setattr(validate, "CATEGORY_SHARE", share)
    outcome = validate_tables(_typed({"articles": _articles(CLAIMS), "claims": pd.DataFrame(CLAIMS)}))
    return outcome.flagged["claims"]


def test_categorical_strings_give_the_same_flags_as_plain_strings(monkeypatch):
    plain = _flags(monkeypatch, 0.0)  # no column converted
    categorical = _flags(monkeypatch, 1.0)  # every string column with a value converted
    assert plain == categorical
    assert {row: sorted(names) for row, names in categorical.items()} == EXPECTED_FLAGS


def test_only_strings_that_repeat_become_categories():
    frame = pd.DataFrame({"code": ["a", "b"] * 50, "unique": [f"u{i}" for i in range(100)],
                          "empty": pd.Series([None] * 100, dtype="str"), "number": range(100)})
    out = validate._comparable(frame)
    assert isinstance(out["code"].dtype, pd.CategoricalDtype)
    assert not isinstance(out["unique"].dtype, pd.CategoricalDtype)
    assert not isinstance(out["empty"].dtype, pd.CategoricalDtype)
    assert out["number"].dtype == frame["number"].dtype
    assert out["code"].astype(str).tolist() == frame["code"].tolist()


def test_each_row_condition_is_evaluated_once_per_validation_and_then_forgotten(monkeypatch):
    validator = RunValidator()
    calls = []
    original = engine._evaluate

    def counting(gx_engine, data, row_condition, domain_kwargs):
        calls.append(repr(row_condition))
        return original(gx_engine, data, row_condition, domain_kwargs)

    monkeypatch.setattr(engine, "_evaluate", counting)
    frames = _typed({"articles": _articles(CLAIMS), "claims": pd.DataFrame(CLAIMS)})
    view = validate.validation_view("claims", frames)
    validator.outcome.flagged["claims"] = {}
    validator.validate("claims", view, "claim_id", part="rows")
    assert calls and len(calls) == len(set(calls))  # GX asks for most conditions several times
    assert engine.MEMO_ATTRIBUTE not in validator.source.get_execution_engine().__dict__
    first = list(calls)
    validator.validate("claims", view, "claim_id", part="rows")
    assert sorted(calls[len(first):]) == sorted(first)  # a new batch evaluates afresh


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_memoised_condition_selects_what_gx_selects(share, monkeypatch):
    monkeypatch.setattr(validate, "CATEGORY_SHARE", share)
    validator = RunValidator()
    gx_engine = validator.source.get_execution_engine()
    frame = validate._comparable(pd.DataFrame({"metric": ["killed", "injured", None, "killed"] * 5,
                                               "value": range(20)}))
    condition = {"type": "comparison", "column": {"name": "metric"}, "operator": "==", "parameter": "killed"}
    kwargs = {"row_condition": condition}
    expected = engine._evaluate(gx_engine, frame, condition, kwargs)
    for _ in range(2):  # computed, then remembered
        got = gx_engine._apply_row_condition_filter(frame, condition, kwargs)
        pd.testing.assert_frame_equal(got, expected)
    engine.forget(gx_engine)


def test_text_is_read_only_for_presence_and_codes_are_not():
    articles = validate.presence_only_columns("articles")
    assert "text" in articles
    # each of these is compared with a code list, a key or another column somewhere in its suite
    assert not articles & {"content_type", "published_date_basis", "article_id"}
    assert not validate.presence_only_columns("claims") & {"quote", "value", "metric", "char_end", "claim_id"}
    assert not validate.presence_only_columns("event_mentions") & {"quote", "trigger_text"}


def test_a_column_named_in_a_row_condition_or_as_a_text_column_is_read(monkeypatch):
    stored = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "body"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "note"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "lead"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "kind", "value_set": ["body"]}},
        {"type": "expect_quote_to_hold_text_at_offsets", "kwargs": {"column_list": ["q"], "text_column": "note"}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "n", "row_condition": {"type": "comparison", "column": {"name": "lead"},
                                                     "operator": "==", "parameter": "x"}}},
    ]
    monkeypatch.setattr(validate, "_stored", lambda name: stored)
    validate.presence_only_columns.cache_clear()
    try:
        # "body" is only a value in a code list: still presence-only
        assert validate.presence_only_columns("made-up") == {"body"}
    finally:
        validate.presence_only_columns.cache_clear()


def test_presence_select_keeps_what_the_caller_reads_and_what_is_not_text():
    sql = validate.presence_select_sql("articles", ["article_id", "text", "n_chars", "content_type"],
                                       keep=("article_id",))
    assert sql == ('"article_id", CASE WHEN "text" IS NULL THEN NULL ELSE \'\' END AS "text", '
                   '"n_chars", "content_type"')
    assert validate.presence_select_sql("articles", ["text"], keep=("text",)) == '"text"'


@pytest.mark.parametrize("proxied", [False, True])
def test_missing_text_fails_the_same_with_or_without_the_proxy(proxied, monkeypatch):
    if not proxied:
        monkeypatch.setattr(validate, "_presence_proxies", lambda frame, name: frame)
    articles = _articles(CLAIMS)
    articles.loc[2, "text"] = None
    frames = _typed({"articles": articles})
    validator = RunValidator()
    validator.outcome.flagged["articles"] = {}
    validator.validate("articles", frames["articles"], "article_id")
    failures = [(f.name, f.blocking, f.unexpected_count) for f in validator.outcome.failures]
    assert failures == [("expect_column_values_to_not_be_null:text", True, 1)]
