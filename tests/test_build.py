"""build: raw folder -> processed outputs; deterministic, atomic, never writing into raw; read_indicators."""

import errno
import hashlib
import shutil

import openpyxl
import pandas as pd
import pytest
from conftest import make_workbook

from qanalysis import cli
from qanalysis import settings as paths
from qanalysis.errors import InputError
from qanalysis.ingest.build import build
from qanalysis.ingest.coverage import compact_cells, coverage_targets, what_is_needed
from qanalysis.ingest.processed import read_indicators
from qanalysis.registry import load_registry
from qanalysis.text import years_text

OUTPUTS = ["indicators.csv", "sources.csv", "coverage_indicators.csv", "coverage_targets.csv", "data_gaps.csv",
           "build_report.md"]


def _hashes(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _text(folder, name):
    return (folder / name).read_text(encoding="utf-8-sig")


def test_build_writes_the_contract_outputs(full_raw, toy_registry_path, tmp_path):
    out = tmp_path / "out"
    result = build(full_raw, out, toy_registry_path)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, ".qanalysis-output"])
    assert "command: build" in _text(out, ".qanalysis-output")
    assert _text(out, "indicators.csv").splitlines()[:4] == [
        "indicator,year,value,unit,source", "awards,2019,3,家,S03", "awards,2020,2,家,S03", "awards,2022,4,家,S03"]
    tidy = pd.read_csv(out / "indicators.csv")
    assert list(tidy.columns) == ["indicator", "year", "value", "unit", "source"] and len(tidy) == 25
    values = {(r.indicator, r.year): r.value for r in tidy.itertuples()}
    assert values[("va_total", 2020)] == 4120.5 and values[("va_growth", 2020)] == -1.2
    assert values[("tax_per_mu", 2020)] == 26.8 and values[("pm25", 2018)] == 40
    assert tidy.equals(tidy.sort_values(["indicator", "year"]).reset_index(drop=True))
    assert _text(out, "sources.csv").splitlines()[0] == "id,title,publisher,address,accessed,quote,note,publisher_en"
    assert [line.split(",")[0] for line in _text(out, "sources.csv").splitlines()[1:]] == ["S01", "S02", "S03"]
    assert "pm25,PM2.5平均浓度,微克/立方米,4,2015,2018,2015-2018,S02" in _text(out, "coverage_indicators.csv")
    assert "tax_per_mu,亩均税收,万元/亩,2,2019,2020,2019-2020,S01;S02" in _text(out, "coverage_indicators.csv")
    assert "t_pm25,pm25,level,4,2015-2018,2018,True,pm25_zj" in _text(out, "coverage_targets.csv")
    gaps = pd.read_csv(out / "data_gaps.csv").set_index("target")
    assert gaps.loc["t_awards", "missing_years"] == "2013-2018, 2021"
    assert gaps.loc["t_awards", "what_is_needed"] == ("2021 annual additions; the 2019-2022 sum decides the target; "
                                                      "2013-2018 values: history for the forecast")
    assert gaps.loc["t_growth", "bureau_table"] == "规上工业增加值增速所在的年鉴表"
    # 32 indicator-years not published (44 empty cells: tax_per_mu's two rows are blank where the other has 2019/2020)
    assert (result.n_values, result.n_indicators, result.n_tables, result.n_not_published, result.n_skipped) == \
        (25, 9, 4, 32, 3)


def test_build_report_lists_what_was_not_read(full_raw, toy_registry_path, tmp_path):
    build(full_raw, tmp_path / "out", toy_registry_path)
    report = _text(tmp_path / "out", "build_report.md")
    assert "| values written | 25 |" in report and '| indicator-years not published (no row has a number: blank, "-", "…", "—") | 32 |' in report
    assert "| yearbook_industry | A6 | 按行业分 | no values and not mapped to an indicator (a heading row) | 0 |" in report
    assert "| yearbook_environment | C3 | 地表水达标比例 | label ignored by the layout record | 4 |" in report
    assert '| yearbook_environment | satisfaction | 2015 | D5 | "…" |' in report
    assert '| awards | awards | 2021 | line 2, column E | "-" |' in report
    assert "| public | rank | 2013-2017, 2019, 2021-2024 | E6:I6 K6 M6:P6 | \"-\", blank |" in report
    assert '- yearbook_environment: B8 footnote mark "①" removed from "40①"' in report
    assert "- public: footnote A8: 资料来源: 测试" in report
    assert str(tmp_path) not in report


