"""Every output table, defined once: columns, Arrow types, code sets, keys and descriptions.

The Parquet writer casts to these schemas, the Great Expectations suites are checked against them,
and the data dictionary is generated from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from schemas import codes

STRING = pa.string()
DATE = pa.date32()
INT64 = pa.int64()
INT32 = pa.int32()
FLOAT = pa.float64()
BOOL = pa.bool_()
TIMESTAMP = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    codes: tuple[str, ...] | None = None  # the allowed values, when the column is coded


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Columns that hold run metadata: excluded when two runs are compared row for row.
    run_metadata: tuple[str, ...] = field(default_factory=tuple)
    # Hive partitioning on disk: (partition key, the date column whose month it is), e.g.
    # claims/published_month=2024-01/. BI scans filter on it; it is not stored inside the files.
    partition: tuple[str, str] | None = None
    sort_by: tuple[str, ...] = ()  # a total order (ending in the key): re-runs write rows identically
    # Rows carry a whole article's text (kilobytes each): readers stream them in smaller batches.
    long_rows: bool = False

    @property
    def partition_key(self) -> str | None:
        return self.partition[0] if self.partition else None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        fields = [
            pa.field(c.name, c.type, nullable=c.nullable,
                     metadata={"description": c.description,
                               **({"codes": ",".join(c.codes)} if c.codes else {})})
            for c in self.columns
        ]
        return pa.schema(fields, metadata={"table": self.name, "description": self.description,
                                           "key": ",".join(self.key)})


FLAGS = Column("flags", STRINGS, "Names of the non-blocking validation expectations this row "
               "violates (empty when none). Set by the validation step.", nullable=False)

# Columns that several tables share, defined once.
ARTICLE_ID = Column("article_id", STRING, "The article the row comes from.", False)
SOURCE_PATH = Column("source_path", STRING, "Input path of that article, relative to the input folder.", False)
PUBLISHED_DATE = Column("published_date", DATE, "Publication date of the article.")
EVENT_TYPE = Column("event_type", STRING, "Kind of event.", False, codes.EVENT_TYPES)
QUOTE_START = Column("quote_start", INT64, "Offset of the sentence in the article text.", False)
LINE_KIND = Column("line_kind", STRING, "Kind of line the sentence sits in.", False, codes.LINE_KINDS)
CONFIDENCE = Column("confidence", FLOAT, "Confidence in the row, 0 to 1.", False)
PLACE = (
    Column("location", STRING, "Place name normalised against the gazetteer."),
    Column("location_lat", FLOAT, "Latitude of the place (WGS84)."),
    Column("location_lon", FLOAT, "Longitude of the place (WGS84)."),
)

ARTICLES = Table(
    name="articles",
    description="One row per article read and decoded (quarantined inputs are in `quarantine`).",
    key=("article_id",),
    run_metadata=("ingested_at", "run_id"),
    partition=("published_month", "published_date"),
    sort_by=("source_path", "article_id"),
    long_rows=True,
    columns=(
        Column("article_id", STRING, "Stable id: first 16 hex digits of SHA-256 of the article text.", False),
        Column("source_path", STRING, "Path of the input file, relative to the input folder.", False),
        Column("title", STRING, "Title from metadata, else the first headline line of the text."),
        Column("outlet", STRING, "Publisher, from metadata or the URL or the text; null when unknown."),
        Column("url", STRING, "Canonical URL from metadata, when given."),
        Column("published_date", DATE, "Publication date: from metadata, else inferred from the text."),
        Column("published_date_basis", STRING, "How published_date was established.", False,
               codes.PUBLISHED_DATE_BASES),
        Column("published_date_confidence", FLOAT, "Confidence in published_date, 0 to 1."),
        Column("published_date_evidence", STRING, "The text or metadata value the date was read from."),
        Column("published_date_rule", STRING, "Id of the rule that settled the publication date."),
        Column("metadata_conflict", STRING, "When metadata gives a date far from every date in the "
               "story: a description of the conflict; null otherwise."),
        Column("content_type", STRING, "Input format: text, html or markdown.", False, ("text", "html", "markdown")),
        Column("encoding", STRING, "Character encoding the bytes were decoded from.", False),
        Column("n_chars", INT64, "Length of the article text in characters.", False),
        Column("n_sentences", INT64, "Sentences found in body, headline and caption lines.", False),
        Column("n_claims", INT64, "Claims extracted from this article.", False),
        Column("n_event_mentions", INT64, "Event mentions extracted from this article.", False),
        Column("text", STRING, "The article text that every char_start/char_end offset indexes.", False),
        Column("ingested_at", TIMESTAMP, "When the run that read this article started (UTC).", False),
        Column("run_id", STRING, "The run that read this article.", False),
    ),
)

CLAIMS = Table(
    name="claims",
    description="One row per figure a source asserts, per metric (ANNOTATION.md).",
    key=("claim_id",),
    partition=("published_month", "published_date"),
    sort_by=("source_path", "char_start", "metric", "claim_id"),
    columns=(
        Column("claim_id", STRING, "Stable id: hash of article_id, offsets of the figure and metric.", False),
        ARTICLE_ID, SOURCE_PATH, PUBLISHED_DATE,
        Column("metric", STRING, "What is counted.", False, codes.METRICS),
        Column("value", INT64, "The figure as an integer (2.3 million -> 2300000; six weeks of truce -> 42).", False),
        Column("value_low", INT64, "Lowest value the wording allows (null when unbounded or approximate)."),
        Column("value_high", INT64, "Highest value the wording allows (null when unbounded or approximate)."),
        Column("qualifier", STRING, "Bound the wording puts on the figure.", False, codes.QUALIFIERS),
        Column("population", STRING, "Who is counted; null for truce_days.", True, codes.POPULATIONS),
        Column("subgroup", STRING, "Kind of person the figure is restricted to; null for the whole population.",
               True, codes.SUBGROUPS),
        Column("cause", STRING, "Cause of death when stated and coded.", True, codes.CAUSES),
        Column("scope", STRING, "Running total, window, incident, state or deal term.", False, codes.SCOPES),
        Column("as_of", DATE, "Date the figure holds for."),
        Column("as_of_rule", STRING, "How as_of was set: the sentence's own date words, the event date, "
               "or the publication date."),
        Column("source", STRING, "Attribution as written; null when none."),
        Column("source_norm", STRING, "Normalised source.", False, codes.SOURCE_NORMS),
        Column("attribution_rule", STRING, "How the source was found (in the sentence, carried over, none)."),
        Column("quote", STRING, "The sentence that carries the figure, verbatim.", False),
        QUOTE_START,
        Column("char_start", INT64, "Offset of the first character of the figure in the article text.", False),
        Column("char_end", INT64, "Offset one past the last character of the figure.", False),
        Column("number_text", STRING, "The figure as written (text[char_start:char_end]).", False),
        LINE_KIND,
        Column("extraction_rule", STRING, "Id of the rule that read the figure and its metric.", False),
        CONFIDENCE,
        FLAGS,
    ),
)

REFERENCE_CHECK = Table(
    name="reference_check",
    description="Cumulative health-ministry killed/injured claims set against the ministry's own "
                "daily figure (../shared/reference/gaza_moh_daily.csv); empty when that file is absent.",
    key=("claim_id",),
    columns=(
        Column("claim_id", STRING, "The claim compared (table `claims`).", False),
        ARTICLE_ID, SOURCE_PATH,
        Column("metric", STRING, "killed or injured.", False, codes.METRICS),
        Column("qualifier", STRING, "Bound the wording puts on the claimed figure.", False, codes.QUALIFIERS),
        Column("value", INT64, "The claimed figure.", False),
        Column("as_of", DATE, "Date the claim holds for.", False),
        Column("reference_value", INT64, "The ministry's cumulative figure for as_of; null when the "
               "reference has none for that day."),
        Column("reference_basis", STRING, "reported: the figure of that day's bulletin; extended: the "
               "maintainers' filled-in series (no bulletin figure that day).", True, ("reported", "extended")),
        Column("delta", INT64, "value - reference_value."),
        Column("delta_pct", FLOAT, "delta as a percentage of reference_value."),
        Column("nearest_reference_date", DATE, "The bulletin within the date slack (as_of +- 1 day: "
               "stories often quote the previous day's bulletin) whose figure is nearest the claim."),
        Column("nearest_reference_value", INT64, "That bulletin's figure."),
        Column("nearest_delta", INT64, "value - nearest_reference_value."),
        Column("nearest_delta_pct", FLOAT, "nearest_delta as a percentage of nearest_reference_value."),
        FLAGS,
    ),
)

EVENT_MENTIONS = Table(
    name="event_mentions",
    description="One row per dated event mentioned in an article.",
    key=("mention_id",),
    partition=("published_month", "published_date"),
    sort_by=("source_path", "char_start", "mention_id"),
    columns=(
        Column("mention_id", STRING, "Stable id: hash of article_id, offsets and event_type.", False),
        Column("event_id", STRING, "The merged event (table `events`) this mention belongs to."),
        ARTICLE_ID, SOURCE_PATH, PUBLISHED_DATE, EVENT_TYPE,
        Column("event_date", DATE, "Resolved date (start of the window for ranges)."),
        Column("event_date_end", DATE, "End of the window for range precision; else null."),
        Column("date_text", STRING, "The words that gave the date."),
        Column("date_precision", STRING, "Precision of the date.", True, codes.DATE_PRECISIONS),
        Column("date_rule", STRING, "Id of the rule that resolved the date."),
        Column("tense", STRING, "past, or future for planned/expected events.", False, codes.TENSES),
        *PLACE,
        Column("actors", STRING, "';'-joined normalised actors."),
        Column("quote", STRING, "The sentence, verbatim.", False),
        QUOTE_START,
        Column("char_start", INT64, "Offset of the event trigger in the article text.", False),
        Column("char_end", INT64, "Offset one past the end of the trigger.", False),
        Column("trigger_text", STRING, "The words that name the event.", False),
        LINE_KIND,
        Column("extraction_rule", STRING, "Id of the rule that found the event.", False),
        CONFIDENCE,
        FLAGS,
    ),
)

EVENTS = Table(
    name="events",
    description="One row per real-world event, merged across the articles that mention it.",
    key=("event_id",),
    partition=("event_month", "event_date"),
    sort_by=("event_id",),
    columns=(
        Column("event_id", STRING, "Stable id: hash of type, date window, location and actors.", False),
        EVENT_TYPE,
        Column("event_date", DATE, "Start of the date window the mentions agree on."),
        Column("event_date_end", DATE, "End of the window; null for a single day."),
        Column("date_precision", STRING, "Finest precision among the mentions.", True, codes.DATE_PRECISIONS),
        Column("tense", STRING, "future while every mention is a plan; else past.", False, codes.TENSES),
        *PLACE,
        Column("actors", STRING, "';'-joined union of the mentions' actors."),
        Column("n_mentions", INT64, "Mentions merged into this event.", False),
        Column("n_articles", INT64, "Distinct articles that mention it.", False),
        Column("first_reported", DATE, "Earliest publication date among those articles."),
        Column("outlets", STRING, "';'-joined outlets that reported it."),
        FLAGS,
    ),
)

QUARANTINE = Table(
    name="quarantine",
    description="Inputs (or parts of inputs) rejected by a run, with the reason.",
    key=("source_path", "stage", "reason_code"),
    sort_by=("source_path", "stage", "reason_code"),
    run_metadata=("run_id",),
    columns=(
        Column("source_path", STRING, "Path of the rejected input, relative to the input folder.", False),
        Column("stage", STRING, "Step that rejected it.", False, codes.QUARANTINE_STAGES),
        Column("reason_code", STRING, "Why.", False, codes.QUARANTINE_REASONS),
        Column("detail", STRING, "A readable explanation.", False),
        Column("n_bytes", INT64, "Size of the input in bytes, when it could be read."),
        Column("run_id", STRING, "The run that rejected it.", False),
    ),
)

RUNS = Table(
    name="runs",
    description="One row per pipeline run.",
    key=("run_id",),
    run_metadata=("run_id", "started_at", "finished_at", "duration_s"),
    columns=(
        Column("run_id", STRING, "Run id (UTC start time and a random suffix).", False),
        Column("started_at", TIMESTAMP, "Start of the run (UTC).", False),
        Column("finished_at", TIMESTAMP, "End of the run (UTC).", False),
        Column("duration_s", FLOAT, "Wall time of the run in seconds.", False),
        Column("input_dir", STRING, "Input folder as given.", False),
        Column("runner", STRING, "Task runner used.", False),
        Column("n_inputs", INT64, "Input files discovered.", False),
        Column("n_articles", INT64, "Articles read and processed.", False),
        Column("n_quarantined", INT64, "Quarantine rows written.", False),
        Column("n_claims", INT64, "Claim rows written.", False),
        Column("n_event_mentions", INT64, "Event mention rows written.", False),
        Column("n_events", INT64, "Merged event rows written.", False),
        Column("n_flagged_rows", INT64, "Rows carrying at least one validation flag.", False),
        Column("n_new", INT64, "Inputs seen for the first time and processed (null before incremental runs)."),
        Column("n_changed", INT64, "Inputs whose bytes or metadata changed since the last run: reprocessed, "
               "their earlier rows replaced."),
        Column("n_skipped_unchanged", INT64, "Inputs unchanged since the last run: not read again, rows kept."),
        Column("n_removed", INT64, "Inputs gone since the last run (their rows kept or dropped by the "
               "run's on_removed policy)."),
        Column("on_removed", STRING, "What the run did with the rows of removed inputs.", True, ("keep", "drop")),
        Column("validation_outcome", STRING, "Outcome of the validation step.", False, codes.VALIDATION_OUTCOMES),
        Column("code_version", STRING, "Version of this package.", False),
    ),
)

LEDGER = Table(
    name="ledger",
    description="One row per input file a run has seen: what its bytes and metadata hashed to and "
                "what became of it. The next run compares against it to process only new or "
                "changed inputs.",
    key=("source_path",),
    run_metadata=("run_id",),
    columns=(
        Column("source_path", STRING, "Path of the input, relative to the input folder.", False),
        Column("content_sha256", STRING, "SHA-256 of the file's bytes; null when it could not be read."),
        Column("metadata_sha256", STRING, "SHA-256 of the sidecar/manifest metadata given for it.", False),
        Column("n_bytes", INT64, "Size of the file in bytes, when it could be read."),
        Column("article_id", STRING, "The article it became; null when it was quarantined."),
        Column("outcome", STRING, "article, or quarantined.", False, ("article", "quarantined")),
        Column("state", STRING, "present, or removed (gone from the input folder, rows kept by the "
               "on_removed=keep policy).", False, ("present", "removed")),
        Column("run_id", STRING, "The run that last processed it.", False),
        Column("extractor_version", STRING, "Hash of the extraction code and lexicons that made its rows; "
               "a run with other rules reprocesses every input."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ARTICLES, CLAIMS, REFERENCE_CHECK, EVENT_MENTIONS, EVENTS, QUARANTINE, RUNS, LEDGER)}
