"""`assess --data` and `forecast --data` take csv or xlsx, name every bad record at once, and write csv Excel opens."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from qanalysis.cli import main
from qanalysis.errors import InputError
from qanalysis.ingest.processed import read_indicators
from qanalysis.ingest.series import read_series_csv


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_forecast_reads_an_xlsx_and_writes_csv_with_a_bom(tmp_path, capsys):
    data = _xlsx(tmp_path / "s.xlsx", [["series", "year", "value"], *[["产值", 2010 + i, 100 + 5 * i] for i in range(8)]])
    assert main(["forecast", "--data", str(data), "--horizon", "2", "--out", str(tmp_path / "f.csv")]) == 0
    raw = (tmp_path / "f.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfseries,year,mean,")  # the BOM Excel needs to read UTF-8 Chinese names
    out = pd.read_csv(tmp_path / "f.csv")
    assert list(out["year"]) == [2018, 2019] and set(out["series"]) == {"产值"}
    assert out["mean"].iloc[0] == pytest.approx(140, rel=0.02)  # a straight line of +5 a year from 135


def test_every_bad_series_record_is_named_at_once(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\na,2019,1\n,2020,2\na,20x1,3\na,2019,4\nb,2021,inf\nb,2022,abc\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_series_csv(path)
    lines = str(info.value).splitlines()
    assert [line.split(": ", 1)[0].rsplit(", ", 1)[1] for line in lines] == [f"line {n}" for n in (3, 4, 5, 6, 7)]
    assert "a 2019 already given on line 2" in lines[2] and "finite number" in lines[3]


def test_a_header_with_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("series,year,value,value\na,2019,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: expected the columns series,year,value \(each once\)"):
        read_series_csv(path)


def test_assess_reads_tidy_xlsx_and_names_sheet_rows(tmp_path):
    header = ["indicator", "year", "value", "unit", "source"]
    good = _xlsx(tmp_path / "d.xlsx", [header, ["e_pm25", 2019, 38, "微克/立方米", "S10"],
                                       ["e_pm25", 2020, 29.8, "微克/立方米", "S11"]])
    frame = read_indicators(good)
    assert list(frame["value"]) == [38.0, 29.8] and list(frame["year"]) == [2019, 2020]
    bad = _xlsx(tmp_path / "b.xlsx", [header, ["e_pm25", "二〇一九", 38, "微克/立方米", "S10"],
                                      ["e_pm25", 2020, "abc", "微克/立方米", "S11"]])
    with pytest.raises(InputError) as info:
        read_indicators(bad)
    assert len(str(info.value).splitlines()) == 2  # both records, in one error
    assert "sheet Sheet, row 2: expected a whole year like 2018" in str(info.value)
    assert 'sheet Sheet, row 3: expected a number in value, found "abc"' in str(info.value)


def test_assess_cli_on_an_xlsx(tmp_path):
    header = ["indicator", "year", "value", "unit", "source"]
    data = _xlsx(tmp_path / "d.xlsx", [header, *[["e_pm25", y, v, "微克/立方米", "S"] for y, v in
                                                 [(2016, 45), (2017, 44), (2018, 40), (2019, 38), (2020, 29.8),
                                                  (2021, 28)]]])
    assert main(["assess", "--as-of", "2021", "--data", str(data), "--out", str(tmp_path / "a.csv")]) == 0
    table = pd.read_csv(tmp_path / "a.csv").set_index("target")
    assert table.loc["e_pm25", "status"] == "very likely" and table.loc["e_pm25", "p_meet"] > 0.9


def test_a_series_name_a_spreadsheet_would_run_is_written_as_text(tmp_path):
    data = tmp_path / "s.csv"
    rows = "".join(f'"=HYPERLINK(""http://x"")",{2010 + i},{100 + i}\n' for i in range(6))
    data.write_text("series,year,value\n" + rows, encoding="utf-8")
    assert main(["forecast", "--data", str(data), "--horizon", "1", "--out", str(tmp_path / "f.csv")]) == 0
    line = (tmp_path / "f.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert line.startswith("'=HYPERLINK(") or line.startswith('"\'=HYPERLINK(')


@pytest.mark.parametrize("flag, value, expected", [
    ("--horizon", "100000000", "--horizon: expected a whole number of years from 1 to 50, found 100000000"),
    ("--seed", "-1", "argument --seed: expected a whole number from 0 to 4294967295, found -1"),
    ("--seed", "99999999999999999999", "argument --seed: expected a whole number from 0 to 4294967295"),
])
def test_absurd_horizons_and_seeds_are_refused_before_any_work(tmp_path, capsys, flag, value, expected):
    data = tmp_path / "s.csv"
    data.write_text("series,year,value\na,2019,1\na,2020,2\n", encoding="utf-8")
    args = {"--horizon": "2", "--seed": "0", flag: value}
    try:
        code = main(["forecast", "--data", str(data), "--out", str(tmp_path / "f.csv"), "--no-progress",
                     "--horizon", args["--horizon"], "--seed", args["--seed"]])
    except SystemExit as exc:  # argparse's own exit for a value its type refuses
        code = exc.code
    assert code == 2 and expected in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()


def test_sources_read_the_optional_english_publisher_when_given(tmp_path):
    from qanalysis.ingest.processed import load_sources
    path = tmp_path / "sources.csv"
    path.write_text("id,title,publisher,address,accessed,quote,note\nB01,年报,杭州市统计局,,,,\n", encoding="utf-8")
    assert load_sources(path).loc[0, "publisher_en"] == ""  # an analyst's file without the column still reads
    path.write_text("publisher_en,id,title,publisher,address,accessed,quote,note\n"
                    "Hangzhou Bureau of Statistics,B01,年报,杭州市统计局,,,,\n", encoding="utf-8")
    assert load_sources(path).loc[0, "publisher_en"] == "Hangzhou Bureau of Statistics"
    path.write_text("id,title,publisher,address,accessed,quote,note,publisher_en,publisher_en\nB01,t,p,,,,,a,b\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"sources.csv, line 1: expected the columns .*optionally publisher_en"):
        load_sources(path)
