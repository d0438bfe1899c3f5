"""The target registry: the 31 targets of the policy, in its own words, and a schema that refuses mistakes."""

from pathlib import Path

import pytest
import yaml

from qanalysis import settings as paths
from qanalysis import units
from qanalysis.errors import InputError
from qanalysis.registry import load_registry

POLICY = Path(__file__).resolve().parents[1] / "data" / "raw" / "targets" / "hangzhou-2018-27.yaml"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _doc():
    return yaml.safe_load(paths.REGISTRY.read_text(encoding="utf-8"))


def _write(tmp_path, doc):
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_registry_has_the_31_targets_of_the_policy(registry):
    assert len(registry.targets) == 31
    sections = [t.section[:5] for t in registry.targets]
    assert (sections.count("二(一) "), sections.count("二(二) "), sections.count("二(三) ")) == (12, 16, 3)
    assert all(t.target_year == 2022 for t in registry.targets)


def test_checklist_ids_and_values_match(registry):
    """Cross-check against the design checklist's reading of the policy (ids and numbers)."""
    expected = {
        "ind_trad_mfg_va_growth": 4, "ind_cluster_100bn": 1, "ind_integration_index_rank": 1,
        "ind_new_product_rate": 35, "ind_innovation_complexes": 30, "ind_tax_per_mu": 30,
        "ind_labor_productivity": 30, "ind_va_per_mu": 140, "ind_robot_coverage": 38, "ind_nc_rate": 55,
        "ind_networking_rate": 32, "ind_equip_mfg_va_growth": 8, "q_mfg_product_pass_rate": 96,
        "q_agri_product_pass_rate": 98, "q_service_satisfaction": 85, "q_china_quality_award": 1,
        "q_zhejiang_made_standards": 300, "q_pinzibiao_firms": 200, "q_prov_quality_award": 10,
        "q_city_quality_award": 36, "q_zj_brand_products": 480, "q_hz_brand_products": 400,
        "c_prefab_share": 11, "c_green_building_share": 11, "c_luban_awards": 3, "c_dayu_award": 1,
        "c_qianjiang_cup": 70, "c_xihu_cup": 400, "e_pm25": 35, "e_surface_water_iii": 85,
        "e_eco_satisfaction": 80,
    }
    assert {t.id: t.value for t in registry.targets} == expected
    assert registry.target("e_pm25").op == "<="
    assert [t.id for t in registry.targets if t.op == "<="] == ["ind_integration_index_rank", "e_pm25"]


def test_every_clause_is_verbatim_policy_text(registry):
    """The clause is the policy's own words, so it must be found in the policy text as written."""
    text = paths.POLICY_TEXT.read_text(encoding="utf-8")
    missing = [t.id for t in registry.targets if t.clause not in text]
    assert missing == []


def test_kinds_and_windows(registry):
    kinds = {t.id: t.kind for t in registry.targets}
    assert [k for k, v in kinds.items() if v == "avg_growth"] == ["ind_trad_mfg_va_growth", "ind_equip_mfg_va_growth"]
    assert kinds["ind_integration_index_rank"] == "rank"
    assert sorted(k for k, v in kinds.items() if v == "milestone") == ["ind_cluster_100bn", "q_china_quality_award"]
    cumulative = [t for t in registry.targets if t.kind == "cumulative"]
    assert len(cumulative) == 6 and all(t.window_start == 2019 for t in cumulative)
    assert all(registry.indicator(t).flow for t in cumulative)


def test_units_match_bound_indicators_and_proxies_are_labelled(registry):
    for target in registry.targets:
        assert registry.indicator(target).unit == target.unit
        assert registry.indicator(target).proxy_for is None
        for proxy in target.proxies:
            assert registry.indicators[proxy].proxy_for == target.id
    assert registry.target("e_pm25").unit == "微克/立方米"


