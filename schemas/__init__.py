"""Table definitions and code sets: the one place each output table is described."""
from schemas.tables import TABLES, Column, Table

__all__ = ["TABLES", "Column", "Table"]
