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


# ---------------------------------------------------------------- a registry's own units (UnitTable.with_units)

MASS = [units.Unit("吨", "mass", 1.0), units.Unit("万吨", "mass", 1e4)]


def test_declared_units_parse_and_convert_inside_their_dimension():
    table = units.BUILTIN.with_units(MASS)
    assert table.parse("（万吨）") == units.Unit("万吨", "mass", 1e4)
    assert table.conversion_factor("吨", "万吨") == pytest.approx(1e-4, rel=1e-12)
    assert 4_650_000 * table.conversion_factor("吨", "万吨") == pytest.approx(465.0, rel=1e-12)
    assert table.unit_in_label("一般工业固体废物综合利用量(吨)") == ("一般工业固体废物综合利用量", "吨")
    assert table.parse("万元").factor == 1e4 and table.conversion_factor("万元", "亿元") == pytest.approx(1e-4)
    assert "吨" in table.symbols and "吨" not in units.BUILTIN.symbols


@pytest.mark.parametrize("source, target", [("吨", "亿元"), ("万吨", "%"), ("吨", "个")])
def test_declared_units_do_not_mix_with_other_dimensions(source, target):
    with pytest.raises(units.UnitError, match=f'cannot convert "{source}" \\(.*\\) to "{target}"'):
        units.BUILTIN.with_units(MASS).conversion_factor(source, target)


def test_one_registry_declaring_a_unit_leaves_the_built_in_table_and_other_tables_alone():
    units.BUILTIN.with_units(MASS).parse("吨")
    people = units.BUILTIN.with_units([units.Unit("人", "people", 1.0)])
    for table in (units.BUILTIN, people):
        with pytest.raises(units.UnitError, match='unknown unit "吨"'):
            table.parse("吨")
    with pytest.raises(units.UnitError, match='unknown unit "吨"'):
        units.parse("吨")
    assert people.parse("人").dimension == "people"


def test_declaring_a_built_in_unit_again_with_its_own_meaning_changes_nothing():
    table = units.BUILTIN.with_units([units.Unit("万元", "money", 1e4)])
    assert table.symbols == units.BUILTIN.symbols and table.conversion_factor("元", "万元") == pytest.approx(1e-4)


@pytest.mark.parametrize("declared, expected", [
    (units.Unit("万元", "money", 1e3), 'declared unit "万元" (money, factor 1000) is already known as "万元" (money, factor 10000)'),
    (units.Unit("件", "count_jian", 1.0), 'declared unit "件" (count_jian, factor 1) is already known as "个" (count_ge, factor 1)'),
    (units.Unit("%", "share", 1.0), 'declared unit "%" (share, factor 1) is already known as "%" (percent, factor 1)'),
    (units.Unit("Kg", "mass", 1.0), 'declared unit "Kg": write the symbol as "kg"'),
    (units.Unit("(吨)", "mass", 1.0), 'declared unit "(吨)": write the symbol as "吨"'),
    (units.Unit(" ", "mass", 1.0), 'declared unit " ": expected a symbol'),
    (units.Unit("吨", "mass", 0.0), 'declared unit "吨": expected a factor between 1e-15 and 1e+15, found 0'),
    (units.Unit("吨", "mass", 1e300), 'declared unit "吨": expected a factor between 1e-15 and 1e+15, found 1e+300'),
])
def test_declarations_that_would_change_a_known_unit_are_refused(declared, expected):
    with pytest.raises(units.UnitError) as err:
        units.BUILTIN.with_units([declared])
    assert expected in str(err.value)


def test_a_unit_declared_twice_is_refused():
    with pytest.raises(units.UnitError, match='declared unit "吨": declared twice'):
        units.BUILTIN.with_units([*MASS, units.Unit("吨", "mass", 1000.0)])


def test_a_spelling_refused_on_purpose_may_be_declared_with_its_meaning():
    """毫克/立方米 is refused by the built-in table (the reference targets never use it); a registry that does may say
    it is 1000 微克/立方米, and then it converts."""
    with pytest.raises(units.UnitError):
        units.parse("毫克/立方米")
    table = units.BUILTIN.with_units([units.Unit("毫克/立方米", "concentration", 1000.0)])
    assert table.conversion_factor("毫克/立方米", "ug/m3") == pytest.approx(1000.0)
