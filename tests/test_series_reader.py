"""The forecast command's reader at scale: unsorted rows grouped by series, every bad record named at once however
large the file, the encoding found without holding the file, and memory per record bounded."""

from __future__ import annotations

import tracemalloc

import numpy as np
import openpyxl
import pytest

from qanalysis.errors import InputError
from qanalysis.ingest import sheets
from qanalysis.ingest.series import read_series, read_series_csv

UNSORTED = """series,year,value
b,2019,7
a,2021,3.5
c,2020,
b,2017,5
a,2019,1.5
c,2018,40
b,2018,6
a,2020,2.5
"""


def test_unsorted_rows_are_grouped_by_series_in_sorted_order_keeping_file_order(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(UNSORTED, encoding="utf-8")
    got = read_series(path)
    assert got.names == ["a", "b", "c"] and got.starts.tolist() == [0, 3, 6, 8]
    groups = {name: (years.tolist(), values.tolist()) for name, years, values in got}
    assert groups["a"] == ([2021, 2019, 2020], [3.5, 1.5, 2.5])  # the file's order within a series
    assert groups["b"] == ([2019, 2017, 2018], [7.0, 5.0, 6.0])
    assert groups["c"][0] == [2020, 2018] and np.isnan(groups["c"][1][0]) and groups["c"][1][1] == 40.0
    frame = read_series_csv(path)
    assert frame["series"].tolist() == ["a"] * 3 + ["b"] * 3 + ["c"] * 2
    assert frame["year"].tolist() == [2021, 2019, 2020, 2019, 2017, 2018, 2020, 2018]


def test_a_part_is_the_same_series_as_the_whole(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(UNSORTED, encoding="utf-8")
    whole = read_series(path)
    part = whole.part(1, 3)
    assert part.names == ["b", "c"] and part.starts.tolist() == [0, 3, 5]
    assert [(n, y.tolist()) for n, y, _ in part] == [("b", [2019, 2017, 2018]), ("c", [2020, 2018])]


def test_every_bad_record_is_named_in_file_order_with_repeats_found_after_reading(tmp_path):
    """Repeats are found by sorting after the whole file is read, yet they are listed in line order among the other
    problems, each naming the line that first gave the pair (the first, not an earlier repeat)."""
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\n"
                    "b,2019,1\n"  # 2
                    "a,2019,1\n"  # 3
                    "a,2020,x\n"  # 4 bad value
                    "b,2019,2\n"  # 5 repeats line 2
                    "a,2019,3,4\n"  # 6 one cell too many
                    "b,2019,3\n"  # 7 repeats line 2 again
                    "c,19,1\n"  # 8 bad year
                    "a,2019,9\n",  # 9 repeats line 3
                    encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_series(path)
    lines = str(info.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}, line {n}" for n in (4, 5, 6, 7, 8, 9)]
    assert lines[1].endswith("b 2019 already given on line 2") and lines[3].endswith("b 2019 already given on line 2")
    assert lines[5].endswith("a 2019 already given on line 3")
    assert "expected 3 columns, found more (4)" in lines[2] and "'x'" in lines[0] and "'19'" in lines[4]


def test_a_file_bad_on_every_line_names_the_first_30_and_counts_all(tmp_path):
    """Bad lines and repeats interleave through a file of 2,000 records; the message keeps file order and the count."""
    path = tmp_path / "s.csv"
    rows = ["series,year,value"]
    for i in range(1000):
        rows += [f"s{i},2020,{i}", f"s{i},2020,{i}" if i % 2 else f"s{i},2021,n/a"]  # a repeat or a bad value
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_series(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 31 and lines[-1] == "... and 970 more"
    assert [int(line.split(": ", 1)[0].rsplit(" ", 1)[1]) for line in lines[:30]] == list(range(3, 62, 2))
    assert lines[0].endswith("'n/a'") and lines[1].endswith("s1 2020 already given on line 4")


def test_a_workbook_names_sheet_rows_and_repeats_by_row(tmp_path):
    path = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    for row in (["series", "year", "value"], ["产值", 2019, 1], ["产值", 2019, 2], ["产值", 2020, "abc"]):
        book.active.append(row)
    book.save(path)
    with pytest.raises(InputError) as info:
        read_series(path)
    assert str(info.value).splitlines() == [f"{path}, sheet Sheet, row 3: 产值 2019 already given on row 2",
                                            f"{path}, sheet Sheet, row 4: expected a number or an empty cell in "
                                            "column value, found 'abc'"]


def test_gb18030_is_found_in_chunks_and_an_undecodable_byte_named_at_its_offset(tmp_path, monkeypatch):
    """Chunks of 16 bytes force every multi-byte name across a chunk's end; the offset must match the whole-file
    decoder's."""
    monkeypatch.setattr(sheets, "CHUNK_BYTES", 16)
    path = tmp_path / "s.csv"
    text = "series,year,value\n" + "".join(f"规上工业增加值,{2010 + i},{i}\n" for i in range(6))
    path.write_bytes(text.encode("gb18030"))
    got = read_series(path)
    assert got.names == ["规上工业增加值"] and got.years.tolist() == list(range(2010, 2016))
    bad = text.encode("utf-8")
    bad = bad[:100] + b"\xff" + bad[100:]
    path.write_bytes(bad)
    with pytest.raises(InputError, match=r"undecodable byte at offset (\d+)") as info:
        read_series(path)
    with pytest.raises(InputError) as whole:
        sheets.decode_text(bad, str(path))
    assert str(info.value).split("offset ")[1] == str(whole.value).split("offset ")[1]


def test_reading_keeps_memory_per_record_small(tmp_path):
    """100,000 records of 10,000 unsorted series: the reader's peak traced memory (numpy arrays included) stays
    under 100 bytes a record and 3x the file. The reader before streaming held ~790 bytes a record (25x such a
    file), which is how a 200 MB file came to need 4 GB. (tracemalloc slows reading ~5x, hence not more records.)"""
    n_series, points = 10_000, 10
    path = tmp_path / "big.csv"
    values = np.round(np.random.default_rng(0).uniform(1, 1000, (points, n_series)), 2)
    with path.open("w", encoding="utf-8") as out:
        out.write("series,year,value\n")
        for k in range(points):  # year-major: every series' 2010, then every 2011 ...
            out.writelines(f"区县·指标{i:05d},{2010 + k},{values[k, i]}\n" for i in range(n_series))
    tracemalloc.start()
    try:
        got = read_series(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(got) == n_series and len(got.years) == n_series * points
    assert got.names[7] == "区县·指标00007" and got.values[70:80].tolist() == values[:, 7].tolist()
    assert peak / (n_series * points) < 100 and peak < 3 * path.stat().st_size


def test_a_year_in_superscript_digits_is_named_not_a_traceback(tmp_path):
    """str.isdigit() accepts "²⁰¹⁸" but int() refuses it; full-width "２０１８" is a year as before."""
    path = tmp_path / "s.csv"
    path.write_text("series,year,value\na,²⁰¹⁸,1\na,２０１９,2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_series(path)
    assert str(info.value) == f"{path}, line 2: expected a whole year like 2018 in column year, found '²⁰¹⁸'"
    path.write_text("series,year,value\na,２０１９,2\n", encoding="utf-8")
    assert read_series(path).years.tolist() == [2019]


def test_an_unclosed_quote_is_named_by_line_not_a_csv_traceback(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('series,year,value\na,2019,1\n"b,2020,2\n' + "c,2021,3\n" * 20_000, encoding="utf-8")
    with pytest.raises(InputError, match=r"s\.csv, line \d+: not readable as csv \(a field longer than 128 KiB; usually a quote mark left open"):
        read_series(path)
