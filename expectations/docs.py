"""Data Docs that open without internet access.

The pages are GX's own validation-result pages (its renderer and Jinja view), so they read like
any Data Docs site. What GX links from CDNs — Bootstrap, jQuery, bootstrap-table, Font Awesome,
Vega — is not shipped in the package, so it cannot be pointed at local copies: those tags are
dropped, along with the scripts that need them, and GX's own stylesheet (which is shipped) is
inlined with a few plain rules standing in for Bootstrap's layout. Without Bootstrap's JavaScript
nothing is collapsed, so every section is visible.
"""
from __future__ import annotations

import functools
import html
import re
from pathlib import Path

EXTERNAL_TAG = re.compile(r"<link\b[^>]*>|<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
REMOTE_URL = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.IGNORECASE)

FALLBACK_CSS = """
body { font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #212529; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #dee2e6; padding: .25rem .5rem; vertical-align: top; text-align: left; }
.row { display: flex; flex-wrap: wrap; } .col-md-2 { flex: 0 0 16%; } .col-md-10 { flex: 1 1 80%; }
.card { border: 1px solid #dee2e6; border-radius: .25rem; margin: .5rem 0; padding: .5rem; }
.text-danger { color: #b02a37; } .text-success { color: #146c43; }
.badge { background: #e9ecef; border-radius: .25rem; padding: 0 .3rem; }
code, pre { background: #f6f8fa; }
"""


def _gx_stylesheet() -> str:
    import great_expectations

    path = Path(great_expectations.__file__).parent / "render/view/static/styles/data_docs_default_styles.css"
    css = path.read_text(encoding="utf-8") if path.exists() else ""
    return REMOTE_URL.sub("none", css)


def make_offline(page: str) -> str:
    """Drop every <link> and <script> (external assets and the scripts that use them) and remote
    url(...) images in inline styles; inline the stylesheet GX ships."""
    page = REMOTE_URL.sub("none", EXTERNAL_TAG.sub("", page))
    style = f"<style>{FALLBACK_CSS}{_gx_stylesheet()}</style>"
    return page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page


@functools.lru_cache(maxsize=1)
def _page_view():
    # One view for the process: each new one builds a Jinja environment and compiles GX's
    # templates again (about a third of a second a page).
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView()


def offline_page(result) -> str:
    """The GX Data Docs page of one validation result, made to render offline."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    return make_offline(_page_view().render(ValidationResultsPageRenderer().render(result)))


def index_page(outcome, pages: dict[str, str]) -> str:
    """A plain entry page: the outcome, one link per table page, the readable summary."""
    rows = []
    for table, page in pages.items():
        result = outcome.results.get(table, {})
        stats = result.get("statistics", {})
        rows.append(f"<tr><td><a href=\"{html.escape(page)}\">{html.escape(table)}</a></td>"
                    f"<td>{stats.get('evaluated_expectations', '')}</td>"
                    f"<td>{stats.get('unsuccessful_expectations', '')}</td>"
                    f"<td>{len(outcome.flagged.get(table, {}))}</td></tr>")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Validation</title>"
            f"<style>{FALLBACK_CSS}</style></head><body>"
            f"<h1>Validation: {html.escape(outcome.outcome)}</h1>"
            "<table><tr><th>table</th><th>expectations</th><th>failed</th><th>rows flagged</th></tr>"
            + "".join(rows) + "</table>"
            f"<h2>Summary</h2><pre>{html.escape(outcome.summary())}</pre></body></html>")
