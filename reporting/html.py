"""The run report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

A Content-Security-Policy of default-src 'none' makes the "nothing fetched" hold even if a later
change slipped in an external reference: the browser would refuse it. Every string that comes
from the data goes through `_text` (html.escape); links are relative paths only.
"""
from __future__ import annotations

import html
import re
from datetime import date, datetime

import pandas as pd

from reporting import charts, facts
from reporting.inputs import ReportInputs

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
NO_TOLL_CLAIMS = "No cumulative death-toll claims in this run."
NO_DATED_EVENTS = "No dated events in this run"
# A blocked run wrote no tables: its rows are not "none", they are unknown.
NOT_PUBLISHED = "Not shown: this run published no tables."
_SCHEME = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1.5rem; color: #1d2125; line-height: 1.4; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d8dde2; padding-bottom: .2rem; }
.meta { color: #59636e; margin: .2rem 0; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .92rem; }
th, td { border: 1px solid #d8dde2; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.counts { display: flex; flex-wrap: wrap; gap: 2rem; }
.outcome { display: inline-block; padding: .1rem .6rem; border-radius: .8rem; font-weight: 600; }
.outcome-passed { background: #dcf3e3; color: #14632f; } .outcome-flagged { background: #fff1c9; color: #6b4e00; }
.outcome-blocked { background: #fbdada; color: #8a1c1c; }
.blocking { color: #8a1c1c; font-weight: 600; } .empty { color: #59636e; font-style: italic; }
figure { margin: .5rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #59636e; font-size: .9rem; } code { background: #f3f5f7; padding: 0 .2rem; }
ul.examples { margin: 0; padding-left: 1.1rem; } details { margin: .5rem 0; }
"""


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple, dict)) and bool(pd.isna(value)))


def _text(value) -> str:
    if _missing(value):
        return "n/a"
    if isinstance(value, datetime):
        return html.escape(value.isoformat(timespec="seconds"))
    if isinstance(value, date):
        return value.isoformat()
    return html.escape(str(value))


def _number(value) -> str:
    return "n/a" if value is None else f"{value:,}"


def _safe_href(href: str | None) -> str | None:
    """Only relative links: a report that opens offline must not point anywhere remote."""
    return None if not href or _SCHEME.match(href) else href


def _table(headers: list[str], rows: list[list[str]], css_class: str = "") -> str:
    """headers are literal; rows hold cells already escaped (or built from escaped parts)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    klass = f' class="{css_class}"' if css_class else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(content: str, numeric: bool = False, key: str | None = None) -> str:
    attrs = (' class="n"' if numeric else "") + (f' data-key="{html.escape(key)}"' if key else "")
    return f"<td{attrs}>{content}</td>"


def _header(inputs: ReportInputs) -> str:
    run = inputs.run
    label = facts.outcome_label(inputs.outcome)
    published = ("published its tables" if inputs.published
                 else "published nothing: the previous tables are untouched")
    duration = run.get("duration_s")
    return (
        f"<header><h1>Run report</h1>"
        f'<p class="meta">run <code id="run-id">{_text(run.get("run_id"))}</code> started '
        f"{_text(run.get('started_at'))}"
        + ("" if _missing(duration) else f", took {float(duration):.1f} s")
        + f"; input <code>{_text(run.get('input_dir'))}</code>; code {_text(run.get('code_version'))}</p>"
        f'<p>validation <span id="outcome" class="outcome outcome-{html.escape(label)}">'
        f"{html.escape(label)}</span> &mdash; the run {published}.</p></header>"
    )


def _counts(inputs: ReportInputs) -> str:
    run = inputs.run
    inputs_table = _table(["inputs", "n"], [[_td(label), _td(_number(value), True, column)]
                                            for column, label, value in facts.counts(run, facts.INPUT_COUNTS)])
    rows_table = _table(["rows", "n"], [[_td(label), _td(_number(value), True, column)]
                                        for column, label, value in facts.counts(run, facts.ROW_COUNTS)])
    removed = run.get("on_removed")
    policy = f'<p class="meta">rows of removed inputs: {_text(removed)}</p>' if removed else ""
    return f'<section id="counts"><h2>Counts</h2><div class="counts">{inputs_table}{rows_table}</div>{policy}</section>'


def _quarantine(inputs: ReportInputs) -> str:
    reasons = facts.quarantine_reasons(inputs.quarantine)
    if not reasons and not inputs.published:
        body = f'<p class="empty" id="quarantine-not-published">{NOT_PUBLISHED}</p>'
    elif not reasons:
        body = '<p class="empty">Nothing quarantined.</p>'
    else:
        body = _table(["reason_code", "n", "stage", "example paths"], [[
            _td(f"<code>{_text(r.reason_code)}</code>"), _td(_number(r.n), True),
            _td(", ".join(_text(s) for s in r.stages)),
            _td('<ul class="examples">' + "".join(f"<li><code>{_text(p)}</code></li>" for p in r.example_paths)
                + ("<li>&hellip;</li>" if r.n > len(r.example_paths) else "") + "</ul>"),
        ] for r in reasons], "quarantine")
    return f'<section id="quarantine"><h2>Quarantine</h2>{body}</section>'


def _validation(inputs: ReportInputs) -> str:
    by_table = facts.validation_by_table(inputs.validation)
    parts = ['<section id="validation"><h2>Validation</h2>']
    if by_table:
        parts.append(_table(["table", "rows flagged", "blocking failures", "flagging failures"], [[
            _td(_text(t.table)), _td(_number(t.rows_flagged), True), _td(_number(t.blocking), True),
            _td(_number(t.flagging), True),
        ] for t in by_table], "validation-tables"))
    failed = facts.failures(inputs.validation)
    if failed:
        parts.append("<h3>Failed expectations</h3>")
        parts.append(_table(["table", "expectation", "kind", "unexpected", "examples"], [[
            _td(_text(f.get("table"))), _td(f"<code>{_text(f.get('name'))}</code>"),
            _td('<span class="blocking">blocking</span>' if f.get("blocking") else "flag"),
            _td(_text(f.get("unexpected_count")), True),
            _td('<ul class="examples">' + "".join(f"<li><code>{_text(e)}</code></li>"
                                                  for e in f.get("examples") or []) + "</ul>"),
        ] for f in failed], "failures"))
    else:
        parts.append('<p class="empty">No expectation failed.</p>')
    href = _safe_href(inputs.data_docs_href)
    if not inputs.published:
        parts.append('<p class="blocking" id="blocked">This run was blocked: it published nothing and wrote no '
                     "Data Docs, so the failures above are the whole record of its validation.</p>")
    elif href:
        parts.append(f'<p>Great Expectations results for every table: <a id="data-docs" '
                     f'href="{html.escape(href, quote=True)}">Data Docs of this run</a> (kept on disk '
                     "while this run&rsquo;s snapshot is one of the last two published).</p>")
    else:
        parts.append('<p class="empty">No Data Docs found for this run.</p>')
    notes = inputs.validation.get("notes") or []
    if notes:
        parts.append("<ul>" + "".join(f"<li>{_text(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def _death_toll(inputs: ReportInputs) -> str:
    svg = charts.death_toll_svg(inputs.death_toll_series, inputs.reference)
    parts = ['<section id="death-toll"><h2>Reported death toll over time</h2>']
    if svg is None:
        message = NO_TOLL_CLAIMS if inputs.published else NOT_PUBLISHED
        parts.append(f'<p class="empty" id="death-toll-empty">{message}</p></section>')
        return "".join(parts)
    summary = facts.death_toll_summary(inputs.death_toll_series)
    reference = (f" The grey band is the {charts.REFERENCE_LABEL}: the ministry&rsquo;s cumulative killed per day "
                 "(the bulletin&rsquo;s figure, else the maintainers&rsquo; filled-in value), over the claims&rsquo; "
                 f"dates, in the {charts.REFERENCE_POPULATION} panel."
                 if inputs.reference is not None and not inputs.reference.empty else " No reference series drawn.")
    parts.append(
        f'<figure id="death-toll-chart">{svg}<figcaption>Claims of metric <code>killed</code>, scope '
        "<code>cumulative</code>, with an <code>as_of</code> date: the highest figure per source, population "
        f"and day; one panel per population, one line per source.{reference}</figcaption></figure>")
    parts.append("<details><summary>Series drawn</summary>" + _table(
        ["population", "source", "points", "first as_of", "last as_of", "last value", "claims"], [[
            _td(_text(s.population)), _td(_text(s.source_norm)), _td(_number(s.points), True),
            _td(_text(s.first_as_of)), _td(_text(s.last_as_of)), _td(_number(s.last_value), True),
            _td(_number(s.n_claims), True)] for s in summary], "series") + "</details></section>")
    return "".join(parts)


def _events(inputs: ReportInputs) -> str:
    svg = charts.events_svg(inputs.events)
    by_type = facts.events_by_type(inputs.events)
    parts = ['<section id="events"><h2>Events timeline</h2>']
    if svg is None and not inputs.published and not by_type:
        parts.append(f'<p class="empty" id="events-empty">{NOT_PUBLISHED}</p>')
    elif svg is None:
        undated = sum(t.undated for t in by_type)
        extra = f" ({undated} event(s) without a date)" if undated else ""
        parts.append(f'<p class="empty" id="events-empty">{NO_DATED_EVENTS}{extra}.</p>')
    else:
        parts.append(f'<figure id="events-chart">{svg}<figcaption>Merged events by date, one line per type: '
                     "filled dots were reported as past, hollow dots are planned or expected; a bar spans a "
                     "window of several days. Events without a date are counted below, not drawn."
                     "</figcaption></figure>")
    if by_type:
        parts.append("<details><summary>Events by type</summary>" + _table(
            ["event_type", "reported", "planned", "windows", "undated"], [[
                _td(_text(t.event_type)), _td(_number(t.reported), True), _td(_number(t.planned), True),
                _td(_number(t.windows), True), _td(_number(t.undated), True)] for t in by_type], "event-types")
            + "</details>")
    parts.append("</section>")
    return "".join(parts)


def _notes(inputs: ReportInputs) -> str:
    if not inputs.notes:
        return ""
    return ('<section id="notes"><h2>Notes</h2><ul>' + "".join(f"<li>{_text(n)}</li>" for n in inputs.notes)
            + "</ul></section>")


def render_report(inputs: ReportInputs) -> str:
    """The whole page. Same inputs, same bytes: nothing here reads a clock or a file."""
    title = f"Run report {_text(inputs.run.get('run_id'))}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}</style></head><body>"
        + _header(inputs) + _counts(inputs) + _quarantine(inputs) + _validation(inputs)
        + _death_toll(inputs) + _events(inputs) + _notes(inputs)
        + "</body></html>\n"
    )
