import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"


@pytest.fixture(scope="session", autouse=True)
def prefect_home(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect")))
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def run(input_dir: Path, output_dir: Path):
    from flows.pipeline import etl_flow
    return etl_flow(str(input_dir), str(output_dir))


def read(output_dir: Path, table: str) -> pd.DataFrame:
    """A published table as a reader sees it under OUTPUT/<table> (partitioned or not), without
    the partition key, which is not part of the table's schema."""
    from flows.storage import read_table
    return read_table(output_dir / table)
