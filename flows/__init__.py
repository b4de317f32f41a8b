"""Prefect flows, the CLI and the storage seam: the only code that touches files or the clock."""