def test_meets_respects_the_operator(registry):
    pm25, npr = registry.target("e_pm25"), registry.target("ind_new_product_rate")
    assert pm25.meets(35) and pm25.meets(28) and not pm25.meets(35.1)
    assert npr.meets(35) and npr.meets(41.2) and not npr.meets(34.9)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["targets"][0].update(colour="red"), "target ind_trad_mfg_va_growth, field colour: Extra inputs are not permitted"),
        (lambda d: d["targets"][3].pop("clause"), "target ind_new_product_rate, field clause: Field required"),
        (lambda d: d["targets"][3].update(kind="share"), "target ind_new_product_rate, field kind"),
        (lambda d: d["targets"][3].update(op="=="), "target ind_new_product_rate, field op"),
        (lambda d: d["targets"][3].update(unit="亿元"), "target ind_new_product_rate, field unit: '亿元' does not match indicator ind_new_product_rate unit '%'"),
        (lambda d: d["targets"][3].update(unit="furlongs"), 'target ind_new_product_rate, field unit: Value error, unknown unit "furlongs"'),
        (lambda d: d["targets"][3].update(indicator="nope"), "target ind_new_product_rate, field indicator: no indicator 'nope'"),
        (lambda d: d["targets"][0].update(window_start=None), "target ind_trad_mfg_va_growth, field window_start: a avg_growth target needs"),
        (lambda d: next(t for t in d["targets"] if t["id"] == "q_china_quality_award").update(window_start=None),
         "target q_china_quality_award, field window_start: a milestone on annual additions (indicator "
         "q_china_quality_award, flow: true) needs the first year"),
        (lambda d: d["targets"][28].update(proxies=["e_pm25_xx"]), "target e_pm25, field proxies: no indicator 'e_pm25_xx'"),
        (lambda d: d["targets"].append(dict(d["targets"][0])), "target ind_trad_mfg_va_growth: defined twice"),
        (lambda d: d["indicators"][0].update(scale="ratio"), "indicator ind_trad_mfg_va_growth, field scale"),
        (lambda d: d.update(extra=[]), "unknown top-level keys ['extra']"),
    ],
)
def test_schema_rejects_bad_registries(tmp_path, mutate, expected):
    doc = _doc()
    mutate(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        load_registry(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(InputError, match="registry file not found"):
        load_registry(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_registry(bad)


def test_goal_and_table_read_like_the_policy(registry):
    assert registry.target("e_pm25").goal == "≤ 35 微克/立方米 (2022)"
    assert registry.target("c_qianjiang_cup").goal == "≥ 70 个 (2019–2022)"
    table = registry.table()
    assert list(table["target"]) == [t.id for t in registry.targets]
    assert table.set_index("target").loc["e_surface_water_iii", "proxies"] == "e_surface_water_iii_city, e_surface_water_iii_zj"
    assert table["section"].value_counts().to_dict() == {"二(二)": 16, "二(一)": 12, "二(三)": 3}


def test_registry_carries_the_policy_document_number(registry):
    assert registry.policy == "市委〔2018〕27号"


def test_registry_block_holds_the_policy_identity_and_years(registry):
    """The policy text says: 市委〔2018〕27号, 2018年12月10日, targets "到2022年"; the windows open in 2019."""
    import datetime as dt

    info = registry.info
    assert (info.id, info.policy, info.issued) == ("hangzhou-2018-27", "市委〔2018〕27号", dt.date(2018, 12, 10))
    text = paths.POLICY_TEXT.read_text(encoding="utf-8").splitlines()
    assert text[2] == info.title_zh == "中共杭州市委杭州市人民政府关于开展质量提升行动的实施意见"
    assert text[4].split() == [info.policy, "2018年12月10日"]
    assert info.title_en.startswith("Implementing Opinions of the CPC Hangzhou Municipal Committee")
    assert (registry.base_year, registry.launch_year, registry.target_years, registry.data_from) == (2018, 2018, (2022,), 2013)
    assert registry.target_year == 2022 and registry.data_years == range(2013, 2025)
    assert {t.window_start for t in registry.targets} - {None} == {registry.base_year + 1}
    assert info.units == () and registry.units.symbols == units.BUILTIN.symbols


def _block(doc, **changes):
    doc["registry"].update(changes)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.pop("registry"), "expected a `registry:` block with the fields id, policy, title_zh, title_en, "
                                      "issued, launch_year, base_year, target_years, data_from (and optionally units); found none"),
        (lambda d: d["registry"].pop("data_from"), "registry hangzhou-2018-27, field data_from: Field required"),
        (lambda d: _block(d, year=2022), "registry hangzhou-2018-27, field year: Extra inputs are not permitted"),
        (lambda d: _block(d, id="Hangzhou 2018/27"), "registry Hangzhou 2018/27, field id: Value error, expected lowercase "
                                                   "letters and digits joined by hyphens, like hangzhou-2018-27"),
        (lambda d: _block(d, policy=" "), "registry hangzhou-2018-27, field policy: String should have at least 1 character"),
        (lambda d: _block(d, launch_year=20188), "field launch_year: Input should be less than or equal to 2100"),
        (lambda d: _block(d, data_from=1013), "field data_from: Input should be greater than or equal to 1900"),
        (lambda d: _block(d, base_year="2018"), "field base_year: Input should be a valid integer"),
        (lambda d: _block(d, issued="10/12/2018"), "field issued: Value error, expected an ISO date like 2018-12-10, found '10/12/2018'"),
        (lambda d: _block(d, issued=20181210), "field issued: Value error, expected an ISO date like 2018-12-10, found 20181210"),
        (lambda d: _block(d, target_years=[]), "field target_years: Tuple should have at least 1 item"),
        (lambda d: _block(d, target_years=[2022, 2020]), "field target_years: Value error, expected the years in ascending order, each once; found [2022, 2020]"),
        (lambda d: _block(d, base_year=2019), "registry hangzhou-2018-27: Value error, base_year 2019 is after launch_year 2018"),
        (lambda d: _block(d, data_from=2019, base_year=2019, launch_year=2019), "issued 2018-12-10 is before base_year 2019"),
        (lambda d: _block(d, launch_year=2022), "launch_year 2022 is not before the first target year 2022"),
        (lambda d: _block(d, data_from=2018, base_year=2017), "data_from 2018 is after base_year 2017"),
        (lambda d: _block(d, issued="2023-01-05"), "issued 2023-01-05 is after the last target year 2022"),
        (lambda d: _block(d, target_years=[2022, 2025]), "registry hangzhou-2018-27, field target_years: no target has target_year 2025"),
        (lambda d: d["targets"][3].update(target_year=2021),
         "target ind_new_product_rate, field target_year: 2021 is not one of the registry's target_years [2022]"),
        (lambda d: d["targets"][0].update(window_start=2012),
         "target ind_trad_mfg_va_growth, field window_start: 2012 is before the registry's data_from 2013"),
        (lambda d: _block(d, units=[{"symbol": "万元", "dimension": "money", "factor": 1000}]),
         'registry hangzhou-2018-27, field units: declared unit "万元" (money, factor 1000) is already known as "万元"'),
        (lambda d: _block(d, units=[{"symbol": "吨", "dimension": "Mass", "factor": 1}]),
         "registry hangzhou-2018-27, field units.0.dimension: Value error, expected a lowercase name like mass or "
         "people, found 'Mass'"),
        (lambda d: _block(d, units=[{"symbol": "吨", "dimension": "mass", "factor": 0}]),
         "registry hangzhou-2018-27, field units.0.factor: Input should be greater than 0"),
        (lambda d: _block(d, units=[{"symbol": "吨", "dimension": "mass"}]),
         "registry hangzhou-2018-27, field units.0.factor: Field required"),
    ],
)
def test_registry_block_rejects_missing_unknown_implausible_and_disordered_fields(tmp_path, mutate, expected):
    doc = _doc()
    mutate(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        load_registry(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_declared_units_are_the_registrys_own(tmp_path):
    """A target in 万吨 is refused by the built-in units and accepted once the registry declares 万吨."""
    doc = _doc()
    doc["targets"].append(dict(doc["targets"][3], id="waste", indicator="waste", unit="万吨", value=500))
    doc["indicators"].append(dict(doc["indicators"][3], id="waste", unit="（万吨）", scale="level"))
    with pytest.raises(InputError, match='target waste, field unit: Value error, unknown unit "万吨"'):
        load_registry(_write(tmp_path, doc))
    _block(doc, units=[{"symbol": "吨", "dimension": "mass", "factor": 1}, {"symbol": "万吨", "dimension": "mass", "factor": 1e4}])
    registry = load_registry(_write(tmp_path, doc))
    assert registry.indicators["waste"].unit == registry.target("waste").unit == "万吨"
    assert registry.units.conversion_factor("吨", "万吨") == pytest.approx(1e-4)
    assert [u.symbol for u in registry.info.units] == ["吨", "万吨"]
    with pytest.raises(units.UnitError):
        units.parse("万吨")  # the built-in table is untouched


def test_a_registry_built_in_code_has_no_years_to_guess(registry):
    from qanalysis.registry import Registry

    bare = Registry(targets=registry.targets, indicators=registry.indicators)
    assert bare.policy == "" and bare.units is units.BUILTIN
    with pytest.raises(ValueError, match="no `registry:` block, so no launch_year"):
        _ = bare.launch_year
