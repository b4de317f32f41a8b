"""What a run writes under OUTPUT/validation/: the GX results, a readable summary, Data Docs.

Returned as {relative path: text} so the publish step writes them with the tables (and not at
all when a blocking failure stops the publish).
"""
from __future__ import annotations

import json

from expectations.docs import index_page
from expectations.validate import ValidationOutcome


def summary_dict(outcome: ValidationOutcome) -> dict:
    """What validation/summary.json holds: the outcome, the failures, rows flagged per table."""
    return json.loads(json.dumps({
        "outcome": outcome.outcome,
        "failures": [vars(f) for f in outcome.failures],
        "rows_flagged": {table: len(flags) for table, flags in outcome.flagged.items()},
        "notes": outcome.notes,
    }, default=str))


def validation_files(outcome: ValidationOutcome) -> dict[str, str]:
    files = {f"results/{table}.json": json.dumps(result, indent=2, sort_keys=True, default=str)
             for table, result in outcome.results.items()}
    files["summary.txt"] = outcome.summary() + "\n"
    files["summary.json"] = json.dumps(summary_dict(outcome), indent=2, default=str)
    pages = {table: f"docs/{table}.html" for table in outcome.docs}
    files.update({path: outcome.docs[table] for table, path in pages.items()})
    files["index.html"] = index_page(outcome, pages)
    return files
