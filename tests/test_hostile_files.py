"""Hostile files: formulas nobody calculated, encrypted workbooks, zip members larger than declared, csv fields that
never close, links out of raw/, side tables that are not text. Each is refused with an InputError naming the file
(and the cell or line), and none is read as data.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import SOURCES, YEARBOOK_INDUSTRY, YEARBOOK_INDUSTRY_LAYOUT, make_workbook, write_layouts
from conftest import input_error as _refused

from qanalysis.ingest import sheets
from qanalysis.ingest.build import build
from qanalysis.ingest.processed import read_indicators, read_side_table
from qanalysis.ingest.series import read_series_csv
from qanalysis.ingest.template import find_templates, write_template

FIXTURES = Path(__file__).parent / "fixtures"
ENCRYPTED = FIXTURES / "encrypted.xlsx"  # a two-row workbook encrypted with the password "secret" (msoffcrypto-tool)
TIDY_HEADER = ["indicator", "year", "value", "unit", "source"]




def _set_cached_value(path: Path, cell: str, value: str) -> None:
    """Write a saved value for a formula cell, as Excel does on save (openpyxl writes none)."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{cell}"')
    end = sheet.index("</c>", start)
    members["xl/worksheets/sheet1.xml"] = (sheet[:start] + sheet[start:end].replace("<v />", f"<v>{value}</v>")
                                           + sheet[end:]).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


# --- formulas without a saved value -------------------------------------------------------------------------------

def _formula_yearbook(raw_dir) -> Path:
    rows = [list(r) for r in YEARBOOK_INDUSTRY["rows"]]
    rows[4][1] = "=3000+504.3"  # 规上工业增加值 2018 绝对值: a formula, never calculated
    rows[6][3] = "=SUM(35,1.8)"  # 新产品产值率 2019
    return make_workbook(raw_dir / "bureau" / "yearbook.xlsx", {"工业": {"rows": rows,
                                                                        "merges": YEARBOOK_INDUSTRY["merges"]}})


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_formula_without_a_saved_value_is_named_not_read_as_unpublished(raw_dir, read_layout, engine):
    """calamine and openpyxl both return a blank for such a cell, which the reader took for "not published"."""
    _formula_yearbook(raw_dir)
    _refused(lambda: read_layout(YEARBOOK_INDUSTRY_LAYOUT, engine=engine),
             "bureau/yearbook.xlsx, sheet 工业, cells B5, D7: formula without a saved value: save the workbook in "
             "Excel, or paste values")


def test_a_formula_with_its_saved_value_reads_as_that_value(raw_dir, read_layout):
    path = _formula_yearbook(raw_dir)
    _set_cached_value(path, "B5", "3504.3")
    _set_cached_value(path, "D7", "36.8")
    frame = read_layout(YEARBOOK_INDUSTRY_LAYOUT).frame.set_index(["indicator", "year"])["value"]
    assert frame[("va_total", 2018)] == 3504.3 and frame[("new_product_rate", 2019)] == 36.8


def test_a_tidy_workbook_with_an_uncalculated_formula_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(TIDY_HEADER)
    book.active.append(["pm25", 2018, "=40-2", "微克/立方米", "S01"])
    book.save(tmp_path / "d.xlsx")
    _refused(lambda: read_indicators(tmp_path / "d.xlsx"), "d.xlsx, sheet Sheet, cell C2: formula without a saved value")


# --- encrypted, oversized, damaged workbooks ----------------------------------------------------------------------

def test_an_encrypted_workbook_is_named_as_encrypted_at_every_door(tmp_path):
    expected = "refused: the workbook is encrypted (password-protected)"
    for name in ("s.xlsx", "s.xls"):
        copy = tmp_path / name
        copy.write_bytes(ENCRYPTED.read_bytes())
        _refused(lambda: sheets.read_grid(copy, "Sheet"), f"{copy}: {expected}")
        _refused(lambda: sheets.sheet_names(copy), expected)
    _refused(lambda: sheets.read_grid(tmp_path / "s.xlsx", "Sheet", engine="openpyxl"), expected)
    _refused(lambda: read_series_csv(tmp_path / "s.xlsx"), expected)
    _refused(lambda: read_indicators(tmp_path / "s.xlsx"), expected)


def test_an_encrypted_workbook_in_raw_is_listed_as_unread_with_why(raw_dir):
    (raw_dir / "bureau" / "locked.xlsx").write_bytes(ENCRYPTED.read_bytes())
    _, unread = find_templates(raw_dir, set())
    assert unread == ["bureau/locked.xlsx: not named in layouts.yaml, and not readable as a template (refused: the "
                      "workbook is encrypted (password-protected); open it in Excel, remove the password (File > Info "
                      "> Protect Workbook > Encrypt with Password) and save it again)"]


