"""The engine through the command line: `qanalysis forecast` and `qanalysis assess`, round trips on tmp_path files."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import registry_block

from qanalysis import cli
from qanalysis.assessment.assess import contract_columns
from qanalysis.errors import InputError
from qanalysis.forecast.engine import FORECAST_COLUMNS

SERIES = """series,year,value
gdp,2016,100
gdp,2017,106
gdp,2018,113
gdp,2019,119.5
gdp,2020,127
one,2020,5
gappy,2018,40
gappy,2019,38
gappy,2020,29.8
gappy,2021,28
gappy,2024,30
"""


def test_forecast_round_trip_with_a_one_point_series_and_a_gap(tmp_path, capsys):
    data, out = tmp_path / "series.csv", tmp_path / "out" / "forecast.csv"
    data.write_text(SERIES, encoding="utf-8")
    assert cli.main(["forecast", "--data", str(data), "--horizon", "3", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert table.columns.tolist() == FORECAST_COLUMNS
    assert table["series"].tolist() == ["gappy"] * 3 + ["gdp"] * 3 + ["one"] * 3
    assert table["year"].tolist() == [2025, 2026, 2027, 2021, 2022, 2023, 2021, 2022, 2023]
    one = table[table["series"] == "one"]
    assert one[["mean", "lo80", "hi80", "lo95", "hi95"]].isna().all().all()
    assert one["model"].iloc[0] == "insufficient data: only one value (2020); a trend needs at least two"
    gdp = table[table["series"] == "gdp"]
    assert gdp["model"].iloc[0] == "combination(drift, trend, damped)"
    assert 130 < gdp["mean"].iloc[0] < 137 and (gdp["lo80"] < gdp["mean"]).all() and (gdp["mean"] < gdp["hi95"]).all()
    first = out.read_bytes()
    assert cli.main(["forecast", "--data", str(data), "--horizon", "3", "--out", str(out), "--force"]) == 0
    assert out.read_bytes() == first  # byte-identical on rerun


def test_forecast_bad_input_exits_2_naming_file_and_line_without_traceback(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("series,year,value\nx,2019,1\nx,2020,2\nx,2021,n/a\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "qanalysis.cli", "forecast", "--data", str(data), "--horizon", "2",
                             "--out", str(tmp_path / "out.csv")], capture_output=True, text=True)
    assert result.returncode == 2
    assert f"{data}, line 4: expected a number" in result.stderr and "'n/a'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.csv").exists()


REGISTRY = {
    "registry": registry_block(),
    "targets": [
        {"id": "t_pm25", "section": "s", "name_zh": "PM2.5", "name_en": "PM2.5", "indicator": "pm25", "kind": "level",
         "op": "<=", "value": 35, "unit": "微克/立方米", "target_year": 2022, "window_start": None, "clause": "c"},
        {"id": "t_awards", "section": "s", "name_zh": "奖", "name_en": "awards", "indicator": "awards",
         "kind": "cumulative", "op": ">=", "value": 10, "unit": "家", "target_year": 2022, "window_start": 2019,
         "clause": "c"},
    ],
    "indicators": [
        {"id": "pm25", "name_zh": "PM2.5", "name_en": "PM2.5", "unit": "微克/立方米", "scale": "level",
         "flow": False, "scope": "市区", "proxy_for": None, "bureau_table": "公报"},
        {"id": "awards", "name_zh": "奖", "name_en": "awards", "unit": "家", "scale": "count", "flow": True,
         "scope": "全市", "proxy_for": None, "bureau_table": "名单"},
    ],
}
DATA = """indicator,year,value,unit,source
pm25,2013,70,微克/立方米,S01
pm25,2016,49,微克/立方米,S01
pm25,2017,45,微克/立方米,S01
pm25,2018,40,微克/立方米,S01
pm25,2021,28,微克/立方米,S01
awards,2017,2,家,S02
awards,2018,3,家,S02
awards,2019,4,家,S02
"""


def test_assess_as_of_2018_round_trip(tmp_path, capsys):
    targets, data, out = tmp_path / "targets.yaml", tmp_path / "indicators.csv", tmp_path / "a2018.csv"
    targets.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data.write_text(DATA, encoding="utf-8")
    args = ["assess", "--as-of", "2018", "--data", str(data), "--targets", str(targets), "--out", str(out)]
    assert cli.main(args) == 0
    table = pd.read_csv(out)
    assert table.columns.tolist() == contract_columns()
    assert table["target"].tolist() == ["t_pm25", "t_awards"] and (table["as_of"] == 2018).all()
    pm = table.iloc[0]
    assert (pm["latest_year"], pm["latest_value"]) == (2018, 40)  # 2021 is after the vintage: unseen
    assert pm["status"] in ("likely", "very likely") and 0.66 <= pm["p_meet"] <= 1
    assert pm["method"] == "combination(drift, trend, damped) on log, 4 points; t interval with drift uncertainty"
    aw = table.iloc[1]
    assert aw["latest_year"] == 2018 and 0 <= aw["p_meet"] <= 1 and aw["reason"].startswith("Latest 3 added in 2018")
    assert "2018.0" not in out.read_text(encoding="utf-8")  # years stay whole numbers in the csv
    wide = tmp_path / "wide.csv"
    assert cli.main([*args[:-1], str(wide), "--all-columns"]) == 0
    extra = pd.read_csv(wide)
    assert extra.columns.tolist()[:11] == contract_columns() and "eurostat_category" in extra.columns
    # as of 2018 the latest values are the base year's (2018): no pace since it, whatever 2013-2017 did
    assert extra["eurostat_category"].tolist() == ["not computable"] * 2 and extra["eurostat_ratio"].isna().all()
    later = tmp_path / "wide2021.csv"
    assert cli.main([*args[:2], "2021", *args[3:-1], str(later), "--all-columns"]) == 0
    # as of 2021, from 2018 (40) to 2021 (28): R = -((28/40)^(1/3) - 1) / |(35/40)^(1/4) - 1| = 0.11210 / 0.032829 = 3.4145
    assert pd.read_csv(later)["eurostat_ratio"].iloc[0] == pytest.approx(3.4145, abs=1e-3)
    capsys.readouterr()


def _assess_with(tmp_path, data_text):
    targets, data, out = tmp_path / "targets.yaml", tmp_path / "indicators.csv", tmp_path / "a.csv"
    targets.write_text(yaml.safe_dump(REGISTRY, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data.write_text(data_text, encoding="utf-8")
    code = cli.main(["assess", "--as-of", "2018", "--data", str(data), "--targets", str(targets), "--out", str(out)])
    return code, data, out


def test_assess_refuses_a_unit_of_another_dimension(tmp_path, capsys):
    code, data, out = _assess_with(tmp_path, DATA.replace("pm25,2017,45,微克/立方米", "pm25,2017,45,万元"))
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.startswith("error: ") and err.count("\n") == 1
    assert f"{data.name}, line 4 (pm25 2017)" in err and '"万元"' in err and '"微克/立方米"' in err


def test_assess_refuses_an_indicator_the_registry_lacks(tmp_path, capsys):
    code, data, out = _assess_with(tmp_path, DATA + "pm2.5,2018,41,微克/立方米,S01\n")
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"{data.name}, line 10 (pm2.5 2018)" in err and '"pm2.5" is not in the target registry' in err


def test_assess_converts_a_value_to_the_registry_unit(tmp_path, capsys):
    """Same dimension, other spelling: 40 μg/m³ is 40 微克/立方米, so the result equals the plain round trip."""
    code, _, out = _assess_with(tmp_path, DATA.replace("pm25,2018,40,微克/立方米", "pm25,2018,40,μg/m³"))
    assert code == 0
    pm = pd.read_csv(out).iloc[0]
    assert (pm["latest_year"], pm["latest_value"]) == (2018, 40)
    capsys.readouterr()


def test_main_turns_an_input_error_into_one_line_and_exit_2_and_a_bug_into_an_internal_error(tmp_path, monkeypatch,
                                                                                             capsys):
    import qanalysis.forecast.batch as select

    data = tmp_path / "series.csv"
    data.write_text(SERIES, encoding="utf-8")
    args = ["forecast", "--data", str(data), "--horizon", "2", "--out", str(tmp_path / "f.csv")]

    def bad_value(*a, **k):
        raise InputError("cannot convert \"万元\" (money) to \"%\" (percent)")

    monkeypatch.setattr(select, "forecast_file", bad_value)
    assert cli.main(args) == 2
    assert capsys.readouterr().err == 'error: cannot convert "万元" (money) to "%" (percent)\n'

    for bug in (TypeError("a genuine bug"), ValueError("a genuine bug too")):
        def raise_it(*a, bug=bug, **k):
            raise bug

        monkeypatch.setattr(select, "forecast_file", raise_it)
        assert cli.main(args) == 1  # a bug is not bad input: exit 1, never the analyst's "error:" line
        assert capsys.readouterr().err == (f"qanalysis: internal error: {type(bug).__name__}: {bug}; run with -v to "
                                           "see the traceback\n")


@pytest.mark.parametrize("horizon", ["0", "-1"])
def test_forecast_with_no_horizon_exits_2(tmp_path, capsys, horizon):
    data, out = tmp_path / "series.csv", tmp_path / "f.csv"
    data.write_text(SERIES, encoding="utf-8")
    assert cli.main(["forecast", "--data", str(data), "--horizon", horizon, "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: --horizon: expected a whole number of years from 1 to 50, found {horizon}\n"
    assert not out.exists()


def test_python_dash_m_qanalysis_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "qanalysis", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "usage: qanalysis" in result.stdout and "assess" in result.stdout
