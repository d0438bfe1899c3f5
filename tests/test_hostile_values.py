"""Hostile numbers, years and ids: each case was accepted (or crashed) before, and must now be refused with an
InputError naming the file and the record, or the field. Values are the ones an attacker or a bad paste produces:
NaN and infinity in the registry, 1e308 in a series, a 20-digit year, superscript digits, `../../x` as a target id.
"""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import yaml
from conftest import REGISTRY, YEARBOOK_INDUSTRY_LAYOUT, make_workbook, write_layouts
from conftest import input_error as _refused

from qanalysis.assessment.assess import assess
from qanalysis.cli import main
from qanalysis.ingest.cells import parse_value
from qanalysis.ingest.processed import conform, read_indicators
from qanalysis.ingest.series import read_series_csv
from qanalysis.registry import RESERVED_IDS, Target, load_registry
from qanalysis.units import MAX_MAGNITUDE

TIDY = "indicator,year,value,unit,source\n"


def _registry(tmp_path, change) -> str:
    doc = copy.deepcopy(REGISTRY)
    change(doc)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path




def _pm25(doc):
    return next(t for t in doc["targets"] if t["id"] == "t_pm25")


# --- the registry: values, years, ids --------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (float("nan"), "field value: Input should be a finite number"),  # flagged PM2.5 "very unlikely" (目标 ≤ nan)
    (float("inf"), "field value: Input should be a finite number"),  # gave P(meet) = 1 for any data
    (-float("inf"), "field value: Input should be a finite number"),
    (1e300, "expected a number within ±1e+15 (no official statistic is larger), found 1e+300"),
])
def test_registry_refuses_a_target_value_that_is_not_a_finite_bounded_number(tmp_path, value, expected):
    path = _registry(tmp_path, lambda d: _pm25(d).update(value=value))
    _refused(lambda: load_registry(path), str(path), "target t_pm25", expected)


def test_the_yaml_spellings_of_nan_and_infinity_are_refused_too(tmp_path):
    path = _registry(tmp_path, lambda d: _pm25(d).update(value=12345))
    text = path.read_text(encoding="utf-8").replace("value: 12345\n", "value: .nan\n")
    assert ".nan" in text
    path.write_text(text, encoding="utf-8")
    _refused(lambda: load_registry(path), "target t_pm25, field value: Input should be a finite number")


@pytest.mark.parametrize("field, year", [("target_year", 20222), ("target_year", 202), ("window_start", 1850),
                                         ("window_start", 12345678901234567890)])
def test_a_target_built_in_code_keeps_its_years_between_1900_and_2100(field, year):
    """load_registry also checks the years against the `registry:` block; the schema alone must bound them too, so
    no caller (a notebook building a Target) can hand the engine a year that wraps or runs for ever."""
    record = dict(REGISTRY["targets"][2], **{field: year})
    with pytest.raises(ValueError, match=field):
        Target.model_validate(record)


@pytest.mark.parametrize("bad_id", ["../../x", "/etc/passwd", "..", "a/b", "a\\b", "a b", "=HYPERLINK(1)", "-1+2",
                                    "@x", "e_pm25.png", "目标", "x" * 65, ""])
def test_target_ids_are_safe_file_names(tmp_path, bad_id):
    """`report` writes figures/<id>.png: `../../x` wrote outside --out, and `=...` became a live formula."""
    path = _registry(tmp_path, lambda d: d["targets"][0].update(id=bad_id))
    _refused(lambda: load_registry(path), "field id", "expected letters, digits, _ and -")


def test_indicator_ids_are_safe_names_too(tmp_path):
    def change(doc):
        doc["indicators"][0]["id"] = "../va_total"
        doc["targets"][0]["indicator"] = "../va_total"
    path = _registry(tmp_path, change)
    _refused(lambda: load_registry(path), "indicator ../va_total, field id", "expected letters, digits, _ and -")


@pytest.mark.parametrize("reserved", ["scorecard", "Vintage", "coverage", "reliability", "summary", "CON", "nul"])
def test_reserved_names_are_refused_as_target_ids(tmp_path, reserved):
    """A target called scorecard was overwritten by the overview chart figures/scorecard.png."""
    path = _registry(tmp_path, lambda d: d["targets"][0].update(id=reserved))
    _refused(lambda: load_registry(path), f"target {reserved}, field id", "is a reserved name")


def test_every_chart_the_briefing_writes_beside_the_targets_is_reserved():
    """The names in pack.overview_charts, read from its source, so a new overview chart cannot slip past the list."""
    import inspect
    import re

    from qanalysis.report import pack

    names = set(re.findall(r'folder / "([a-z_]+)"', inspect.getsource(pack.overview_charts)))
    assert names == {"scorecard", "vintage", "coverage"} and names <= RESERVED_IDS


