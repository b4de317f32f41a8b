"""Run the stored suites with Great Expectations and turn the results into an outcome and row flags.

A checkpoint or batch validation never raises on failed expectations: this module reads each
result and decides. Blocking expectations (schema, keys, codes, required fields) stop the publish;
the others put their `meta.name` into the failing rows' `flags` and the run publishes.
Cross-row rules see the whole frames they are given, so callers pass the full tables.
"""
from __future__ import annotations

import functools
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pyarrow as pa

from expectations.engine import forget as forget_condition_rows
from expectations.flagstore import SpilledFlags
from expectations.suites import VIEW_COLUMNS, suite_path
from schemas import TABLES

# Columns shown for a flagged row in the summary, when the table has them.
IDENTIFYING = ("source_path", "metric", "value", "scope", "as_of", "source_norm", "event_type", "event_date",
               "nearest_delta_pct")
N_EXAMPLES = 3


@dataclass
class Failure:
    table: str
    name: str
    blocking: bool
    unexpected_count: int | None
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        count = "n/a" if self.unexpected_count is None else self.unexpected_count
        return f"{self.table}: {self.name} ({count} unexpected)"


@dataclass
class ValidationOutcome:
    outcome: str  # passed | passed_with_flags | blocked
    failures: list[Failure] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # table -> GX validation result as JSON
    docs: dict = field(default_factory=dict)  # table -> Data Docs page (offline HTML)
    # table -> {row index or key: [expectation names]}, or SpilledFlags for a table validated in chunks
    flagged: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[str]:
        return [f.line() for f in self.failures if f.blocking]

    def summary(self) -> str:
        lines = [f"validation: {self.outcome}"]
        for table, flags in self.flagged.items():
            if flags:
                lines.append(f"  {table}: {len(flags)} row(s) flagged")
        for failure in self.failures:
            lines.append(("  BLOCKING " if failure.blocking else "  flag ") + failure.line())
            lines.extend(f"      e.g. {example}" for example in failure.examples)
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


def validation_view(name: str, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The frame GX sees: the table as given plus the VIEW_COLUMNS joined from other tables."""
    frame = frames[name].reset_index(drop=True)
    for column, (other, source) in VIEW_COLUMNS.get(name, {}).items():
        lookup = frames.get(other)
        if lookup is None or lookup.empty or "article_id" not in frame.columns:
            frame = frame.assign(**{column: pd.Series([None] * len(frame), dtype="float64")})
            continue
        mapping = dict(zip(lookup["article_id"], lookup[source]))
        # Numeric even when empty: GX compares it with offsets, and an empty str column cannot.
        frame = frame.assign(**{column: pd.to_numeric(frame["article_id"].map(mapping), errors="coerce")})
    return frame


# Expectations that read a column only for whether each value is there. The column list
# expectation reads names, not values.
PRESENCE_TYPES = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"})
NAMES_ONLY_TYPES = frozenset({"expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set"})


# Arguments that hold values to compare with, never column names.
VALUE_ARGUMENTS = frozenset({"value_set", "regex", "regex_list", "parameter", "min_value", "max_value",
                             "strftime_format", "type_", "type_list", "mostly"})


def _strings_in(value) -> set[str]:
    """Every string an expectation's arguments hold outside VALUE_ARGUMENTS: the columns it may read."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings_in(v) for k, v in value.items() if k not in VALUE_ARGUMENTS))
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings_in(v) for v in value))
    return set()


@functools.lru_cache(maxsize=None)
def presence_only_columns(name: str) -> frozenset[str]:
    """Columns of the table whose values its suite only tests for presence (null or not).

    An article's text is one: the suite requires it, and reads nothing else of it. Handed to GX
    as is, every row selection of the engine copies the text of every row (a 5,000-article chunk
    held 100 MB more than its frame while it was checked). Conservative: a column any other
    expectation names anywhere in its arguments, a row condition included, is not one."""
    stored = _stored(name)
    presence = {c["kwargs"]["column"] for c in stored if c["type"] in PRESENCE_TYPES}
    read = set().union(*(_strings_in(c["kwargs"]) for c in stored
                         if c["type"] not in PRESENCE_TYPES | NAMES_ONLY_TYPES), *(
                       _strings_in(c["kwargs"].get("row_condition")) for c in stored if c["type"] in PRESENCE_TYPES))
    return frozenset(presence - read - set(IDENTIFYING))