def test_not_published_counts_indicator_years_no_row_has(full_raw, toy_registry_path, tmp_path):
    """tax_per_mu takes two rows (S01 gives 2019, S02 gives 2020): a year another row fills is not a gap."""
    build(full_raw, tmp_path / "out", toy_registry_path)
    report = _text(tmp_path / "out", "build_report.md")
    assert "| public | tax_per_mu | 2013-2018, 2021-2024 | E4:J4 M4:P4 E5:J5 M5:P5 | blank |" in report
    assert "| public | bureau/public.xlsx | 产业 | 6 | 30 | 0 |" in report


def test_not_published_across_tables_and_duplicate_blanks():
    from qanalysis.ingest.coverage import indicator_years, not_published
    from qanalysis.ingest.tables import NotPublished, TableRead

    def read(table, *cells):
        return TableRead(layout=None, frame=pd.DataFrame(),
                         not_published=[NotPublished(table, ind, year, cell, "-") for ind, year, cell in cells])

    reads = [read("a", ("x", 2018, "E4"), ("x", 2019, "F4"), ("y", 2019, "F5")),
             read("b", ("x", 2018, "E9"), ("x", 2019, "F9"), ("x", 2020, "G9"))]
    tidy = pd.DataFrame({"indicator": ["x", "y"], "year": [2020, 2018]})
    gaps = not_published(reads, tidy)
    assert [(n.table, n.indicator, n.year) for n in gaps] == [
        ("a", "x", 2018), ("a", "x", 2019), ("a", "y", 2019), ("b", "x", 2018), ("b", "x", 2019)]
    assert indicator_years(gaps) == 3


def test_summary(full_raw, toy_registry_path, tmp_path):
    lines = build(full_raw, tmp_path / "out", toy_registry_path).summary().splitlines()
    assert lines[0] == "built 25 values for 9 of 9 indicators from 4 tables"
    assert lines[1].startswith("not published: 32 indicator-years; skipped: 3 rows or columns")
    assert lines[2].endswith("indicators.csv, sources.csv, coverage_indicators.csv, coverage_targets.csv, "
                             "data_gaps.csv, build_report.md")


def test_rebuild_is_byte_identical_and_independent_of_location(full_raw, toy_registry_path, tmp_path):
    build(full_raw, tmp_path / "a", toy_registry_path)
    build(full_raw, tmp_path / "b", toy_registry_path)
    moved = shutil.copytree(full_raw, tmp_path / "elsewhere" / "raw")
    build(moved, tmp_path / "c", toy_registry_path)
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b") == _hashes(tmp_path / "c")


def test_build_never_writes_into_raw(full_raw, toy_registry_path, tmp_path):
    before = _hashes(full_raw)
    build(full_raw, tmp_path / "out", toy_registry_path)
    assert _hashes(full_raw) == before


def test_output_folder_inside_raw_is_refused(full_raw, toy_registry_path):
    before = _hashes(full_raw)
    with pytest.raises(InputError, match=r"processed: refused: it lies inside the raw folder \(.*raw\), which is only"):
        build(full_raw, full_raw / "processed", toy_registry_path)
    assert _hashes(full_raw) == before and not (full_raw / "processed").exists()


def test_failed_build_leaves_no_partial_output(full_raw, toy_registry_path, tmp_path):
    out = tmp_path / "out"
    build(full_raw, out, toy_registry_path)
    before = _hashes(out)
    book = openpyxl.load_workbook(full_raw / "bureau" / "public.xlsx")
    book["产业"]["K4"] = "十四"
    book.save(full_raw / "bureau" / "public.xlsx")
    with pytest.raises(InputError, match='cell K4: expected a number for 2019, found "十四"'):
        build(full_raw, out, toy_registry_path)
    assert _hashes(out) == before
    with pytest.raises(InputError):
        build(full_raw, tmp_path / "new" / "out", toy_registry_path)
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw", "targets.yaml"]


