"""The run report for Prefect artifacts: a Markdown digest and a key/value table.

The flow passes these to create_markdown_artifact / create_table_artifact; both state the same
facts as the HTML page (reporting.facts), without the charts.
"""
from __future__ import annotations

import re

from reporting import facts
from reporting.inputs import ReportInputs

# Enough to keep data from making links, emphasis, HTML or table cells; parentheses and the like
# only matter after a bracket, which is escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _md(value) -> str:
    """Data as literal Markdown text: specials backslash-escaped, one line."""
    text = "n/a" if value is None else str(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _n(value) -> str:
    return "n/a" if value is None else f"{value:,}"


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers),
            *("| " + " | ".join(row) + " |" for row in rows)]


def summary_markdown(inputs: ReportInputs) -> str:
    run = inputs.run
    label = facts.outcome_label(inputs.outcome)
    lines = [f"# Run {_md(run.get('run_id'))}: validation {_md(label)}", ""]
    lines.append("Tables published." if inputs.published
                 else "**Blocked: nothing published**, the previous tables are untouched.")
    lines.append("")
    input_counts = facts.counts(run, facts.INPUT_COUNTS)
    row_counts = facts.counts(run, facts.ROW_COUNTS)
    lines += _md_table([label for _, label, _ in input_counts], [[_n(v) for _, _, v in input_counts]])
    lines.append("")
    lines += _md_table([label for _, label, _ in row_counts], [[_n(v) for _, _, v in row_counts]])
    reasons = facts.quarantine_reasons(inputs.quarantine)
    if reasons:
        lines += ["", "## Quarantine", ""]
        lines += _md_table(["reason_code", "n", "example paths"], [
            [_md(r.reason_code), _n(r.n), ", ".join(_md(p) for p in r.example_paths)] for r in reasons])
    failed = facts.failures(inputs.validation)
    lines += ["", "## Validation", ""]
    if failed:
        lines += _md_table(["table", "expectation", "kind", "unexpected"], [
            [_md(f.get("table")), _md(f.get("name")), "**blocking**" if f.get("blocking") else "flag",
             _md(f.get("unexpected_count"))] for f in failed])
    else:
        lines.append("No expectation failed.")
    flagged = [t for t in facts.validation_by_table(inputs.validation) if t.rows_flagged]
    if flagged:
        lines += ["", "Rows flagged: " + ", ".join(f"{_md(t.table)} {_n(t.rows_flagged)}" for t in flagged) + "."]
    series = facts.death_toll_summary(inputs.death_toll_series)
    if series:
        lines += ["", "## Latest reported death toll per source", ""]
        lines += _md_table(["population", "source", "as of", "value"], [
            [_md(s.population), _md(s.source_norm), _md(s.last_as_of), _n(s.last_value)] for s in series])
    notes = [*(inputs.validation.get("notes") or []), *inputs.notes]
    if notes:
        lines += ["", "## Notes", "", *(f"- {_md(note)}" for note in notes)]
    return "\n".join(lines) + "\n"


def summary_table(inputs: ReportInputs) -> list[dict]:
    """One row per fact: {"section", "item", "value"}; counts a run did not measure are None."""
    rows = [{"section": "validation", "item": "outcome", "value": facts.outcome_label(inputs.outcome)},
            {"section": "validation", "item": "published", "value": inputs.published}]
    rows += [{"section": "inputs", "item": label, "value": value}
             for _, label, value in facts.counts(inputs.run, facts.INPUT_COUNTS)]
    rows += [{"section": "rows", "item": label, "value": value}
             for _, label, value in facts.counts(inputs.run, facts.ROW_COUNTS)]
    rows += [{"section": "rows flagged", "item": t.table, "value": t.rows_flagged}
             for t in facts.validation_by_table(inputs.validation)]
    rows += [{"section": "failed expectations", "item": f"{f.get('table')}: {f.get('name')}",
              "value": "blocking" if f.get("blocking") else "flag"} for f in facts.failures(inputs.validation)]
    rows += [{"section": "quarantine", "item": r.reason_code, "value": r.n}
             for r in facts.quarantine_reasons(inputs.quarantine)]
    return rows