def presence_select_sql(name: str, columns: list[str], keep: tuple[str, ...] = ()) -> str:
    """The SELECT list a flow fetches rows of the table with for validation: the presence-only
    string columns (less `keep`, which the caller reads itself) as '' or NULL, so their text never
    leaves the database; every other column as it is."""
    table = TABLES.get(name)
    items = []
    for column in columns:
        quoted = sql_identifier(column)
        if (column in presence_only_columns(name) and column not in keep and table is not None
                and column in table.column_names and table.column(column).type == pa.string()):
            items.append(f"CASE WHEN {quoted} IS NULL THEN NULL ELSE '' END AS {quoted}")
        else:
            items.append(quoted)
    return ", ".join(items)


def _presence_proxies(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Presence-only string columns as '' where a value is there: the same verdicts, no text."""
    for column in presence_only_columns(name) & set(frame.columns):
        values = frame[column]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            frame[column] = values.where(values.isna(), "")
    return frame


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates stay `datetime.date` objects: GX turns a suite's ISO bounds into dates, and compares
    them with date values only (ISO strings or Timestamps raise). Lists become strings.
    A typed frame holds one kind of value per column, so its first non-null value tells."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        present = out[column].dropna()
        if present.empty:
            continue
        first = present.iloc[0]
        if isinstance(first, date):
            out[column] = pd.Series([v if isinstance(v, date) else None for v in out[column]],
                                    index=out.index, dtype=object)
        elif isinstance(first, (list, tuple)) or hasattr(first, "tolist") and not isinstance(first, str):
            out[column] = out[column].map(lambda v: ",".join(list(v)) if v is not None and not isinstance(v, (str, float)) else v)
    return _repeated_strings_as_categories(out)


# GX's pandas engine filters the whole frame, every column, for each metric of an expectation
# with a row condition or a null filter: a few hundred row selections per chunk. Taking rows of
# a string column copies its text; of a categorical, only integer codes. Codes, rules and
# sources repeat across rows, so as categoricals they cost a fraction (a 100,000-row claims
# chunk validated in 2.8 s instead of 4.9 s, and held less). Verdicts do not change: every
# expectation here compares values, which a categorical keeps.
CATEGORY_SHARE = 0.1  # distinct values at most this share of the rows


def _repeated_strings_as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    limit = len(frame) * CATEGORY_SHARE
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype) and 0 < values.nunique() <= limit:
            frame[column] = values.astype("category")
    return frame


def warm_up() -> None:
    """Import GX ahead of need (it takes seconds), quietly: the flow calls this in a thread."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401
    import expectations.custom  # noqa: F401
    _quiet_gx()


def _quiet_gx() -> None:
    # GX sets its loggers' levels when imported and logs each temporary docs folder at INFO.
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # imported here: it is slow to import and only this step needs it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    import expectations.custom  # noqa: F401  registers the custom expectation classes
    from expectations import engine

    engine.install()
    _quiet_gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return gx, context


def load_suite(gx, name: str):
    stored = json.loads(suite_path(name).read_text(encoding="utf-8"))
    suite = gx.ExpectationSuite(name=name, meta=stored.get("meta", {}))
    for config in stored["expectations"]:
        cls = gx.expectations.registry.get_expectation_impl(config["type"])
        suite.add_expectation(cls(**config["kwargs"], meta=config.get("meta", {})))
    return suite


def _row_indexes(result: dict) -> list[int]:
    rows = []
    for index in result.get("unexpected_index_list") or []:
        row = index.get("index") if isinstance(index, dict) else index
        if row is not None:
            rows.append(int(row))
    return rows


# What a stored result keeps of each failing expectation's full lists of unexpected values and
# row indexes: every failing row is already flagged in its table, and lists of a whole corpus's
# rows made the results files, the Data Docs and the run's memory grow with the corpus.
KEPT_UNEXPECTED = 20
_FULL_LISTS = ("unexpected_list", "unexpected_index_list", "unexpected_rows")


def _trim_unexpected_lists(result) -> None:
    for item in result.results:
        details = item.result or {}
        trimmed = False
        for name in _FULL_LISTS:
            listed = details.get(name)
            if isinstance(listed, list) and len(listed) > KEPT_UNEXPECTED:
                details[name] = listed[:KEPT_UNEXPECTED]
                trimmed = True
        if trimmed and "unexpected_index_query" in details:
            # The pandas query names every failing index: as long as the list it stands for.
            details["unexpected_index_query"] = (f"first {KEPT_UNEXPECTED} rows listed; "
                                                 "every failing row is flagged in its table")


def _examples(frame: pd.DataFrame, rows: list[int]) -> list[str]:
    columns = [c for c in dict.fromkeys(IDENTIFYING) if c in frame.columns]
    out = []
    for row in rows[:N_EXAMPLES]:
        values = frame.loc[row, columns]
        out.append(", ".join(f"{c}={values[c]}" for c in columns if not _missing(values[c])))
    return out


def _raised(info) -> str:
    """The exception message when GX caught one (top level, or nested per metric), else ''."""
    if not info:
        return ""
    entries = [info] + [v for v in info.values() if isinstance(v, dict)]
    for entry in entries:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "exception")
    return ""


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (list, str)) and pd.isna(value))


