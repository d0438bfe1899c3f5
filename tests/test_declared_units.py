"""A registry's declared units reach every reader of its data: table cells, unit labels, fixed layout units, tidy csv
files and the conversion to the registry's unit; a registry that does not declare them still refuses them."""

import copy

import pytest
import yaml
from conftest import REGISTRY, SOURCE_IDS, make_workbook, template_layout, template_rows

from qanalysis.errors import InputError
from qanalysis.ingest import layouts
from qanalysis.ingest import tables as loaders
from qanalysis.ingest.processed import conform, read_indicators
from qanalysis.ingest.values import check_values
from qanalysis.registry import load_registry

MASS = [{"symbol": "吨", "dimension": "mass", "factor": 1}, {"symbol": "万吨", "dimension": "mass", "factor": 10000}]


@pytest.fixture
def waste_registry(tmp_path):
    """The toy registry plus an indicator measured in 万吨, a unit it declares (with 吨) in its `registry:` block."""
    doc = copy.deepcopy(REGISTRY)
    doc["registry"]["units"] = MASS
    doc["indicators"].append(dict(id="waste", name_zh="固废利用量", name_en="waste", unit="万吨", scale="level",
                                  flow=False, scope="全市", proxy_for=None, bureau_table="环境统计年报"))
    path = tmp_path / "declared.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_registry(path)


def _read(raw_dir, registry, record, checked=True):
    layout = layouts.parse_layouts([record], "layouts.yaml", registry, SOURCE_IDS)[0]
    result = loaders.read_table(layout, raw_dir, registry, SOURCE_IDS)
    return check_values(result.frame, registry) if checked else result.frame


def test_a_row_in_tonnes_is_converted_to_the_registrys_10k_tonnes(raw_dir, waste_registry):
    make_workbook(raw_dir / "bureau" / "public.xlsx", {"产业": {"rows": template_rows(
        ["waste", "固废利用量", "吨", "S01", None, None, None, None, None, "4,650,000", 4812000],
        ["waste", "固废利用量", "（万吨）", "S02", None, None, None, None, None, None, None, 503.5],
    )}})
    frame = _read(raw_dir, waste_registry, template_layout())
    assert [(r.year, r.value, r.unit, r.source) for r in frame.itertuples()] == [
        (2018, 465.0, "万吨", "S01"), (2019, 481.2, "万吨", "S01"), (2020, 503.5, "万吨", "S02")]


def test_the_same_row_is_refused_by_a_registry_that_declares_no_tonnes(raw_dir, toy_registry):
    make_workbook(raw_dir / "bureau" / "public.xlsx", {"产业": {"rows": template_rows(
        ["va_total", "规上工业增加值", "吨", "S01", None, None, None, None, None, 4650000])}})
    with pytest.raises(InputError, match=r'public.xlsx, sheet 产业, cell C4: unknown unit "吨"; expected one of: %'):
        _read(raw_dir, toy_registry, template_layout())


def test_tonnes_do_not_mix_with_money_in_one_indicator(raw_dir, waste_registry):
    make_workbook(raw_dir / "bureau" / "public.xlsx", {"产业": {"rows": template_rows(
        ["waste", "固废利用量", "吨", "S01", None, None, None, None, None, 4650000],
        ["waste", "固废利用量", "亿元", "S02", None, None, None, None, None, None, 3.2])}})
    with pytest.raises(InputError, match="waste: unit changes from 吨 .* to 亿元"):
        _read(raw_dir, waste_registry, template_layout())


def test_units_in_labels_and_fixed_units_are_the_registrys(raw_dir, waste_registry, toy_registry):
    make_workbook(raw_dir / "bureau" / "y.xlsx", {"环境": {"rows": [
        ["表1 固废"], ["指标", "2018年", "2019年"], ["固废利用量(吨)", 4650000, "4,812,000"]]}})
    record = dict(id="y", file="bureau/y.xlsx", sheet="环境", header_rows=[2], data_start=3, years="columns",
                  label="A", unit={"in_label": True}, source={"fixed": "S01"}, indicators={"固废利用量": "waste"})
    frame = _read(raw_dir, waste_registry, record)
    assert frame[["year", "value", "unit"]].values.tolist() == [[2018, 465.0, "万吨"], [2019, 481.2, "万吨"]]
    fixed = dict(record, unit={"fixed": "吨"}, indicators={"固废利用量(吨)": "waste"})
    assert _read(raw_dir, waste_registry, fixed)["value"].tolist() == [465.0, 481.2]
    with pytest.raises(InputError, match='layouts.yaml, table y, field unit: Value error, unknown unit "吨"'):
        layouts.parse_layouts([dict(fixed, indicators={})], "layouts.yaml", toy_registry, SOURCE_IDS)


def test_a_tidy_csv_in_tonnes_reads_with_the_registrys_units_and_conforms(tmp_path, waste_registry):
    path = tmp_path / "tidy.csv"
    path.write_text("indicator,year,value,unit,source\nwaste,2019,4812000,吨,S01\nwaste,2020,503.5,万吨,S02\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=f'{path}, line 2: unknown unit "吨"'):
        read_indicators(path)
    data = conform(read_indicators(path, waste_registry.units), waste_registry)
    assert data[["year", "value", "unit"]].values.tolist() == [[2019, pytest.approx(481.2), "万吨"],
                                                               [2020, 503.5, "万吨"]]
    path.write_text("indicator,year,value,unit,source\nwaste,2019,3.2,亿元,S01\n", encoding="utf-8")
    with pytest.raises(InputError, match=f'{path}, line 2 \\(waste 2019\\): unit "亿元" cannot be expressed in the '
                                         'registry unit "万吨"'):
        conform(read_indicators(path, waste_registry.units), waste_registry)
