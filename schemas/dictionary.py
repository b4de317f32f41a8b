"""docs/data-dictionary.md, generated from schemas/: every table, column, code set and warehouse view.

    python -m schemas.dictionary      rewrites docs/data-dictionary.md (a test fails when it drifts)
"""
from __future__ import annotations

from pathlib import Path

from schemas import codes
from schemas.tables import TABLES, Column, Table
from schemas.views import PARTITION_KEY_TYPE, VIEWS, View, duckdb_type

DICTIONARY_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"
REGENERATE = "python -m schemas.dictionary"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _code_sets() -> dict[tuple[str, ...], str]:
    """The named code sets of schemas/codes.py, by their values."""
    return {value: name for name, value in vars(codes).items()
            if name.isupper() and isinstance(value, tuple)}


def _codes_cell(column: Column, named: dict[tuple[str, ...], str]) -> str:
    if not column.codes:
        return ""
    name = named.get(column.codes)
    return f"[{name}](#{name.lower()})" if name else _code_list(column.codes)


def _table_section(table: Table, named: dict[tuple[str, ...], str]) -> list[str]:
    lines = [f"### {table.name}", "", table.description, "",
             f"- Primary key: {', '.join(f'`{k}`' for k in table.key)}"]
    if table.partition:
        key, date_column = table.partition
        lines.append(f"- Partitioned by: `{key}`, the month of `{date_column}` (hive folders "
                     f"`{table.name}/{key}=YYYY-MM/`; the key is not stored inside the files)")
    if table.sort_by:
        lines.append(f"- Row order: {', '.join(f'`{c}`' for c in table.sort_by)}")
    if table.run_metadata:
        lines.append(f"- Run metadata (differs between runs on the same input): "
                     f"{', '.join(f'`{c}`' for c in table.run_metadata)}")
    lines += ["", "| column | type | DuckDB type | nullable | meaning | codes |",
              "|---|---|---|---|---|---|"]
    for col in table.columns:
        lines.append(f"| `{col.name}` | {_cell(str(col.type))} | {duckdb_type(col.type)} | "
                     f"{'yes' if col.nullable else 'no'} | {_cell(col.description)} | {_codes_cell(col, named)} |")
    return lines + [""]


def _code_set_section(named: dict[tuple[str, ...], str]) -> list[str]:
    used = {}
    for table in TABLES.values():
        for col in table.columns:
            if col.codes in named:
                used.setdefault(named[col.codes], []).append(f"{table.name}.{col.name}")
    lines = ["## Code sets", "",
             "From `schemas/codes.py`, the codes of `../shared/gold/ANNOTATION.md` (which gives each "
             "code's meaning). A coded column holds one of these or null where it is nullable.", ""]
    for values, name in named.items():
        lines += [f"### {name}", "", _code_list(values), ""]
        if name in used:
            lines += [f"Used by: {', '.join(f'`{c}`' for c in used[name])}", ""]
    return lines


def _view_section(view: View) -> list[str]:
    lines = [f"### {view.name}", "", view.description, "",
             "| column | DuckDB type | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.type} | {_cell(c.description)} |" for c in view.columns]
    return lines + ["", "```sql", view.sql, "```", ""]


def _views_section() -> list[str]:
    table_views = [v for v in VIEWS.values() if v.table]
    lines = [
        "## Warehouse views", "",
        "`OUTPUT/warehouse.duckdb` holds views only, no data: open it with DuckDB or a BI tool "
        "(read-only is enough). Each query reads the published Parquet under `OUTPUT/<table>/`, so "
        "new runs show without a rebuild. The views name that folder by its absolute path: after "
        "moving the output folder, or when a missing table folder appears, rebuild with "
        "`python -m flows.warehouse --output OUTPUT`.", "",
        "### Table views", "",
        "One view per published table (not `ledger`, the pipeline's bookkeeping), with the table's "
        "columns in its order and the DuckDB types above, then its partition key when it declares "
        f"one ({PARTITION_KEY_TYPE}: from the folder names in the partitioned layout, where a filter "
        "on it reads only the matching folders; computed from the date column in the flat one). A "
        "table whose folder is missing gets a view with the same columns and no rows.", "",
        "| view | reads | partition key column | description |", "|---|---|---|---|",
    ]
    lines += [f"| `{v.name}` | `OUTPUT/{v.table}/**/*.parquet` | "
              f"{' '.join(f'`{c.name}`' for c in v.columns if c.name not in TABLES[v.table].column_names)} | "
              f"{_cell(v.description)} |" for v in table_views]
    lines += ["", "Analysis views, built on the table views:", ""]
    for view in VIEWS.values():
        if not view.table:
            lines += _view_section(view)
    return lines


def render() -> str:
    named = _code_sets()
    lines = [
        "# Data dictionary", "",
        f"Generated from `schemas/` (tables.py, codes.py, views.py) by `{REGENERATE}`; edit those, "
        "not this file.", "",
        "## Tables", "",
        "Parquet under `OUTPUT/<table>/` (Arrow types as written; the DuckDB type is what DuckDB "
        "and the warehouse views read them as).", "",
    ]
    lines += [f"- [{t.name}](#{t.name}): {t.description}" for t in TABLES.values()] + [""]
    for table in TABLES.values():
        lines += _table_section(table, named)
    lines += _code_set_section(named)
    lines += _views_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write(path: Path = DICTIONARY_PATH) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