# Expectations that compare rows with other rows: when a table is validated in chunks, these run
# once over a slim projection of the whole table (their columns and the key) instead.
KEY_TYPES = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
SERIES_TYPES = frozenset({"expect_cumulative_figure_to_never_fall", "expect_stock_figure_to_rise_only_with",
                          "expect_same_day_bounds_to_agree"})
CROSS_ROW_TYPES = KEY_TYPES | SERIES_TYPES
# all: the whole suite; rows: the row-level expectations; keys / series: the cross-row ones;
# cross-N: the suite's Nth expectation alone, when it is a cross-row one (cross_row_passes).
PARTS = {"all": None, "rows": None, "keys": KEY_TYPES, "series": SERIES_TYPES}
# Expectations whose compared rows differ in these series-key columns (the stock rule compares
# hostages held with hostages taken), so a pass may not be split by them.
COMPARED_ACROSS = {"expect_stock_figure_to_rise_only_with": {"metric"}}


def _single(part: str) -> int | None:
    """N of a "cross-N" part, else None."""
    if part.startswith("cross-") and part[len("cross-"):].isdigit():
        return int(part[len("cross-"):])
    return None


def _valid_part(part: str) -> bool:
    return part in PARTS or _single(part) is not None


def _in_part(expectation_type: str, part: str, position: int | None = None) -> bool:
    if part == "all":
        return True
    if part == "rows":
        return expectation_type not in CROSS_ROW_TYPES
    if _single(part) is not None:
        return position == _single(part) and expectation_type in CROSS_ROW_TYPES
    return expectation_type in PARTS[part]


def _stored(name: str) -> list[dict]:
    return json.loads(suite_path(name).read_text(encoding="utf-8"))["expectations"]


def _cross_row_configs(name: str, part: str) -> list[dict]:
    """The stored configs of the table's cross-row expectations in a part."""
    return [c for i, c in enumerate(_stored(name)) if c["type"] in CROSS_ROW_TYPES and _in_part(c["type"], part, i)]


def cross_row_passes(name: str) -> list[str]:
    """One part per cross-row expectation of the table's suite, in suite order. Validated alone,
    each reads only the rows its condition selects and can be split by its own series key, so
    the largest frame held is one rule's largest series, not every series rule's rows at once."""
    return [f"cross-{i}" for i, c in enumerate(_stored(name)) if c["type"] in CROSS_ROW_TYPES]


def _named_columns(kwargs: dict) -> list[str]:
    return [kwargs["column"]] if "column" in kwargs else list(kwargs.get("column_list", []))


def cross_row_columns(name: str, part: str = "series") -> list[str]:
    """The columns the table's cross-row expectations of a part read."""
    columns: list[str] = []
    for config in _cross_row_configs(name, part):
        columns += _named_columns(config["kwargs"]) + _condition_columns(config["kwargs"].get("row_condition"))
    return list(dict.fromkeys(columns))


