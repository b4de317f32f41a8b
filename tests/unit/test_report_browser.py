"""The run report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright, which never downloads a browser here) opens the written page from disk and we check
that the charts are drawn (sized, one mark per data row, inside the chart, painted) and that the
page asked for nothing but itself.

Without Chromium or Playwright the tests skip, saying why; with GAZETL_REQUIRE_CHROMIUM=1 (set by
.ci/run, which installs Chromium) they fail instead, so CI cannot pass without running them.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from flows.run_report import write_report
from reporting.html import NO_TOLL_CLAIMS, render_report
from tests.unit import report_fixtures as fx

CHROMIUM = Path(os.environ.get("GAZETL_CHROMIUM", "/usr/bin/chromium"))
REQUIRED = os.environ.get("GAZETL_REQUIRE_CHROMIUM") == "1"
# The flags that work on these machines: no sandbox (root), no GPU, nothing phoning home.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements.lock)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if REQUIRED:
            pytest.fail(f"GAZETL_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh temporary profile (the --user-data-dir we want).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True,
                                              timeout=120_000)
        yield chromium
        chromium.close()


class Opened:
    """A report page loaded from disk, with every request and console message it made."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        self.page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}")
                     if message.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.goto(self.url, wait_until="load")

    def box(self, selector: str) -> dict:
        box = self.page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not rendered"
        return box

    def boxes(self, selector: str) -> list[dict]:
        return self.page.locator(selector).evaluate_all(
            "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
            " return {x: r.x, y: r.y, width: r.width, height: r.height}; })")


def _open(browser, tmp_path: Path, inputs) -> Opened:
    return Opened(browser, write_report(tmp_path, fx.RUN_ID, render_report(inputs)))


def _inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 1 and inner["y"] >= outer["y"] - 1
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1)


def _colours(png: bytes) -> int:
    from PIL import Image

    return len(Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_report_charts_are_drawn_and_nothing_is_fetched(browser, tmp_path):
    inputs = fx.flagged_inputs()
    opened = _open(browser, tmp_path, inputs)
    try:
        assert opened.requests == [opened.url]
        assert opened.problems == []
        assert opened.page.locator("#outcome").inner_text() == "flagged"

        toll = opened.box("#death-toll-chart svg")
        assert toll["width"] > 400 and toll["height"] > 300
        markers = opened.boxes('#death-toll-chart g[id^="toll-series-"] use')
        assert len(markers) == len(inputs.death_toll_series)
        assert all(m["width"] > 2 and m["height"] > 2 and _inside(m, toll) for m in markers)
        lines = opened.page.locator('#death-toll-chart g[id^="toll-series-"]').count()
        assert lines == len(inputs.death_toll_series.groupby(["source_norm", "population"]))
        reference = opened.box("#toll-reference path")
        assert reference["width"] > 100 and _inside(reference, toll)

        timeline = opened.box("#events-chart svg")
        assert timeline["width"] > 400 and timeline["height"] > 100
        merged = inputs.events[inputs.events["event_date"].notna()]
        windows = merged[merged["event_date_end"].notna()]
        points = opened.boxes('#events-chart g[id^="events-points-"] use')
        assert len(points) == len(merged) - len(windows)
        assert all(p["width"] > 2 and _inside(p, timeline) for p in points)
        bars = opened.boxes('#events-chart [id^="events-range-"] path')
        assert len(bars) == len(windows)
        assert all(b["width"] > 1 and b["height"] > 5 and _inside(b, timeline) for b in bars)
        planned = opened.page.locator('#events-chart g[id$="-future"] use').evaluate_all(
            "nodes => nodes.map(n => getComputedStyle(n).fill)")
        assert planned and set(planned) == {"rgb(255, 255, 255)"}  # hollow: planned, not reported

        # Painted, not merely laid out: the chart areas hold many colours (lines, markers, text).
        assert _colours(opened.page.locator("#death-toll-chart svg").screenshot()) > 20
        assert _colours(opened.page.locator("#events-chart svg").screenshot()) > 20
        assert opened.page.locator("#data-docs").get_attribute("href") == fx.DOCS_HREF
    finally:
        opened.context.close()


def test_empty_run_says_so_instead_of_an_empty_axis(browser, tmp_path):
    opened = _open(browser, tmp_path, fx.inputs())
    try:
        assert opened.requests == [opened.url] and opened.problems == []
        assert opened.page.locator("svg").count() == 0
        assert opened.page.locator("#death-toll-empty").inner_text() == NO_TOLL_CLAIMS
        assert opened.page.locator("#events-empty").is_visible()
    finally:
        opened.context.close()