def test_failure_while_processing_leaves_previous_outputs(full_raw, toy_registry_path, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(full_raw, out, toy_registry_path)
    before = _hashes(out)
    import qanalysis.ingest.build as module

    def broken(tidy, registry):
        raise RuntimeError("bug while computing the gaps")

    monkeypatch.setattr(module, "data_gaps", broken)
    with pytest.raises(RuntimeError):
        build(full_raw, out, toy_registry_path)
    assert _hashes(out) == before


def test_failure_while_moving_files_in_restores_previous_outputs(full_raw, toy_registry_path, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(full_raw, out, toy_registry_path)
    before = _hashes(out)
    (full_raw / "bureau" / "awards.csv").write_text("指标,单位,2019\n新获质量奖,家,5\n", encoding="utf-8")
    import qanalysis.outputs as module

    real = module.os.rename

    def failing(src, dst):  # the old folder moved aside, then the new one cannot be moved in
        if ".out.qanalysis-stage-" in str(src):
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real(src, dst)

    monkeypatch.setattr(module.os, "rename", failing)
    with pytest.raises(InputError, match=r"out: could not write \(No space left on device\): the disk is full: .*; "
                                         r".*out was left as it was"):
        build(full_raw, out, toy_registry_path)
    assert _hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw", "targets.yaml"]
    monkeypatch.undo()
    build(full_raw, out, toy_registry_path)
    assert "awards,2019,5,家,S03" in _text(out, "indicators.csv")


def test_data_files_not_described_are_reported(full_raw, toy_registry_path, tmp_path):
    make_workbook(full_raw / "bureau" / "old.xlsx", {"x": {"rows": [["a"]]}})
    (full_raw / "bureau" / "broken.xlsx").write_bytes(b"not a zip")
    (full_raw / "bureau" / "~$public.xlsx").write_bytes(b"lock file")
    result = build(full_raw, tmp_path / "out", toy_registry_path)
    report = _text(tmp_path / "out", "build_report.md")
    assert "- bureau/old.xlsx: not named in layouts.yaml and not a qanalysis template" in report
    assert "- bureau/broken.xlsx: not named in layouts.yaml, and not readable as a template (" in report
    assert "not a readable .xlsx workbook" in report and "| data files not read | 2 |" in report
    assert "~$public.xlsx" not in report
    assert "; data files not read: 2 (listed with why in build_report.md)" in result.summary()


def test_sources_table_is_checked(full_raw, toy_registry_path, tmp_path):
    path = full_raw / "sources.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "S01,again,,,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r'sources.csv, line 6: source id "S01" is also on line 2'):
        build(full_raw, tmp_path / "out", toy_registry_path)
    path.write_text(text.replace("publisher,", "publisher_,"), encoding="utf-8")
    with pytest.raises(InputError, match=r"sources.csv, line 1: expected the columns id,title,publisher,address,"):
        build(full_raw, tmp_path / "out", toy_registry_path)
    path.unlink()
    with pytest.raises(InputError, match=r"raw/sources.csv: file not found"):
        build(full_raw, tmp_path / "out", toy_registry_path)


def test_no_tables_at_all(raw_dir, toy_registry_path, tmp_path):
    with pytest.raises(InputError, match=r"raw: no tables: expected a filled-in template workbook \(qanalysis template\) under bureau/, or layout records"):
        build(raw_dir, tmp_path / "out", toy_registry_path)


def test_read_indicators_round_trip(full_raw, toy_registry_path, tmp_path):
    build(full_raw, tmp_path / "out", toy_registry_path)
    frame = read_indicators(tmp_path / "out" / "indicators.csv")
    assert list(frame.columns) == ["indicator", "year", "value", "unit", "source"] and len(frame) == 25
    assert frame["year"].dtype == "int64" and frame["value"].dtype == "float64"
    assert frame.set_index(["indicator", "year"]).loc[("va_total", 2019), "value"] == 3829.7


@pytest.mark.parametrize("body, expected", [
    ("indicator,year,value,unit\npm25,2018,40,微克/立方米\n", "line 1: expected the columns indicator,year,value,unit,source"),
    ("indicator,year,value,unit,source\npm25,2018.5,40,微克/立方米,S01\n", 'line 2: expected a whole year like 2018, found "2018.5"'),
    ("indicator,year,value,unit,source\npm25,2018,abc,微克/立方米,S01\n", 'line 2: expected a number in value, found "abc"'),
    ("indicator,year,value,unit,source\npm25,2018,,微克/立方米,S01\n", 'line 2: expected a number in value, found ""'),
    ("indicator,year,value,unit,source\npm25,2018,inf,微克/立方米,S01\n", 'line 2: expected a finite number in value, found "inf"'),
    ("indicator,year,value,unit,source\npm25,2018,40,mg,S01\n", 'line 2: unknown unit "mg"'),
    ("indicator,year,value,unit,source\n,2018,40,%,S01\n", "line 2: expected an indicator id, found a blank cell"),
    ("indicator,year,value,unit,source\npm25,2018,40,ug/m3,S01\npm25,2019,39,ug/m3,S01\npm25,2018,41,ug/m3,S02\n",
     "line 4: pm25 2018 is also on line 2; expected one value per indicator-year"),
])
def test_read_indicators_refuses_bad_lines(tmp_path, body, expected):
    path = tmp_path / "mine.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_indicators(path)
    assert f"{path}, {expected}" in str(info.value) or (str(path) in str(info.value) and expected in str(info.value))


def test_read_indicators_accepts_any_series_and_gbk(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes("indicator,year,value,unit,source\n自定义,2020,1.5,％,\n".encode("gbk"))
    frame = read_indicators(path)
    assert frame.to_dict("records") == [dict(indicator="自定义", year=2020, value=1.5, unit="%", source="")]


def test_cli_build_prints_summary_and_reports_errors(full_raw, toy_registry_path, tmp_path, capsys):
    args = ["build", "--raw", str(full_raw), "--out", str(tmp_path / "out"), "--targets", str(toy_registry_path)]
    assert cli.main(args) == 0
    assert "built 25 values for 9 of 9 indicators" in capsys.readouterr().out
    (full_raw / "bureau" / "awards.csv").write_text("指标,单位,2019\n新获质量奖,家,十四\n", encoding="utf-8")
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and 'awards.csv, line 2, column C: expected a number for 2019, found "十四"' in err


@pytest.mark.parametrize("years, text", [([], ""), ([2018], "2018"), ([2021, 2018, 2019, 2020, 2024], "2018-2021, 2024"),
                                         ([2013, 2015, 2016], "2013, 2015-2016")])
def test_years_text(years, text):
    assert years_text(years) == text


def test_compact_cells():
    assert compact_cells(["E4", "F4", "G4", "I4", "E5", "F5"]) == "E4:G4 I4 E5:F5"
    assert compact_cells(["line 2, column E"]) == "line 2, column E"


def test_what_is_needed_by_kind(toy_registry):
    t = {x.id: x for x in toy_registry.targets}
    assert what_is_needed(t["t_awards"], [2019, 2020, 2021]) == \
        "2019-2021 annual additions; the 2019-2022 sum decides the target"
    assert what_is_needed(t["t_growth"], [2013, 2022]) == \
        "2022 annual growth rates; their 2019-2022 average decides the target; 2013 values: history for the forecast"
    assert what_is_needed(t["t_npr"], [2020]) == "2020 values: history for the forecast"
    assert what_is_needed(t["t_rank"], [2022]) == "the 2022 rank decides the target"


def test_coverage_targets_without_data(toy_registry):
    empty = pd.DataFrame(columns=["indicator", "year", "value", "unit", "source"])
    table = coverage_targets(empty, toy_registry)
    assert table["has_data"].tolist() == [False] * 8 and table["latest_year"].isna().all()


@pytest.mark.skipif(not paths.LAYOUTS.exists(), reason="the embedded workbook and data/raw/layouts.yaml are not there yet")
def test_embedded_public_figures_build(tmp_path):
    before = _hashes(paths.RAW)
    result = build(paths.RAW, tmp_path / "out", paths.REGISTRY)
    assert _hashes(paths.RAW) == before
    tidy = read_indicators(tmp_path / "out" / "indicators.csv")
    registry = load_registry(paths.REGISTRY)
    assert result.n_values == len(tidy) > 0
    assert set(tidy["indicator"]) <= set(registry.indicators)
    assert all(tidy["unit"] == tidy["indicator"].map(lambda i: registry.indicators[i].unit))
    build(paths.RAW, tmp_path / "again", paths.REGISTRY)
    assert _hashes(tmp_path / "out") == _hashes(tmp_path / "again")


def test_conform_converts_to_the_registry_unit_and_names_bad_records(tmp_path, toy_registry):
    from qanalysis.ingest.processed import conform, read_indicators

    path = tmp_path / "tidy.csv"
    path.write_text("indicator,year,value,unit,source\n"
                    "va_total,2018,123456,万元,S01\n"
                    "va_total,2019,1.5,亿元,S01\n"
                    "tax_per_mu,2019,268000,元/亩,S01\n"
                    "pm25,2019,39,ug/m3,S02\n", encoding="utf-8")
    out = conform(read_indicators(path), toy_registry)
    assert out["unit"].tolist() == ["亿元", "亿元", "万元/亩", "微克/立方米"]
    assert out["value"].tolist() == pytest.approx([12.3456, 1.5, 26.8, 39.0], rel=1e-12)
    assert out["source"].tolist() == ["S01", "S01", "S01", "S02"]

    path.write_text("indicator,year,value,unit,source\n"
                    "va_total,2018,1,亿元,S01\n"
                    "pm25,2019,39,万元,S02\n"
                    "nope,2019,3,家,S02\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        conform(read_indicators(path), toy_registry)
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert "tidy.csv, line 3 (pm25 2019)" in lines[0]
    assert '"万元"' in lines[0] and '"微克/立方米"' in lines[0]
    assert "line 4 (nope 2019)" in lines[1] and '"nope" is not in the target registry' in lines[1]
