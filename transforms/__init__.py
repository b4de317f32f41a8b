"""Pure functions on text and frames: no Prefect, no file I/O, no clock."""