def _understate(path: Path, member: str, declared: int) -> None:
    """Patch a member's uncompressed size in both zip headers, as a zip bomb does to slip past a size check."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack("<H", data[at + name_len_at:at + name_len_at + 2])[0]
            if data[at + name_at:at + name_at + length] == name:
                data[at + size_at:at + size_at + 4] = struct.pack("<I", declared)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_a_member_larger_than_its_declared_size_is_refused(tmp_path, engine):
    """The unpacked-size cap adds up declared sizes; it holds because both readers stop a member at its declared
    size (calamine: "File is larger than its declared uncompressed size"; zipfile: a CRC failure)."""
    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    for i in range(2000):
        book.active.append([f"label {i}", i, i * 2.5])
    book.save(path)
    _understate(path, "xl/worksheets/sheet1.xml", 100)
    _refused(lambda: sheets.read_grid(path, "Sheet", engine=engine), f"{path}: not a readable .xlsx workbook")
    import python_calamine

    with pytest.raises(python_calamine.CalamineError, match="larger than its declared uncompressed size"):
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_an_input_file_larger_than_the_cap_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\n" + "a,2018,1\n" * 200, encoding="utf-8")
    _refused(lambda: read_series_csv(path), f"{path}: refused: larger than 0 MB")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\0" * 2000)
    _refused(lambda: sheets.read_grid(xls, "Sheet1"), "old.xls: refused: larger than 0 MB")


# --- csv fields and quotes ---------------------------------------------------------------------------------------

def test_a_csv_field_longer_than_128_kib_names_the_line(tmp_path):
    """Was a csv.Error traceback: "field larger than field limit (131072)"."""
    path = tmp_path / "d.csv"
    path.write_text("series,year,value\na,2018,1\na,2019,\"" + "1" * 200_000 + "\"\n", encoding="utf-8")
    _refused(lambda: read_series_csv(path), f"{path}, line 3: not readable as csv (a field longer than 128 KiB")


def test_an_unclosed_quote_is_an_error_not_a_field_swallowing_the_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('series,year,value\na,2018,"1\na,2019,2\n', encoding="utf-8")
    _refused(lambda: read_series_csv(path), "not readable as csv (a quote mark is left open at the end of the file)")


def test_text_after_a_closing_quote_is_an_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('indicator,year,value,unit,source\npm25,2018,"4"0,微克/立方米,S01\n', encoding="utf-8")
    _refused(lambda: read_indicators(path), f"{path}, line 2: not readable as csv")


# --- links out of raw/ ---------------------------------------------------------------------------------------------

@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside raw/ holding a filled-in template and a yearbook: what a link must not reach."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    make_workbook(folder / "yearbook.xlsx", {"工业": YEARBOOK_INDUSTRY})
    return folder


def test_a_layout_file_behind_a_link_leading_out_of_raw_is_refused(raw_dir, read_layout, outside):
    (raw_dir / "bureau" / "yearbook.xlsx").symlink_to(outside / "yearbook.xlsx")
    _refused(lambda: read_layout(YEARBOOK_INDUSTRY_LAYOUT), "bureau/yearbook.xlsx: refused: a link leading outside "
             "the folder")
    (raw_dir / "bureau" / "yearbook.xlsx").unlink()
    (raw_dir / "bureau" / "shared").symlink_to(outside, target_is_directory=True)
    _refused(lambda: read_layout(dict(YEARBOOK_INDUSTRY_LAYOUT, file="bureau/shared/yearbook.xlsx")),
             "bureau/shared/yearbook.xlsx: refused: a link leading outside the folder")


def test_a_link_inside_raw_is_followed(raw_dir, read_layout, outside):
    (raw_dir / "bureau" / "yearbook-2021.xlsx").write_bytes((outside / "yearbook.xlsx").read_bytes())
    (raw_dir / "bureau" / "yearbook.xlsx").symlink_to("yearbook-2021.xlsx")
    assert len(read_layout(YEARBOOK_INDUSTRY_LAYOUT).frame) == 9


def test_a_template_linked_into_raw_from_outside_is_not_read(raw_dir, outside, toy_registry):
    template = write_template(toy_registry, outside / "filled.xlsx")
    (raw_dir / "bureau" / "filled.xlsx").symlink_to(template)
    (raw_dir / "bureau" / "secret.csv").symlink_to("/etc/passwd")
    found, unread = find_templates(raw_dir, set())
    assert found == {}
    assert [u.split(":", 1)[0] for u in unread] == ["bureau/filled.xlsx", "bureau/secret.csv"]
    assert all("refused: a link leading outside the folder" in u for u in unread)


def test_sources_csv_behind_a_link_out_of_raw_is_refused(raw_dir, toy_registry_path, tmp_path, outside):
    (outside / "sources.csv").write_text(SOURCES, encoding="utf-8")
    (raw_dir / "sources.csv").unlink()
    (raw_dir / "sources.csv").symlink_to(outside / "sources.csv")
    write_layouts(raw_dir, [])
    _refused(lambda: build(raw_dir, tmp_path / "out", toy_registry_path), "sources.csv: refused: a link leading outside")


# --- side tables beside the data -------------------------------------------------------------------------------------

def test_a_side_table_that_is_not_text_is_named(tmp_path):
    """The briefing read sources.csv with pandas: a UnicodeDecodeError without a file name."""
    path = tmp_path / "sources.csv"
    path.write_bytes(b"id,title\nS01,\xff\xfe\x80\x81\n")
    _refused(lambda: read_side_table(path), f"{path}: not UTF-8 or GB18030 text")


def test_a_side_table_row_longer_than_its_header_is_named(tmp_path):
    path = tmp_path / "coverage_targets.csv"
    path.write_text("target,years\npm,2013-2021,extra\n", encoding="utf-8")
    _refused(lambda: read_side_table(path), f"{path}, line 2, column C: expected 2 columns as in the header")


def test_a_side_table_reads_like_pandas_did(tmp_path):
    path = tmp_path / "sources.csv"
    frame = pd.DataFrame({"id": ["S01", "S02"], "title": ["公报", "x, \"quoted\""], "note": ["", "n"]})
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(read_side_table(path), expected)
    assert read_side_table(tmp_path / "absent.csv") is None
