"""The briefing's first page: the findings paragraph, the data requests by bureau and the one-page PDF."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment.status import shown_p
from qanalysis.registry import load_registry
from qanalysis.report import findings, pdf, requests, summary

REGISTRY = load_registry()


def table(statuses: dict[str, tuple[str, float]]) -> pd.DataFrame:
    """An assessment table: every target insufficient data, except those given as {id: (status, p)}."""
    rows = []
    for tg in REGISTRY.targets:
        status, p = statuses.get(tg.id, ("insufficient data", np.nan))
        data = status != "insufficient data"
        rows.append({"target": tg.id, "as_of": 2021, "latest_year": 2021 if data else np.nan,
                     "latest_value": 30.0 if data else np.nan, "projected": 28.0 if data else np.nan,
                     "lo80": 25.0 if data else np.nan, "hi80": 31.0 if data else np.nan, "p_meet": p,
                     "status": status, "reason": f"why {tg.id}", "reason_zh": f"原因 {tg.id}"})
    return pd.DataFrame(rows)


NOW = table({"e_pm25": ("very likely", 0.95), "c_prefab_share": ("unlikely", 0.2),
             "q_zhejiang_made_standards": ("met", 1.0)})
BEFORE = table({"e_pm25": ("likely", 0.82), "c_prefab_share": ("unlikely", 0.25)})


def test_headline_counts_names_and_says_what_changed():
    text = findings.headline(REGISTRY, NOW, 2021, "en", BEFORE, 2020)
    assert text.startswith("As of 2021, of 31 quantified targets: 1 is unlikely or very unlikely to be met "
                           "(Prefabricated share of new construction floor area); 1 is likely or very likely")
    assert "1 is already met ('Made in Zhejiang' standards, cumulative); 28 cannot be assessed" in text
    # Two moved: PM2.5 (likely -> very likely, with both P) and the standards (no data -> met, no P before).
    assert ("Since the 2020 outlook: Urban PM2.5 annual mean concentration moved from likely to very likely "
            "(P 82% → 95%); 'Made in Zhejiang' standards, cumulative moved from insufficient data to met.") in text
    zh = findings.headline(REGISTRY, NOW, 2021, "zh", BEFORE, 2020)
    assert zh.startswith("截至2021年，31个量化目标中：1个不太可能或很不可能达成（新开工装配式建筑面积占新建建筑比例）")
    assert "由“可能达成”变为“很可能达成”（P 82% → 95%）" in zh
    assert not re.search(r"[a-z]+_[a-z_]+", text + zh)  # no code ids


def test_headline_in_the_launch_year_and_without_changes():
    assert findings.headline(REGISTRY, NOW, 2018, "en").endswith("This is the first outlook, in the policy's "
                                                                 "launch year.")
    assert findings.headline(REGISTRY, NOW, 2021, "en", NOW, 2020).endswith(
        "No target changed status since the 2020 outlook.")


def test_headline_names_at_most_four_then_counts_the_rest():
    many = table({tg.id: ("unlikely", 0.2) for tg in REGISTRY.targets[:6]})
    en = findings.headline(REGISTRY, many, 2021, "en")
    assert "6 are unlikely or very unlikely" in en and en.count("; ") >= 4 and "and 2 more)" in en
    assert "等6个）" in findings.headline(REGISTRY, many, 2021, "zh")


def test_proxy_readings_are_labelled_and_only_for_targets_without_a_verdict():
    proxies = pd.DataFrame({"target": ["e_surface_water_iii", "e_pm25"],
                            "proxy": ["e_surface_water_iii_city", "e_pm25_zj"],
                            "status": ["likely", "very likely"], "p_meet": [0.8, 0.95]})
    text = findings.headline(REGISTRY, NOW, 2021, "en", proxies=proxies)
    assert ('For 1 of these a proxy gives a reading, shown beside the target and never in its place: '
            'Provincial-control surface-water sections at Class III or better (proxy "City-control-and-above '
            'sections at Class III or better (wider set)": likely).') in text
    assert "PM2.5 annual mean (Zhejiang" not in text  # PM2.5 has its own verdict


def test_data_requests_group_tables_by_bureau_with_the_missing_years():
    data = pd.DataFrame({"indicator": ["e_pm25"] * 9 + ["c_prefab_share"], "year": [*range(2013, 2022), 2017],
                         "value": [1.0] * 10})
    out = requests.data_requests(REGISTRY, data, NOW, 2021, "en")
    by_bureau = {r.bureau: r for r in out}
    assert "Hangzhou Ecology and Environment Bureau" in by_bureau
    water = by_bureau["Hangzhou Ecology and Environment Bureau"]
    assert [t.table for t in water.tables] == [
        "Hangzhou state-of-the-environment bulletin, 'Water': water-quality class of provincial-control sections"]
    prefab = {t.table: t for r in out for t in r.tables}[
        "Annual prefabricated-building statistics (prefabricated / all new construction floor area)"]
    assert prefab.years_text() == "2013-2016, 2018-2021"
    assert all(t.targets != ("'Made in Zhejiang' standards, cumulative",) for r in out for t in r.tables)  # met
    # Two targets share the per-mu table of one bureau: one request serving both.
    per_mu = {t.table: t for r in out for t in r.tables}["Per-mu efficiency evaluation results (prefecture-city table)"]
    assert len(per_mu.targets) == 2
    assert [r.n_targets for r in out] == sorted((r.n_targets for r in out), reverse=True)


def facts(as_of=2021) -> summary.Facts:
    return summary.Facts(REGISTRY, as_of, NOW, previous=BEFORE, previous_year=as_of - 1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_is_one_a4_landscape_page_identical_on_rerun(lang):
    first, second = pdf.page_pdf(facts(), lang, None), pdf.page_pdf(facts(), lang, None)
    assert first == second and first.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", first)) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", first)
    assert box and float(box.group(1)) == pytest.approx(841.89, abs=0.1)  # A4 landscape, in points
    assert float(box.group(2)) == pytest.approx(595.28, abs=0.1)


def test_a_table_too_long_for_the_page_keeps_the_first_rows_and_says_how_many_more():
    long_reasons = NOW.assign(reason=lambda t: "a long reason that wraps " * 12)
    page = pdf._page(pdf._content(summary.Facts(REGISTRY, 2021, long_reasons), "en", None), pdf.PDF_SIZES[-1], 31)
    pdf._close_fonts(page)
    assert page.pages_count > 1  # the whole table does not fit
    data = pdf.page_pdf(summary.Facts(REGISTRY, 2021, long_reasons), "en", None)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1


def test_the_index_lists_what_the_pack_holds_with_captions(tmp_path):
    from qanalysis.report import index
    (tmp_path / "figures").mkdir()
    for stem in ("vintage", "scorecard", "scorecard.16x9", "e_pm25", "c_prefab_share"):
        (tmp_path / "figures" / f"{stem}.png").write_bytes(b"png")
    (tmp_path / "figures" / "e_pm25.svg").write_bytes(b"svg")
    (tmp_path / "summary.html").write_text("x", encoding="utf-8")
    page = index.index_html(tmp_path, facts(), "en")
    figures = re.findall(r'<img src="figures/([^"]+)" alt="([^"]+)"', page)
    assert [f for f, _ in figures] == ["scorecard.png", "scorecard.16x9.png", "vintage.png", "c_prefab_share.png",
                                       "e_pm25.png"]  # overview first, then targets in registry order
    captions = dict(figures)
    assert captions["scorecard.16x9.png"] == "P(meet) and status of every target (16:9, for slides)"
    assert captions["e_pm25.png"] == "Urban PM2.5 annual mean concentration — very likely, P(meet) = 95%"
    assert 'href="figures/e_pm25.svg"' in page and 'href="figures/vintage.svg"' not in page
    assert 'href="summary.html#requests"' in page and 'href="briefing.pdf"' not in page  # only files that exist


def test_decided_targets_show_no_probability_anywhere_a_reader_looks():
    assert shown_p("met", 1.0) is None and shown_p("missed", 0.0) is None
    assert shown_p("likely", 0.7) == 0.7 and shown_p("insufficient data", float("nan")) is None
    rows = dict((cells[0], cells) for _, cells in summary.target_rows(facts(), "en"))
    assert rows["'Made in Zhejiang' standards, cumulative"][3:6] == ["—", "—", "met"]
    assert rows["Urban PM2.5 annual mean concentration"][3:5] == ["28 (25–31)", "95%"]


def test_the_previous_vintage_is_the_year_before_from_the_launch_year_on():
    assert findings.previous_year(REGISTRY, 2021) == 2020
    assert findings.previous_year(REGISTRY, 2019) == 2018
    assert findings.previous_year(REGISTRY, 2018) is None  # the launch year: the first outlook
    assert findings.previous_year(REGISTRY, 2016) is None


def test_headline_edge_cases_read_as_english():
    one = NOW[NOW["target"] == "e_pm25"]
    assert findings.headline(REGISTRY, one, 2021, "en").startswith("As of 2021, of 1 quantified target: 1 is likely")
    assert findings.headline(REGISTRY, NOW.iloc[0:0], 2021, "en") == "As of 2021, no target was assessed."


def test_several_target_years_name_each_goals_year_not_one_for_all(tmp_path):
    import yaml

    from qanalysis import settings
    doc = yaml.safe_load(settings.REGISTRY.read_text(encoding="utf-8"))
    doc["registry"]["target_years"] = [2022, 2025]
    next(t for t in doc["targets"] if t["id"] == "c_prefab_share")["target_year"] = 2025
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    two = load_registry(path)
    both = summary.Facts(two, 2021, NOW)
    assert summary.title(both, "en") == "Outlook for the 2022 and 2025 targets, as of 2021"
    assert summary.table_header(both, "en")[1:4] == ["Goal (target year)", "Latest",
                                                     "Projected for the target year (80% range)"]
    goals = {cells[0]: cells[1] for _, cells in summary.target_rows(both, "en")}
    assert goals["Prefabricated share of new construction floor area"] == "≥ 11% (2025)"
    assert goals["Urban PM2.5 annual mean concentration"] == "≤ 35 μg/m³ (2022)"
    assert summary.table_header(facts(), "en")[3] == "Projected 2022 (80% range)"


def test_making_the_page_leaves_no_font_file_open():
    import gc
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        pdf.page_pdf(facts(), "zh", None)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
