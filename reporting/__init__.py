"""The run report: pure rendering of one run's counts, validation outcome and charts.

No file I/O and no Prefect here: `flows/run_report.py` gathers the inputs from the published
tables and writes the page; these modules only turn a `ReportInputs` into HTML or Markdown.
"""
