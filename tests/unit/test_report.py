"""The run report renderer (reporting/): what each kind of run shows, what the charts draw,
escaping, offline-only links and byte-for-byte repeatable output; and the Prefect artifacts."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reporting import facts
from reporting.html import NO_DATED_EVENTS, NO_TOLL_CLAIMS, NOT_PUBLISHED, render_report
from reporting.inputs import ReportInputs
from reporting.summary import summary_markdown, summary_table
from schemas import codes
from tests.unit import report_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script><b>$x$</b>'


class Elements(HTMLParser):
    """Every element with its attributes and the ids of the elements it sits in."""
    VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []
        self.found: list[tuple[str, dict, tuple[str, ...]]] = []
        self.feed(page)

    def _add(self, tag, attrs):
        self.found.append((tag, dict(attrs), tuple(element_id for _, element_id in self.open)))

    def handle_starttag(self, tag, attrs):
        self._add(tag, attrs)
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs).get("id") or ""))

    def handle_startendtag(self, tag, attrs):
        self._add(tag, attrs)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def inside(self, tag: str, id_prefix: str) -> int:
        """Elements `tag` inside an element whose id starts with id_prefix."""
        return sum(1 for t, _, ids in self.found if t == tag and any(i.startswith(id_prefix) for i in ids))

    def ids(self, prefix: str) -> list[str]:
        return [a["id"] for _, a, _ in self.found if a.get("id", "").startswith(prefix)]


@dataclass
class Case:
    name: str
    inputs: ReportInputs
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


MANY_SOURCES = fx.toll(
    [(source, "gaza_palestinians", f"2024-{month:02d}-15", 20000 + 1000 * month + 10 * rank)
     for rank, source in enumerate(codes.SOURCE_NORMS) for month in (1, 4, 9)]
    + [("not_a_code", "gaza_palestinians", "2024-06-01", 31000),
       ("idf", "israeli_soldiers", "2024-02-01", 560), ("idf", "israeli_soldiers", "2025-01-01", 830),
       ("hamas", None, "2024-07-01", 40)])

CASES = [
    Case("empty run", fx.inputs(), [NO_TOLL_CLAIMS, NO_DATED_EVENTS, "Nothing quarantined.", 'id="data-docs"',
                                     "No expectation failed.", "outcome-passed"], ["<svg"]),
    Case("blocked run", fx.inputs(
        run=fx.run_row(validation_outcome="blocked"), docs_href=None,
        summary=fx.validation("blocked", [
            fx.failure("claims", "claims_required_columns", True, 3, ["None"]),
            fx.failure("events", "events_codes_event_type", True, 1, ["'parade'"]),
            fx.failure("claims", "as_of_in_window", False, 1, ["source_path=b.txt"])])),
        ['id="blocked"', "outcome-blocked", "published nothing", "claims_required_columns",
         "events_codes_event_type", "&#x27;parade&#x27;", "as_of_in_window", 'class="blocking"',
         f'id="quarantine-not-published">{NOT_PUBLISHED}<', f'id="death-toll-empty">{NOT_PUBLISHED}<',
         f'id="events-empty">{NOT_PUBLISHED}<'],
        ['id="data-docs"', "<svg", "Data Docs of this run", "Nothing quarantined.", NO_TOLL_CLAIMS, NO_DATED_EVENTS]),
    Case("flagged run", fx.flagged_inputs(),
         ["outcome-flagged", f'href="{fx.DOCS_HREF}"', "cumulative_never_falls", "<code>empty</code>",
          "<code>binary</code>", "<code>bad/empty.txt</code>", "<code>bad/zero.md</code>", 'id="toll-reference"',
          "reference cross-check: 4 claim(s)", 'data-key="n_new">4<', 'data-key="n_skipped_unchanged">9<'],
         ["No expectation failed.", 'id="blocked"', NO_TOLL_CLAIMS]),
    Case("many sources", fx.inputs(series=MANY_SOURCES, reference_series=fx.reference("2023-10-07", 700, 200, 70)),
         [*(f'id="toll-series-{i}"' for i in range(len(codes.SOURCE_NORMS) + 3)), "not_a_code", "(no population)"],
         [f'id="toll-series-{len(codes.SOURCE_NORMS) + 3}"']),
    Case("one point", fx.inputs(series=fx.toll([("gaza_moh", "gaza_palestinians", "2024-03-03", 30387)]),
                                merged=fx.events([("truce", "2024-03-10", None, "future")])),
         ['id="toll-series-0"', 'id="events-points-0-future"'], [NO_TOLL_CLAIMS, NO_DATED_EVENTS, "toll-reference"]),
    Case("undated events only", fx.inputs(merged=fx.events([("statement", None, None, "past")] * 2)),
         [f"{NO_DATED_EVENTS} (2 event(s) without a date)."], ["events-points"]),
    Case("no run-level counts before incremental runs", fx.inputs(run=fx.run_row(n_new=None, n_changed=None)),
         ['data-key="n_new">n/a<', 'data-key="n_changed">n/a<'], []),
]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {case.name: render_report(case.inputs) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_what_each_run_shows(case, pages):
    page = pages[case.name]
    for text in case.present:
        assert text in page, text
    for text in case.absent:
        assert text not in page, text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_charts_draw_one_mark_per_row(case, pages):
    elements = Elements(pages[case.name])
    series = case.inputs.death_toll_series
    assert elements.inside("use", "toll-series-") == len(series)
    assert len(elements.ids("toll-series-")) == len(series.groupby(["source_norm", "population"], dropna=False))
    merged = case.inputs.events
    dated = merged[merged["event_date"].notna()]
    windows = dated[dated["event_date_end"].notna()]
    assert elements.inside("use", "events-points-") == len(dated) - len(windows)
    assert len(elements.ids("events-range-")) == len(windows)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_page_is_self_contained(case, pages):
    elements = Elements(pages[case.name])
    tags = {tag for tag, _, _ in elements.found}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for tag, attrs, _ in elements.found:
        for name in ("src", "href", "xlink:href"):
            assert "http" not in (attrs.get(name) or ""), (tag, attrs)
            assert not (attrs.get(name) or "#").startswith(("//", "javascript:", "data:")), (tag, attrs)
    ids = [attrs["id"] for _, attrs, _ in elements.found if "id" in attrs]
    assert len(ids) == len(set(ids)), "two charts on one page must not share ids"


def test_every_string_from_the_data_is_escaped():
    page = render_report(fx.inputs(
        run=fx.run_row(input_dir=HOSTILE, run_id=HOSTILE, code_version=HOSTILE),
        summary=fx.validation("passed_with_flags", [fx.failure(HOSTILE, HOSTILE, False, 1, [HOSTILE])],
                              {HOSTILE: 1}, [HOSTILE]),
        quarantined=fx.quarantine([(HOSTILE, HOSTILE, HOSTILE)]),
        series=fx.toll([(HOSTILE, HOSTILE, "2024-01-01", 1), ("_hidden", "gaza_palestinians", "2024-01-02", 2)]),
        merged=fx.events([(HOSTILE, "2024-01-01", None, HOSTILE)]),
        notes=[HOSTILE]))
    assert "<script" not in page.lower() and "<b>" not in page
    assert page.count("&lt;script&gt;") >= 10
    elements = Elements(page)
    assert not any(name.startswith("on") for _, attrs, _ in elements.found for name in attrs)


@pytest.mark.parametrize("href", ["http://example.org/validation/index.html", "javascript:alert(1)",
                                  "//example.org/x", " HTTPS://example.org"])
def test_data_docs_link_is_relative_or_absent(href):
    page = render_report(fx.inputs(docs_href=href))
    assert 'id="data-docs"' not in page and "example.org" not in page and "javascript" not in page


def test_output_is_deterministic_across_processes():
    page = render_report(fx.flagged_inputs())
    assert render_report(fx.flagged_inputs()) == page
    script = ("import hashlib; from reporting.html import render_report; from tests.unit import report_fixtures as fx; "
              "print(hashlib.sha256(render_report(fx.flagged_inputs()).encode()).hexdigest())")
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert other.stdout.strip() == hashlib.sha256(page.encode()).hexdigest()


def test_quarantine_reasons_most_frequent_first_with_capped_examples():
    frame = fx.quarantine([(f"q/{i}.txt", "read", "empty") for i in range(5, 0, -1)]
                          + [("b.bin", "decode", "binary"), ("a.bin", "decode", "binary"),
                             ("z.md", "read", "oversized")])
    reasons = facts.quarantine_reasons(frame)
    assert [(r.reason_code, r.n) for r in reasons] == [("empty", 5), ("binary", 2), ("oversized", 1)]
    assert reasons[0].example_paths == ["q/1.txt", "q/2.txt", "q/3.txt"]
    assert reasons[1].example_paths == ["a.bin", "b.bin"] and reasons[1].stages == ["decode"]


def test_events_by_type_counts_marks_and_undated():
    counted = {t.event_type: (t.reported, t.planned, t.windows, t.undated)
               for t in facts.events_by_type(fx.FLAGGED_EVENTS)}
    assert counted == {"talks": (1, 1, 0, 0), "meeting": (0, 1, 0, 0), "attack": (1, 0, 1, 0),
                       "truce": (0, 0, 1, 0), "release": (1, 0, 0, 0), "statement": (0, 0, 0, 1)}


SUMMARY_CASES = [
    ("passed", fx.inputs(), ["validation passed", "Tables published.", "No expectation failed."],
     ["## Quarantine", "Blocked"]),
    ("blocked", fx.inputs(run=fx.run_row(validation_outcome="blocked"), docs_href=None,
                          summary=fx.validation("blocked", [fx.failure("claims", "claims_keys", True, 2, [])])),
     ["validation blocked", "**Blocked: nothing published**", "| claims | claims\\_keys | **blocking** | 2 |"],
     ["Tables published."]),
    ("flagged", fx.flagged_inputs(),
     ["validation flagged", "| empty | 2 | bad/empty.txt, bad/zero.md |", "Rows flagged: claims 2.",
      "| gaza\\_palestinians | gaza\\_moh | 2024-10-21 | 42,587 |", "- reference cross-check"], []),
]


@pytest.mark.parametrize("name, given, present, absent", SUMMARY_CASES, ids=[c[0] for c in SUMMARY_CASES])
def test_summary_markdown(name, given, present, absent):
    text = summary_markdown(given)
    for part in present:
        assert part in text, part
    for part in absent:
        assert part not in text, part


def test_summary_markdown_keeps_data_out_of_the_markup():
    text = summary_markdown(fx.inputs(quarantined=fx.quarantine([("a|b<i>[x](y)*.txt", "read", "empty")])))
    row = next(line for line in text.splitlines() if line.startswith("| empty"))
    assert row == "| empty | 1 | a\\|b\\<i\\>\\[x\\](y)\\*.txt |"


def test_summary_table_states_the_counts_and_outcome():
    rows = summary_table(fx.flagged_inputs())
    table = {(r["section"], r["item"]): r["value"] for r in rows}
    assert table[("validation", "outcome")] == "flagged" and table[("validation", "published")] is True
    assert (table[("inputs", "new")], table[("inputs", "unchanged")], table[("rows", "claims")]) == (4, 9, 57)
    assert table[("rows flagged", "claims")] == 2
    assert table[("failed expectations", "claims: cumulative_never_falls")] == "flag"
    assert (table[("quarantine", "empty")], table[("quarantine", "binary")]) == (2, 1)
    assert summary_table(fx.inputs(run=fx.run_row(n_removed=None)))[6] == {
        "section": "inputs", "item": "removed", "value": None}