def cross_row_split_columns(name: str, part: str) -> list[str]:
    """Columns the rows of a part can be split by without changing a verdict, because rows its
    expectations compare always share their values: the key for uniqueness; for the series rules
    their series key (less the columns in COMPARED_ACROSS)."""
    common: set[str] | None = None
    for config in _cross_row_configs(name, part):
        kwargs = config["kwargs"]
        shared = (set(_named_columns(kwargs)) if config["type"] in KEY_TYPES
                  else set(kwargs.get("series_key", [])) - COMPARED_ACROSS.get(config["type"], set()))
        common = shared if common is None else common & shared
    return sorted(common or ())


def cross_row_filter(name: str, part: str) -> str:
    """SQL selecting the rows a part's expectations can look at: the OR of their row conditions
    (TRUE when one of them has none). The rows left out are ones every rule of the part skips."""
    clauses = []
    for config in _cross_row_configs(name, part):
        condition = config["kwargs"].get("row_condition")
        if not condition:
            return "TRUE"
        clauses.append(_condition_sql(condition))
    return " OR ".join(f"({c})" for c in clauses) if clauses else "FALSE"


def _condition_columns(condition: dict | None) -> list[str]:
    if not condition:
        return []
    if condition.get("type") in ("and", "or"):
        return [c for sub in condition["conditions"] for c in _condition_columns(sub)]
    return [condition["column"]["name"]]


