"""The DuckDB warehouse's views, declared once: name, description, SQL and columns.

`flows/warehouse.py` creates them in `OUTPUT/warehouse.duckdb` (views only, no copied data) and
`schemas/dictionary.py` documents them. Table views read the published Parquet; the analysis
views read the table views, so only the table views know where the files are.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection

import pyarrow as pa

from schemas.tables import TABLES, Table


@dataclass(frozen=True)
class ViewColumn:
    name: str
    type: str  # the DuckDB type, as DESCRIBE prints it
    description: str


@dataclass(frozen=True)
class View:
    name: str
    description: str
    columns: tuple[ViewColumn, ...]
    # The SELECT behind an analysis view. None for a table view: its SELECT names the Parquet
    # folder, known only when the warehouse is built (table_view_sql).
    sql: str | None = None
    table: str | None = None  # the table a table view reads

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type a column of the table schemas is read as."""
    if pa.types.is_string(arrow_type):
        return "VARCHAR"
    if pa.types.is_int64(arrow_type):
        return "BIGINT"
    if pa.types.is_int32(arrow_type):
        return "INTEGER"
    if pa.types.is_float64(arrow_type):
        return "DOUBLE"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_date32(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    raise TypeError(f"no DuckDB type declared for Arrow type {arrow_type}")


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Tables published as views. `ledger` is left out: it is the pipeline's bookkeeping of input
# hashes, not data an analyst reads.
TABLE_VIEW_NAMES = ("articles", "claims", "event_mentions", "events", "quarantine", "runs", "reference_check")

PARTITION_KEY_TYPE = "VARCHAR"
MONTH_FORMAT = "%Y-%m"  # the partition folders' month: published_month=2024-01


def partition_column(table: Table) -> ViewColumn:
    """The view column of a table's declared hive partition key (schemas/tables.py, Table.partition)."""
    key, date_column = table.partition
    return ViewColumn(key, PARTITION_KEY_TYPE,
                      f"Month of {date_column} (YYYY-MM), the partition folder the row is stored in "
                      f"({table.name}/{key}=2024-01/); null when {date_column} is null. In the partitioned "
                      "layout a filter on it reads only the matching folders.")


def table_view_sql(table: Table, parquet_dir: str | None, on_disk: Collection[str] = (),
                   partitioned: bool = False) -> str:
    """The SELECT of a table view over the Parquet under parquet_dir (an absolute path).

    Every column is cast to its declared type, so the view's columns and types are those of
    schemas/tables.py whatever the files hold; a declared column absent from the files
    (`on_disk`: the columns found in them) reads as null. A table with a declared partition key
    has it as its last column in either layout: read from the folder names when the files are
    `partitioned` by it (a filter on it then skips the other folders), else computed from its date
    column as the writer would. parquet_dir None (the table's folder is missing) gives the same
    columns and no rows, so views and dashboards built on it still work.
    `**/*.parquet` matches files directly in the folder and in hive partition folders alike.
    """
    declared = {c.name: duckdb_type(c.type) for c in table.columns}
    key = quote_identifier(table.partition[0]) if table.partition else None
    if parquet_dir is None:
        columns = [f"CAST(NULL AS {kind}) AS {quote_identifier(name)}" for name, kind in declared.items()]
        columns += [f"CAST(NULL AS {PARTITION_KEY_TYPE}) AS {key}"] if key else []
        return "SELECT\n  " + ",\n  ".join(columns) + "\nWHERE false"
    columns = [f"CAST({quote_identifier(name) if name in on_disk else 'NULL'} AS {kind}) AS {quote_identifier(name)}"
               for name, kind in declared.items()]
    options = ["hive_partitioning = true", "union_by_name = true"]
    if key and partitioned:
        columns.append(f"CAST({key} AS {PARTITION_KEY_TYPE}) AS {key}")
        # Read as text: '2024-01' must not turn into a date by guesswork.
        options.append(f"hive_types = {{{quote_literal(table.partition[0])}: {PARTITION_KEY_TYPE}}}")
    elif key:
        date_column = table.partition[1]
        day = f"CAST({quote_identifier(date_column)} AS DATE)" if date_column in on_disk else "CAST(NULL AS DATE)"
        columns.append(f"strftime({day}, {quote_literal(MONTH_FORMAT)}) AS {key}")
    source = quote_literal(parquet_dir.rstrip("/") + "/**/*.parquet")
    return ("SELECT\n  " + ",\n  ".join(columns)
            + f"\nFROM read_parquet({source}, {', '.join(options)})")


def _table_view(name: str) -> View:
    table = TABLES[name]
    columns = tuple(ViewColumn(c.name, duckdb_type(c.type), c.description) for c in table.columns)
    return View(
        name=name,
        description=f"{table.description} Reads OUTPUT/{name}/ (the published snapshot) at query time.",
        columns=columns + ((partition_column(table),) if table.partition else ()),
        table=name,
    )


# Claims that hold a total at a moment. `period` (a window: "in the past 24 hours"), `event` (one
# incident or day) and `term` (a deal's proposed terms) are not totals, so they are never "the
# latest figure" and never compared with one.
TOTAL_SCOPES = ("cumulative", "stock")
_TOTAL_SCOPES_SQL = ", ".join(quote_literal(s) for s in TOTAL_SCOPES)

# A series is (metric, population, subgroup, cause, source_norm), as in docs/conventions.md
# ("Validation"): with cause in it, deaths from malnutrition are never taken for the death toll.
LATEST_FIGURES = View(
    name="latest_figures",
    description=(
        "The latest figure each source gave for each series: one row per (metric, population, "
        "subgroup, cause, source_norm), the claim with the greatest as_of (ties: the latest "
        "published_date, then the higher value, then the smallest claim_id). Only totals: scope "
        "cumulative (running total since the war began) or stock (a state at a moment, e.g. "
        "hostages held); a window (period), one incident (event) or a deal term is not a toll. "
        "cause is part of the series so that deaths from malnutrition never stand for the death "
        "toll. Claims without an as_of are left out."),
    sql=f"""WITH ranked AS (
  SELECT
    c.*,
    row_number() OVER (
      PARTITION BY c.metric, c.population, c.subgroup, c.cause, c.source_norm
      ORDER BY c.as_of DESC, c.published_date DESC NULLS LAST, c.value DESC, c.claim_id
    ) AS recency
  FROM claims AS c
  WHERE c.scope IN ({_TOTAL_SCOPES_SQL}) AND c.as_of IS NOT NULL
)
SELECT
  r.metric, r.population, r.subgroup, r.cause, r.source_norm, r.scope,
  r.value, r.value_low, r.value_high, r.qualifier, r.as_of,
  r.source, a.outlet, r.published_date, r.quote, r.claim_id, r.article_id,
  NULLIF(array_to_string(r.flags, ';'), '') AS flags
FROM ranked AS r
LEFT JOIN articles AS a ON a.article_id = r.article_id
WHERE r.recency = 1
ORDER BY r.metric, r.population NULLS FIRST, r.subgroup NULLS FIRST, r.cause NULLS FIRST, r.source_norm""",
    columns=(
        ViewColumn("metric", "VARCHAR", "What is counted (codes of claims.metric)."),
        ViewColumn("population", "VARCHAR", "Who is counted; null for truce_days."),
        ViewColumn("subgroup", "VARCHAR", "Kind of person the series is restricted to; null for the whole population."),
        ViewColumn("cause", "VARCHAR", "Cause of death when coded (malnutrition); null otherwise."),
        ViewColumn("source_norm", "VARCHAR", "Normalised source of the figure (unattributed: no source named)."),
        ViewColumn("scope", "VARCHAR", "cumulative or stock."),
        ViewColumn("value", "BIGINT", "The latest figure."),
        ViewColumn("value_low", "BIGINT", "Lowest value its wording allows (null when unbounded or approximate)."),
        ViewColumn("value_high", "BIGINT", "Highest value its wording allows (null when unbounded or approximate)."),
        ViewColumn("qualifier", "VARCHAR", "Bound the wording puts on the figure (exact, at_least, more_than, ...)."),
        ViewColumn("as_of", "DATE", "Date the figure holds for."),
        ViewColumn("source", "VARCHAR", "Attribution as written; null when none."),
        ViewColumn("outlet", "VARCHAR", "Publisher of the article (articles.outlet); null when unknown."),
        ViewColumn("published_date", "DATE", "Publication date of the article."),
        ViewColumn("quote", "VARCHAR", "The sentence that carries the figure, verbatim."),
        ViewColumn("claim_id", "VARCHAR", "The claim (view `claims`)."),
        ViewColumn("article_id", "VARCHAR", "The article (view `articles`)."),
        ViewColumn("flags", "VARCHAR", "';'-joined validation flags of the claim (e.g. a cumulative figure "
                                       "below an earlier one); null when none."),
    ),
)

DEATH_TOLL_SERIES = View(
    name="death_toll_series",
    description=(
        "The cumulative death toll each source reported, day by day: one row per (source_norm, "
        "population, as_of) from claims with metric killed, scope cumulative, an as_of, and no "
        "subgroup or cause (the whole population's toll, not the children's or the deaths from "
        "malnutrition). value is the highest figure the source gave for that day: a running total "
        "only rises, so a lower figure of the same day is an older bulletin quoted late or a "
        "rounded one ('more than 30,000'); min_value keeps the lowest so the gap stays visible. "
        "claim_id is the claim that gave value (ties: latest published_date, then smallest claim_id)."),
    sql="""WITH toll AS (
  SELECT * FROM claims
  WHERE metric = 'killed' AND scope = 'cumulative' AND as_of IS NOT NULL
    AND subgroup IS NULL AND cause IS NULL
),
highest AS (
  SELECT
    source_norm, population, as_of, value, qualifier, claim_id, article_id,
    row_number() OVER (
      PARTITION BY source_norm, population, as_of
      ORDER BY value DESC, published_date DESC NULLS LAST, claim_id
    ) AS rank
  FROM toll
),
per_day AS (
  SELECT
    source_norm, population, as_of,
    min(value) AS min_value,
    count(*) AS n_claims,
    count(DISTINCT article_id) AS n_articles
  FROM toll
  GROUP BY source_norm, population, as_of
)
SELECT
  d.source_norm, d.population, d.as_of, h.value, h.qualifier, d.min_value,
  d.n_claims, d.n_articles, h.claim_id, h.article_id
FROM per_day AS d
JOIN highest AS h
  ON h.rank = 1 AND h.source_norm = d.source_norm
  AND h.population IS NOT DISTINCT FROM d.population AND h.as_of = d.as_of
ORDER BY d.source_norm, d.population NULLS FIRST, d.as_of""",
    columns=(
        ViewColumn("source_norm", "VARCHAR", "Normalised source (unattributed: no source named)."),
        ViewColumn("population", "VARCHAR", "Whose deaths (gaza_palestinians, israeli_soldiers, ...)."),
        ViewColumn("as_of", "DATE", "Day the toll holds for."),
        ViewColumn("value", "BIGINT", "The highest toll the source gave for that day."),
        ViewColumn("qualifier", "VARCHAR", "Qualifier of that figure (exact, at_least, more_than, ...)."),
        ViewColumn("min_value", "BIGINT", "The lowest toll the source gave for that day (equals value when "
                                          "its figures agree)."),
        ViewColumn("n_claims", "BIGINT", "Claims behind the row."),
        ViewColumn("n_articles", "BIGINT", "Distinct articles those claims come from."),
        ViewColumn("claim_id", "VARCHAR", "The claim that gave value."),
        ViewColumn("article_id", "VARCHAR", "Its article."),
    ),
)

# One day's figure of one source, in the comparison of sources: its highest, for the reason given
# in death_toll_series, so both views show the same number for a source and day.
_DISPUTE_KEY = (
    "concat_ws('|', metric, coalesce(population, ''), coalesce(subgroup, ''), coalesce(cause, ''), "
    "scope, strftime(as_of, '%Y-%m-%d'))")

# The columns that make two figures comparable in a dispute (shared by both dispute views).
_DISPUTE_KEY_COLUMNS = (
    ViewColumn("metric", "VARCHAR", "What is counted."),
    ViewColumn("population", "VARCHAR", "Who is counted."),
    ViewColumn("subgroup", "VARCHAR", "Kind of person; null for the whole population."),
    ViewColumn("cause", "VARCHAR", "Cause of death when coded; null otherwise."),
    ViewColumn("scope", "VARCHAR", "cumulative or stock."),
    ViewColumn("as_of", "DATE", "Day the figures hold for."),
)


DISPUTE_FIGURES = View(
    name="dispute_figures",
    description=(
        "Long form of `disputes`: one row per source in each comparison, i.e. per (metric, "
        "population, subgroup, cause, scope, as_of) that at least two distinct sources reported. "
        "Each source's figure is the highest it gave that day (as in death_toll_series). Only "
        "totals are compared, cumulative with cumulative and stock with stock. unattributed "
        "figures are left out: they name no source to set against another. Join to `disputes` on "
        "dispute_key."),
    sql=f"""WITH figures AS (
  SELECT
    c.*,
    row_number() OVER same_day AS rank,
    min(c.value) OVER same_day AS source_min_value,
    count(*) OVER same_day AS n_claims
  FROM claims AS c
  WHERE c.scope IN ({_TOTAL_SCOPES_SQL}) AND c.as_of IS NOT NULL AND c.source_norm <> 'unattributed'
  WINDOW same_day AS (
    PARTITION BY c.metric, c.population, c.subgroup, c.cause, c.scope, c.as_of, c.source_norm
    ORDER BY c.value DESC, c.published_date DESC NULLS LAST, c.claim_id
    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
  )
),
compared AS (
  SELECT *, count(*) OVER (PARTITION BY metric, population, subgroup, cause, scope, as_of) AS n_sources
  FROM figures
  WHERE rank = 1
)
SELECT
  {_DISPUTE_KEY} AS dispute_key,
  f.metric, f.population, f.subgroup, f.cause, f.scope, f.as_of, f.n_sources,
  f.source_norm, f.value, f.qualifier, f.value_low, f.value_high,
  f.source_min_value, f.n_claims, f.source, a.outlet, f.published_date, f.quote,
  f.claim_id, f.article_id
FROM compared AS f
LEFT JOIN articles AS a ON a.article_id = f.article_id
WHERE f.n_sources >= 2
ORDER BY f.as_of, f.metric, f.population NULLS FIRST, f.subgroup NULLS FIRST, f.cause NULLS FIRST,
  f.scope, f.value DESC, f.source_norm""",
    columns=(
        ViewColumn("dispute_key", "VARCHAR", "metric|population|subgroup|cause|scope|as_of (empty for null): "
                                             "the row of `disputes` this figure belongs to."),
        *_DISPUTE_KEY_COLUMNS,
        ViewColumn("n_sources", "BIGINT", "Distinct sources compared on that day."),
        ViewColumn("source_norm", "VARCHAR", "This row's source."),
        ViewColumn("value", "BIGINT", "The source's figure: the highest it gave that day."),
        ViewColumn("qualifier", "VARCHAR", "Qualifier of that figure."),
        ViewColumn("value_low", "BIGINT", "Lowest value its wording allows (null when unbounded or approximate)."),
        ViewColumn("value_high", "BIGINT", "Highest value its wording allows (null when unbounded or approximate)."),
        ViewColumn("source_min_value", "BIGINT", "The lowest figure the same source gave that day."),
        ViewColumn("n_claims", "BIGINT", "Claims of this source on that day."),
        ViewColumn("source", "VARCHAR", "Attribution as written in the chosen claim."),
        ViewColumn("outlet", "VARCHAR", "Publisher of the chosen claim's article; null when unknown."),
        ViewColumn("published_date", "DATE", "Publication date of that article."),
        ViewColumn("quote", "VARCHAR", "The sentence that carries the figure, verbatim."),
        ViewColumn("claim_id", "VARCHAR", "The chosen claim (view `claims`)."),
        ViewColumn("article_id", "VARCHAR", "Its article (view `articles`)."),
    ),
)

DISPUTES = View(
    name="disputes",
    description=(
        "Sources side by side: one row per (metric, population, subgroup, cause, scope, as_of) "
        "that at least two distinct sources reported (cumulative with cumulative, stock with "
        "stock; unattributed figures left out), with the spread of their figures (each source's "
        "highest of the day). Rows where the sources agree are kept (spread 0): filter spread > 0 "
        "for disagreements. Each source's figure, quote and claim: `dispute_figures`."),
    sql="""SELECT
  dispute_key, metric, population, subgroup, cause, scope, as_of,
  count(*) AS n_sources,
  min(value) AS min_value,
  max(value) AS max_value,
  max(value) - min(value) AS spread,
  round(100.0 * (max(value) - min(value)) / NULLIF(min(value), 0), 2) AS spread_pct,
  string_agg(source_norm, ', ' ORDER BY source_norm) AS sources,
  string_agg(source_norm || ': ' || value
             || CASE WHEN qualifier = 'exact' THEN '' ELSE ' (' || qualifier || ')' END,
             '; ' ORDER BY value DESC, source_norm) AS sources_values,
  CAST(sum(n_claims) AS BIGINT) AS n_claims
FROM dispute_figures
GROUP BY dispute_key, metric, population, subgroup, cause, scope, as_of
ORDER BY as_of, metric, population NULLS FIRST, subgroup NULLS FIRST, cause NULLS FIRST, scope""",
    columns=(
        ViewColumn("dispute_key", "VARCHAR", "metric|population|subgroup|cause|scope|as_of (empty for null); "
                                             "joins to dispute_figures."),
        *_DISPUTE_KEY_COLUMNS,
        ViewColumn("n_sources", "BIGINT", "Distinct sources compared."),
        ViewColumn("min_value", "BIGINT", "Lowest of the sources' figures."),
        ViewColumn("max_value", "BIGINT", "Highest of the sources' figures."),
        ViewColumn("spread", "BIGINT", "max_value - min_value (0: the sources agree)."),
        ViewColumn("spread_pct", "DOUBLE", "spread as a percentage of min_value, 2 decimals; null when "
                                           "min_value is 0."),
        ViewColumn("sources", "VARCHAR", "The sources, comma-separated, alphabetical."),
        ViewColumn("sources_values", "VARCHAR", "'source: value' per source, highest first, with the "
                                                "qualifier when not exact ('un: 30000 (more_than)')."),
        ViewColumn("n_claims", "BIGINT", "Claims behind the figures compared."),
    ),
)

# In creation order: a view is created after the views it reads.
VIEWS: dict[str, View] = {
    view.name: view
    for view in (*(_table_view(name) for name in TABLE_VIEW_NAMES),
                 LATEST_FIGURES, DEATH_TOLL_SERIES, DISPUTE_FIGURES, DISPUTES)
}
