"""The reference cross-check: which claims are compared, the deltas, and a run without the file."""
from datetime import date

import pandas as pd

from expectations import reference
from tests.unit.test_validation import _claim

CSV = """date,report_source,report_period,killed_cum,injured_cum,ext_killed_cum,ext_injured_cum,killed_children_cum,ext_killed_children_cum
2024-03-01,mohtel,24,30035,70457,30035,70457,,
2024-03-02,mohtel,24,30228,71377,30228,71377,,
2024-03-03,missing,0,,,30228,71377,,
"""


def _claims():
    return pd.DataFrame([
        _claim(0, "killed", 30228, date(2024, 3, 3)),                    # the 2 March bulletin, quoted a day on
        _claim(1, "injured", 71000, date(2024, 3, 2), qualifier="more_than"),
        _claim(2, "killed", 30228, date(2024, 3, 2), source_norm="un"),  # not the ministry: not compared
        _claim(3, "killed", 13000, date(2024, 3, 2), subgroup="children"),
    ])


def test_deltas_against_the_day_and_the_nearest_bulletin(tmp_path):
    path = tmp_path / "moh.csv"
    path.write_text(CSV)
    checked = reference.check(_claims(), path)
    frame = checked.frame.set_index("claim_id")
    assert list(frame.index) == ["c0", "c1"]
    first = frame.loc["c0"]
    assert (first["reference_value"], first["reference_basis"], first["delta"]) == (30228, "extended", 0)
    assert (first["nearest_reference_date"], first["nearest_delta"]) == (date(2024, 3, 2), 0)
    second = frame.loc["c1"]
    assert (second["reference_value"], second["delta"], second["delta_pct"]) == (71377, -377, -0.528)
    assert "2 claim(s) compared" in checked.note


def test_missing_reference_is_noted_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setenv(reference.ENV_VAR, str(tmp_path / "absent.csv"))
    checked = reference.check(_claims(), None)
    assert checked.frame.empty and "not found" in checked.note
    assert reference.check(_claims(), "").note == "reference cross-check: off"