def test_target_ids_differing_only_in_case_are_refused(tmp_path):
    """figures/T_VA.png and figures/t_va.png are one file on Windows and macOS."""
    def change(doc):
        doc["targets"].append(dict(doc["targets"][0], id="T_VA"))
    path = _registry(tmp_path, change)
    _refused(lambda: load_registry(path), "target T_VA: differs from target t_va only in case")


# --- numbers as read: cells, tidy records, series records ------------------------------------------------------

@pytest.mark.parametrize("cell, found", [
    ("1" * 400, "not a finite number"),  # float() reads 400 digits as inf
    (1e300, "found 1e+300, not a number within ±1e+15"),
    (-2e15, "found -2000000000000000.0, not a number within ±1e+15"),
    ("9" * 16, "not a number within ±1e+15"),
])
def test_a_cell_beyond_any_statistic_is_refused(cell, found):
    with pytest.raises(ValueError, match=re.escape(found)):
        parse_value(cell)


def test_the_bound_keeps_the_largest_real_statistics():
    assert parse_value(1.2e14).number == 1.2e14  # China's GDP in 元
    assert parse_value("121,020,700,000,000").number == 1.210207e14
    assert parse_value(-MAX_MAGNITUDE).number == -MAX_MAGNITUDE


def test_a_yearbook_table_names_the_cell_of_an_absurd_value(raw_dir, read_layout):
    rows = [["表"], [], ["指  标", "2018年", None], [None, "绝对值(亿元)", "增速(%)"],
            ["规上工业增加值①", 1e300, "6.5"]]
    make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": {"rows": rows, "merges": ["B3:C3"]}})
    _refused(lambda: read_layout(dict(YEARBOOK_INDUSTRY_LAYOUT, ignore=[], indicators={
        "规上工业增加值/绝对值": "va_total", "规上工业增加值/增速": "va_growth"})),
        "bureau/yearbook.xlsx, sheet 工业, cell B5: expected a number for 2018, found 1e+300, not a number within")


@pytest.mark.parametrize("value", ["1e308", "1e200", "-1e155", "1" * 200])
def test_series_values_beyond_any_statistic_are_refused_with_the_line(tmp_path, value):
    """1e308 was clipped into bands of zero width; ~1e155 raised OverflowError in the error model."""
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\n" + "".join(f"a,{2010 + i},{v}\n" for i, v in enumerate([1, 2, value, 4])),
                    encoding="utf-8")
    _refused(lambda: read_series_csv(path), f"{path}, line 4: expected a number within ±1e+15")


@pytest.mark.parametrize("year", ["²⁰¹⁸", "12345678901234567890", "0999", "2018.0", "1_018"])
def test_series_years_are_four_digit_years(tmp_path, year):
    """Superscript digits pass str.isdigit() and then crashed int() ("invalid literal for int() ... '²⁰¹⁸'")."""
    path = tmp_path / "s.csv"
    path.write_text(f"series,year,value\na,{year},1\n", encoding="utf-8")
    _refused(lambda: read_series_csv(path), f"{path}, line 2: expected a whole year like 2018 in column year")


