"""Whole-flow runs (Prefect, ephemeral server): seeds, bundled samples and bad inputs."""
import datetime as dt
import json
import shutil
import subprocess
import sys

import duckdb
import pytest

from tests.integration.conftest import ROOT, SEEDS, read, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeds_output(tmp_path_factory):
    if not SEEDS.exists():
        pytest.skip("../shared/corpus/seeds is not beside the checkout")
    out = tmp_path_factory.mktemp("seeds-out")
    summary = run(SEEDS, out)
    assert summary.published
    return out


def test_seed_tables_have_the_expected_contents(seeds_output):
    articles = read(seeds_output, "articles")
    assert len(articles) == 5
    by_file = dict(zip(articles["source_path"], articles["published_date"]))
    assert by_file["000_bbda2b53912ad5e9.txt"] == dt.date(2024, 3, 7)
    assert by_file["002_4f99d01e388c12ef.txt"] == dt.date(2024, 4, 8)
    claims = read(seeds_output, "claims")
    row = claims[(claims["metric"] == "killed") & (claims["value"] == 33207)].iloc[0]
    assert (row["qualifier"], row["scope"], row["source_norm"]) == ("about", "cumulative", "gaza_moh")
    assert row["as_of"] == dt.date(2024, 4, 8)
    text = articles.set_index("article_id").loc[row["article_id"], "text"]
    assert text[row["char_start"]:row["char_end"]] == row["number_text"] == "33,207"
    truce = claims[claims["metric"] == "truce_days"]
    assert set(truce["value"]) >= {40, 42} and set(truce["scope"]) == {"term"}
    assert claims["claim_id"].is_unique


def test_seed_score_meets_the_bar(seeds_output):
    score = subprocess.run([sys.executable, str(ROOT.parent / "shared" / "tools" / "score.py"),
                            "--output", str(seeds_output), "--gold", str(ROOT.parent / "shared" / "gold" / "seeds")],
                           capture_output=True, text=True, check=True)
    report = json.loads(score.stdout)
    assert report["claims"]["match"]["f1"] >= 0.95
    assert report["articles"]["pub_date_exact"] == 1.0


def test_duckdb_reads_dates_as_dates(seeds_output):
    con = duckdb.connect()
    kind = con.execute(f"SELECT typeof(as_of) FROM read_parquet('{seeds_output}/claims/**/*.parquet', hive_partitioning = true) LIMIT 1").fetchall()[0][0]
    assert kind == "DATE"
    runs = con.execute(f"SELECT validation_outcome, n_articles FROM read_parquet('{seeds_output}/runs/*.parquet')").fetchall()
    assert runs[-1][1] == 5


def test_rerun_gives_the_same_tables(seeds_output, tmp_path):
    run(SEEDS, tmp_path)
    for table in ("claims", "event_mentions", "events"):
        assert read(tmp_path, table).equals(read(seeds_output, table))
    first, second = read(seeds_output, "articles"), read(tmp_path, "articles")
    assert first.drop(columns=["ingested_at", "run_id"]).equals(second.drop(columns=["ingested_at", "run_id"]))


def test_samples_and_bad_inputs(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(ROOT / "samples", inputs, ignore=shutil.ignore_patterns("gold"))
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blob.txt").write_bytes(b"\x00\xff" * 500)
    (inputs / "sample_01_wire_cairo_talks.meta.json").write_text("{not json")
    out = tmp_path / "out"
    summary = run(inputs, out)
    assert summary.published
    quarantine = read(out, "quarantine")
    reasons = dict(zip(quarantine["source_path"], quarantine["reason_code"]))
    assert reasons["empty.txt"] == "empty" and reasons["blob.txt"] == "binary"
    assert reasons["sample_01_wire_cairo_talks.meta.json"] == "malformed_metadata"
    articles = read(out, "articles")
    assert len(articles) == 10  # the article with the broken sidecar is still processed
    assert set(articles["content_type"]) == {"text", "html"}
    assert "cp1252" in set(articles["encoding"])
    claims = read(out, "claims")
    assert len(claims) > 100 and claims["metric"].isin(["killed", "hostages_held", "truce_days"]).any()


def test_cli_exit_codes(tmp_path):
    gazetl = [sys.executable, "-m", "flows.cli"]
    missing = subprocess.run(gazetl + ["run", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o")],
                             capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "not found" in missing.stderr
    helped = subprocess.run(gazetl + ["--help"], capture_output=True, text=True, cwd=ROOT)
    assert helped.returncode == 0 and "Exit codes" in helped.stdout