def sql_identifier(name: str) -> str:
    """A column name as a DuckDB identifier: double-quoted, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value) -> str:
    """A value as a DuckDB literal: strings quoted (quotes doubled), numbers as written."""
    return "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else str(value)


def _condition_sql(condition: dict) -> str:
    """A stored GX row condition (comparisons joined by and/or) as DuckDB SQL."""
    kind = condition.get("type")
    if kind in ("and", "or"):
        return "(" + f" {kind.upper()} ".join(_condition_sql(c) for c in condition["conditions"]) + ")"
    column = sql_identifier(condition["column"]["name"])
    operator, value = condition["operator"], condition["parameter"]
    if operator == "IN":
        return f"{column} IN (" + ", ".join(sql_literal(v) for v in value) + ")"
    if operator in ("==", "!=", "<", "<=", ">", ">="):
        return f"{column} {'=' if operator == '==' else operator} {sql_literal(value)}"
    raise ValueError(f"row condition operator {operator!r} has no SQL form here")


class RunValidator:
    """One GX context for a run. A table is validated whole (part "all"), or, when it is too large
    to hold, in chunks of rows ("rows": the row-level expectations) plus passes over slim
    projections of its rows for the cross-row rules: "cross-N", the suite's Nth expectation alone
    (the flow's way), or "keys" (uniqueness) and "series" (the rules that compare a figure with
    others of its series) as groups. Failures of the same expectation add up across chunks."""

    def __init__(self, notes: list[str] | None = None):
        self.gx, self.context = _gx_context()
        self.source = self.context.data_sources.add_pandas("pipeline")
        self.outcome = ValidationOutcome("passed", notes=list(notes or []))
        self._suites: dict[tuple[str, str], object] = {}
        self._n = 0

    def _suite(self, name: str, part: str):
        if (name, part) not in self._suites:
            stored = json.loads(suite_path(name).read_text(encoding="utf-8"))
            suite = self.gx.ExpectationSuite(name=f"{name}.{part}", meta=stored.get("meta", {}))
            for position, config in enumerate(stored["expectations"]):
                if _in_part(config["type"], part, position):
                    cls = self.gx.expectations.registry.get_expectation_impl(config["type"])
                    suite.add_expectation(cls(**config["kwargs"], meta=config.get("meta", {})))
            self._suites[(name, part)] = self.context.suites.add(suite)
        return self._suites[(name, part)]

    def validate(self, name: str, frame: pd.DataFrame, key: str | None = None, part: str = "all") -> dict:
        """Flags of the failing rows: {key value (or row index without a key): [names]}."""
        from expectations.docs import offline_page

        if not _valid_part(part):
            raise ValueError(f"part must be one of {list(PARTS)} or cross-N, not {part!r}")
        self._n += 1
        frame = frame.reset_index(drop=True)
        asset = f"{name}-{self._n}"
        batch = self.source.add_dataframe_asset(name=asset) \
            .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": _presence_proxies(_comparable(frame), name)})
        result = batch.validate(self._suite(name, part), result_format="COMPLETE")
        del batch
        self._release(asset)
        rows_of = {id(item): _row_indexes(item.result) for item in result.results if not item.success}
        _trim_unexpected_lists(result)
        label_of_result = name if name not in self.outcome.results else f"{name}.{part}-{self._n}"
        self.outcome.results[label_of_result] = result.to_json_dict()
        self.outcome.docs[label_of_result] = offline_page(result)
        keys = frame[key].to_numpy(dtype=object) if key else None
        flags: dict = {}
        for item in result.results:
            if item.success:
                continue
            config = item.expectation_config
            meta = config.meta or {}
            label = meta.get("name") or config.type
            rows = rows_of[id(item)]
            if _raised(item.exception_info):
                # An expectation that crashed tells nothing about the rows: report it, flag none.
                self._fail(Failure(name, label, bool(meta.get("blocking")), None, [_raised(item.exception_info)[:300]]))
                continue
            if meta.get("blocking"):
                examples = [repr(v) for v in (item.result.get("partial_unexpected_list") or [])[:N_EXAMPLES]]
                self._fail(Failure(name, label, True, item.result.get("unexpected_count"), examples))
                continue
            self._fail(Failure(name, label, False, len(rows), _examples(frame, rows)))
            for row in rows:
                flags.setdefault(keys[row] if key else row, []).append(label)
        merged = self.outcome.flagged.setdefault(name, {})
        if isinstance(merged, SpilledFlags):
            merged.add(flags)
            return flags
        for row, names in flags.items():
            merged.setdefault(row, []).extend(n for n in names if n not in merged.get(row, []))
        return flags

    def _release(self, asset: str) -> None:
        # The datasource's execution engine keeps every batch it has loaded (the DataFrame too)
        # for the context's lifetime, and every metric it resolved (row masks and failing
        # values, keyed by batch): validated in chunks, a run would hold its whole corpus.
        engine = self.source.get_execution_engine()
        engine.batch_manager.reset_batch_cache()
        engine.batch_manager.batch_data_cache.clear()
        metric_cache = getattr(engine, "_metric_cache", None)
        if isinstance(metric_cache, dict):
            metric_cache.clear()
        forget_condition_rows(engine)
        self.source.delete_asset(asset)

    def _fail(self, failure: Failure) -> None:
        for known in self.outcome.failures:
            if (known.table, known.name, known.blocking) == (failure.table, failure.name, failure.blocking):
                if failure.unexpected_count is not None:
                    known.unexpected_count = (known.unexpected_count or 0) + failure.unexpected_count
                known.examples = (known.examples + failure.examples)[:N_EXAMPLES]
                return
        self.outcome.failures.append(failure)

    def finish(self) -> ValidationOutcome:
        outcome = self.outcome
        if any(f.blocking for f in outcome.failures):
            outcome.outcome = "blocked"
        elif any(outcome.flagged.values()):
            outcome.outcome = "passed_with_flags"
        return outcome


def validate_tables(frames: dict[str, pd.DataFrame], notes: list[str] | None = None) -> ValidationOutcome:
    """Validate every frame that has a stored suite, whole; frames are the tables as they will be
    written. Flags are keyed by row index."""
    validator = RunValidator(notes)
    for name in frames:
        if suite_path(name).exists():
            validator.outcome.flagged[name] = {}
            validator.validate(name, validation_view(name, frames))
    return validator.finish()


def apply_keyed_flags(frame: pd.DataFrame, flags: dict, key: str) -> pd.DataFrame:
    """apply_flags for flags keyed by the table's key column instead of the row index."""
    if frame.empty or not flags:
        return frame
    frame = frame.reset_index(drop=True)
    by_row = {i: flags[k] for i, k in enumerate(frame[key]) if k in flags}
    return apply_flags(frame, by_row)


def apply_flags(frame: pd.DataFrame, flags: dict[int, list[str]]) -> pd.DataFrame:
    frame = frame.reset_index(drop=True).copy()
    existing = frame["flags"] if "flags" in frame.columns else pd.Series([[]] * len(frame))
    frame["flags"] = [sorted(set(list(_as_list(existing[i])) + flags.get(i, []))) for i in range(len(frame))]
    return frame


def _as_list(value) -> list:
    if value is None or (not isinstance(value, (list, tuple, str)) and not hasattr(value, "__len__")):
        return []
    return list(value)