def test_series_values_are_numbers_as_typed_not_python_literals(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\na,2018,1_000\n", encoding="utf-8")
    _refused(lambda: read_series_csv(path), "line 2: expected a number or an empty cell in column value, found '1_000'")


@pytest.mark.parametrize("value, expected", [
    ("1e200", 'expected a number within ±1e+15 (no official statistic is larger) in value, found "1e200"'),
    ("-1e16", 'expected a number within ±1e+15 (no official statistic is larger) in value, found "-1e16"'),
    ("nan", 'expected a finite number in value, found "nan"'),
])
def test_tidy_values_beyond_any_statistic_are_refused_with_the_line(tmp_path, value, expected):
    path = tmp_path / "d.csv"
    path.write_text(TIDY + f"pm25,2018,{value},微克/立方米,S01\n", encoding="utf-8")
    _refused(lambda: read_indicators(path), f"{path}, line 2: {expected}")


def test_a_tidy_xlsx_with_a_huge_year_names_the_row(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["indicator", "year", "value", "unit", "source"])
    book.active.append(["pm25", 12345678901234567890, 40, "微克/立方米", "S01"])
    book.save(tmp_path / "d.xlsx")
    _refused(lambda: read_indicators(tmp_path / "d.xlsx"), "d.xlsx, sheet Sheet, row 2: expected a whole year")


# --- one range check, whichever door the data come in by ----------------------------------------------------------

def test_conform_applies_the_builds_range_check(tmp_path, toy_registry):
    """`assess --data` and the briefing read data through conform: a negative PM2.5 was assessed "very likely"."""
    path = tmp_path / "d.csv"
    path.write_text(TIDY + "pm25,2018,40,微克/立方米,S01\npm25,2019,-5,微克/立方米,S01\n"
                    "new_product_rate,2019,135,%,S01\nawards,2019,2.5,家,S01\n", encoding="utf-8")
    message = _refused(lambda: conform(read_indicators(path), toy_registry),
                       f"{path}, line 3 (pm25 2019): expected a level above 0 for pm25 2019 (微克/立方米), found -5",
                       f"{path}, line 4 (new_product_rate 2019): expected a share between 0 and 100",
                       f"{path}, line 5 (awards 2019): expected a whole count of 0 or more")
    assert len(message.splitlines()) == 3


def test_conform_refuses_a_value_that_conversion_makes_absurd(tmp_path):
    """9e14 万平方米 is within the bound as written, but 9e18 in the registry's 平方米."""
    path = _registry(tmp_path, lambda d: d["indicators"].append(
        dict(d["indicators"][0], id="floor", name_zh="建筑面积", unit="平方米", scale="level")))
    registry = load_registry(path)
    data = tmp_path / "d.csv"
    data.write_text(TIDY + "floor,2019,9e14,万平方米,S01\nfloor,2020,12.5,万平方米,S01\n", encoding="utf-8")
    _refused(lambda: conform(read_indicators(data), registry),
             f"{data}, line 2 (floor 2019): expected a number within ±1e+15 (no official statistic is larger) for "
             "floor 2019 (平方米), found 9e+18")
    data.write_text(TIDY + "floor,2020,12.5,万平方米,S01\n", encoding="utf-8")
    assert conform(read_indicators(data), registry)["value"].tolist() == [125000.0]


def test_assess_cli_refuses_a_negative_pm25_like_build_does(tmp_path, toy_registry_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text(TIDY + "".join(f"pm25,{y},{v},微克/立方米,S01\n" for y, v in
                                   [(2016, 49), (2017, 45), (2018, -40), (2019, 38)]), encoding="utf-8")
    code = main(["assess", "--as-of", "2021", "--data", str(data), "--targets", str(toy_registry_path),
                 "--out", str(tmp_path / "a.csv")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "a.csv").exists()
    assert err.startswith("error: ") and "line 4 (pm25 2018): expected a level above 0" in err


@pytest.mark.parametrize("as_of", [12345678901234567890, 20211, -5, 1899, 2101])
def test_assess_refuses_an_as_of_that_is_not_a_plausible_year(toy_registry, as_of):
    """A 20-digit --as-of was written into every row; `report` with it tried to assess every vintage up to it."""
    data = pd.DataFrame({"indicator": ["pm25"], "year": [2018], "value": [40.0], "unit": ["微克/立方米"],
                         "source": ["S01"]})
    _refused(lambda: assess(toy_registry, data, as_of), f"as of {as_of}: expected a year between 1900 and 2100")


def test_assess_refuses_a_year_that_would_wrap_around(toy_registry):
    """A 20-digit year as a float became -9223372036854775808 when cast to int64, so it counted as visible."""
    data = pd.DataFrame({"indicator": ["pm25", "pm25"], "year": [2018.0, 1.2345678901234567e19],
                         "value": [40.0, 1.0], "unit": ["微克/立方米"] * 2, "source": ["S01"] * 2})
    _refused(lambda: assess(toy_registry, data, 2021), "indicator data, pm25: expected a whole year")


def test_an_absurd_layout_is_not_needed_to_hit_the_range_check(raw_dir, toy_registry_path, tmp_path):
    """build and assess --data give the same message for the same bad value (the one rule, values.py)."""
    from qanalysis.ingest.build import build

    (raw_dir / "bureau" / "awards.csv").write_text("指标,单位,2019,2020\n新获质量奖,家,-3,2\n", encoding="utf-8")
    write_layouts(raw_dir, [dict(id="awards", file="bureau/awards.csv", header_rows=[1], data_start=2,
                                 years="columns", label="A", unit={"column": "B"}, source={"fixed": "S03"},
                                 indicators={"新获质量奖": "awards"})])
    built = _refused(lambda: build(raw_dir, tmp_path / "out", toy_registry_path))
    data = tmp_path / "d.csv"
    data.write_text(TIDY + "awards,2019,-3,家,S03\n", encoding="utf-8")
    assessed = _refused(lambda: conform(read_indicators(data), load_registry(toy_registry_path)))
    rule = "expected a whole count of 0 or more for awards 2019 (家), found -3"
    assert rule in built and rule in assessed
