"""The code sets of ANNOTATION.md: the project's contract with annotators and analysts."""

METRICS = (
    "killed", "injured", "hostages_taken", "hostages_held", "hostages_released",
    "prisoners_released", "bodies_recovered", "bodies_returned", "displaced", "sheltering",
    "population", "truce_days", "missing",
)
QUALIFIERS = ("exact", "at_least", "more_than", "about", "nearly", "less_than")
POPULATIONS = (
    "gaza_palestinians", "israel_oct7", "israeli_soldiers", "hostages", "palestinian_prisoners",
    "gaza_population", "aid_seekers", "other",
)
# Order matters: ANNOTATION.md says "if several codes apply, use the first in this list".
SUBGROUPS = (
    "children", "women", "men", "elderly", "foreign_nationals", "israelis", "staff",
    "journalists", "medical", "security_forces", "alive", "deceased", "other",
)
CAUSES = ("malnutrition",)
SCOPES = ("cumulative", "period", "event", "stock", "term")
SOURCE_NORMS = (
    "gaza_moh", "israel_official", "idf", "hamas", "un", "media_tally", "palestinian_officials",
    "us_official", "egypt_official", "qatar_official", "unattributed",
)
EVENT_TYPES = (
    "talks", "delegation_departed", "delegation_arrived", "talks_resume", "meeting", "proposal",
    "attack", "withdrawal", "truce", "release", "bodies_returned", "aid_delivery", "holiday",
    "statement",
)
DATE_PRECISIONS = ("day", "week", "month", "range")
TENSES = ("past", "future")
PUBLISHED_DATE_BASES = (
    "metadata", "timestamp", "epoch", "date_line", "caption", "weekday+context", "unknown",
)
LINE_KINDS = ("headline", "body", "caption", "boilerplate")
QUARANTINE_STAGES = ("discover", "read", "decode", "metadata", "extract")
QUARANTINE_REASONS = (
    "empty", "binary", "undecodable", "oversized", "not_article", "malformed_metadata",
    "unsafe_path", "unreadable", "unsupported_type", "extract_error", "duplicate_content",
)
VALIDATION_OUTCOMES = ("passed", "passed_with_flags", "blocked", "skipped")
