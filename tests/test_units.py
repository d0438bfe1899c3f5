"""Units: every spelling a yearbook uses parses to one canonical unit; conversion only inside a dimension."""

import pytest

from qanalysis import units


@pytest.mark.parametrize("spelling, symbol", [
    ("亿元", "亿元"), ("(亿元)", "亿元"), ("（亿元）", "亿元"), (" 亿 元 ", "亿元"), ("【万元】", "万元"),
    ("%", "%"), ("％", "%"), ("(%)", "%"), ("百分比", "%"), ("percent", "%"),
    ("ug/m3", "微克/立方米"), ("μg/m³", "微克/立方米"), ("µg/m³", "微克/立方米"), ("μg/m3", "微克/立方米"),
    ("ｕｇ／ｍ３", "微克/立方米"), ("微克/立方米", "微克/立方米"),
    ("万元/人", "万元/人·年"), ("万元/(人·年)", "万元/人·年"), ("万元/人.年", "万元/人·年"), ("元/人", "元/人·年"),
    ("分值", "分"), ("名", "位"), ("处", "个"), ("件", "个"), ("家", "家"), ("项", "项"), ("m2", "平方米"),
    ("万m2", "万平方米"), ("万m²", "万平方米"), ("个百分点", "个百分点"),
    # middle-dot look-alikes, ASCII case, "^" and the common "人年" spelling (fixed in units.normalise)
    ("万元/人•年", "万元/人·年"), ("万元/人・年", "万元/人·年"), ("万元/人年", "万元/人·年"), ("UG/M3", "微克/立方米"),
    ("μg/m^3", "微克/立方米"), ("Percent", "%"),
])
def test_parse_spellings(spelling, symbol):
    assert units.parse(spelling).symbol == symbol


@pytest.mark.parametrize("text", ["亿美元", "毫克/立方米", "", "吨", "%%"])
def test_parse_refuses_unknown_units(text):
    with pytest.raises(ValueError, match=f'unknown unit "{text}"; expected one of: .*亿元'):
        units.parse(text)


def test_normalise_folds_full_width_and_brackets():
    assert units.normalise("（万元／亩）") == "万元/亩"
    assert units.normalise("μg/m³") == "μg/m3"


@pytest.mark.parametrize("source, target, factor", [
    ("万元", "亿元", 1e-4), ("亿元", "万元", 1e4), ("元", "亿元", 1e-8), ("亿元", "亿元", 1.0),
    ("元/亩", "万元/亩", 1e-4), ("万元/亩", "元/亩", 1e4), ("元/人·年", "万元/人·年", 1e-4),
    ("平方米", "万平方米", 1e-4), ("％", "%", 1.0), ("ug/m3", "微克/立方米", 1.0),
])
def test_conversion_factor(source, target, factor):
    assert units.conversion_factor(source, target) == pytest.approx(factor, rel=1e-12)


def test_conversion_of_a_value_round_trips():
    value = 12345.0 * units.conversion_factor("万元", "亿元")
    assert value == pytest.approx(1.2345, rel=1e-12)
    assert value * units.conversion_factor("亿元", "万元") == pytest.approx(12345.0, rel=1e-12)


@pytest.mark.parametrize("source, target", [
    ("亿元", "%"), ("%", "个百分点"), ("个", "家"), ("家", "项"), ("万元/亩", "万元"), ("分", "%"),
    ("微克/立方米", "%"), ("位", "个"), ("天", "个"),
])
def test_conversion_refuses_other_dimensions(source, target):
    with pytest.raises(ValueError, match=f'cannot convert "{source}" .* to "{target}"'):
        units.conversion_factor(source, target)


@pytest.mark.parametrize("label, name, unit", [
    ("规上工业增加值(亿元)", "规上工业增加值", "亿元"),
    ("规上工业增加值（亿元）", "规上工业增加值", "亿元"),
    ("新产品产值率(%)", "新产品产值率", "%"),
    ("新产品产值率（％）", "新产品产值率", "%"),
    ("PM2.5平均浓度(微克/立方米)", "PM2.5平均浓度", "微克/立方米"),
    ("新产品产值率(规上工业)", "新产品产值率(规上工业)", None),
    ("亩均税收", "亩均税收", None),
    ("绝对值(亿元)", "绝对值", "亿元"),
])
def test_unit_in_label(label, name, unit):
    assert units.unit_in_label(label) == (name, unit)
