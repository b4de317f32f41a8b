"""docs/data-dictionary.md is generated from schemas/ and must not drift from it."""
import pytest

from schemas import TABLES, codes
from schemas.dictionary import DICTIONARY_PATH, REGENERATE, render
from schemas.views import VIEWS


def test_committed_dictionary_matches_schemas():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), (
        f"docs/data-dictionary.md is out of date: run `.venv/bin/{REGENERATE}` after changing schemas/")


@pytest.mark.parametrize("expected", [
    *(f"### {name}\n" for name in TABLES),
    "- Primary key: `source_path`, `stage`, `reason_code`",
    "- Partitioned by: `event_month`, the month of `event_date`",
    "| `claims` | `OUTPUT/claims/**/*.parquet` | `published_month` |",
    "| `published_date_basis` | string | VARCHAR | no |",
    "| [SOURCE_NORMS](#source_norms) |",  # a codes.py set is named and listed once
    "### SOURCE_NORMS\n\n" + ", ".join(f"`{c}`" for c in codes.SOURCE_NORMS),
    "| `reported`, `extended` |",  # a table's own codes are listed in place
    *(f"### {name}\n" for name, view in VIEWS.items() if not view.table),
    *(f"| `{name}` | `OUTPUT/{view.table}/**/*.parquet` |" for name, view in VIEWS.items() if view.table),
    "| `spread_pct` | DOUBLE |",
    "metric\\|population\\|subgroup",  # a '|' in a description does not split the table cell
])
def test_dictionary_holds(expected):
    assert expected in render()


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_every_column_is_listed_in_order(table):
    section = render().split(f"### {table.name}\n", 1)[1].split("\n### ", 1)[0]
    rows = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert rows == table.column_names
