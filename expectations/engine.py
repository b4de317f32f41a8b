"""One change to GX's pandas execution engine: a row condition is evaluated once per batch.

GX 1.x evaluates an expectation's row condition (`DataFrame.query`) again for each metric the
expectation needs: a claims chunk of the 56-expectation suite ran 91 queries for its 22 distinct
conditions, a third of a chunk's fixed cost. Here the rows a condition selects are remembered
for the batch frame they were computed on, and the same rows, in the same order with the same
index, are handed back: the domain GX computes on is the one it would have built itself.

The memo lives on the engine and is emptied with the engine's other caches after each validation
(`RunValidator._release`); a frame is only ever looked up while its batch is loaded.
"""
from __future__ import annotations

MEMO_ATTRIBUTE = "_gazetl_condition_rows"
_evaluate = None  # GX's own evaluation (PandasExecutionEngine._apply_row_condition_filter)


def install() -> None:
    """Patch PandasExecutionEngine once per process (GX is pinned in requirements.lock)."""
    global _evaluate
    if _evaluate is not None:
        return
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    _evaluate = PandasExecutionEngine._apply_row_condition_filter
    PandasExecutionEngine._apply_row_condition_filter = _rows_of_condition


def _rows_of_condition(engine, data, row_condition, domain_kwargs):
    memo = engine.__dict__.setdefault(MEMO_ATTRIBUTE, {})
    key = (id(data), repr(row_condition), domain_kwargs.get("condition_parser"))
    rows = memo.get(key)
    if rows is None:
        selected = _evaluate(engine, data, row_condition, domain_kwargs)
        rows = memo[key] = data.index.get_indexer(selected.index)
    return data.take(rows)


def forget(engine) -> None:
    """Drop the engine's remembered rows (its batch frames are about to go)."""
    engine.__dict__.pop(MEMO_ATTRIBUTE, None)
