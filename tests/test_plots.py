"""Charts: Chinese renders with zero warnings in Noto Sans SC, drawn data equal the outlook's numbers, saves are
byte-identical. Small hand-made Outlook-like objects keep these tests independent of the forecasting engine."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from qanalysis.assessment.assess import required_growth
from qanalysis.errors import InputError
from qanalysis.forecast.engine import Forecast
from qanalysis.registry import Registry, load_registry
from qanalysis.report import fanchart, labels, overview, style
from qanalysis.text import wrap

REGISTRY = load_registry()


@dataclass
class Outlook:
    target: object
    indicator: object
    as_of: int
    history: pd.Series
    forecast: Forecast | None
    measure: str
    required_path: pd.Series | None
    row: dict = field(default_factory=dict)


def forecast_from(years, paths) -> Forecast:
    q = np.quantile(paths, [0.1, 0.9, 0.025, 0.975], axis=0)
    return Forecast(np.asarray(years), paths.mean(axis=0), q[0], q[1], q[2], q[3], paths, "drift", "short (3-5)", ())


def outlook(target_id, history: dict, as_of=2018, paths=None, required=None, status="likely", p=0.7) -> Outlook:
    target = REGISTRY.target(target_id)
    years = np.arange(as_of + 1, target.target_year + 1)
    fc = forecast_from(years, paths) if paths is not None else None
    req = pd.Series(required, index=range(as_of, target.target_year + 1)) if required is not None else None
    hist = pd.Series(history, dtype=float)
    return Outlook(target, REGISTRY.indicator(target), as_of, hist, fc, target.kind, req,
                   {"target": target_id, "status": status, "p_meet": p, "method": "drift"})


def pm25() -> Outlook:
    rng = np.random.default_rng(1)
    paths = 40 + np.cumsum(rng.normal(-2, 3, (400, 4)), axis=1)
    return outlook("e_pm25", {2013: 70, 2016: 49, 2017: 45, 2018: 40}, paths=paths, required=np.linspace(40, 35, 5))


def qianjiang(as_of=2018, history=None) -> Outlook:
    rng = np.random.default_rng(2)
    paths = rng.poisson(18, (400, 2022 - as_of)).astype(float)
    return outlook("c_qianjiang_cup", history or {2015: 15, 2016: 18, 2017: 20, 2018: 17}, as_of=as_of, paths=paths,
                   status="about as likely as not", p=0.5)


def growth() -> Outlook:
    rng = np.random.default_rng(3)
    return outlook("ind_trad_mfg_va_growth", {2016: 3.2, 2017: 6.0, 2018: 4.4}, paths=rng.normal(4.5, 2, (400, 4)),
                   required=[4.4, 4.0, 4.0, 4.0, 4.0], status="unlikely", p=0.3)


def no_data() -> Outlook:
    return outlook("ind_new_product_rate", {}, status="insufficient data", p=float("nan"))


def assessment() -> pd.DataFrame:
    rows = [("e_pm25", 0.72, "likely"), ("c_qianjiang_cup", 0.5, "about as likely as not"),
            ("ind_trad_mfg_va_growth", 0.3, "unlikely"), ("q_agri_product_pass_rate", 0.95, "very likely"),
            ("c_prefab_share", 0.05, "very unlikely"), ("ind_new_product_rate", float("nan"), "insufficient data")]
    return pd.DataFrame([{"target": t, "as_of": 2018, "p_meet": p, "status": s} for t, p, s in rows])


def all_charts(lang):
    vintage = pd.DataFrame([{"target": t, "as_of": y, "p_meet": p} for t, p in [("e_pm25", 0.6), ("c_prefab_share", 0.1)]
                            for y, p in [(2018, p), (2019, min(1.0, p + 0.2))]])
    coverage = pd.DataFrame({"target": ["e_pm25", "c_prefab_share", "c_luban_awards"], "years": ["2013, 2018-2021", "2017", None]})
    return {
        "fan_level": fanchart.fan_chart(pm25(), lang, sources=["杭州市生态环境局 [S01]"]),
        "fan_cumulative": fanchart.fan_chart(qianjiang(), lang),
        "fan_growth": fanchart.fan_chart(growth(), lang),
        "fan_no_data": fanchart.fan_chart(no_data(), lang),
        "scorecard": overview.scorecard_chart(assessment(), REGISTRY, lang),
        "coverage": overview.coverage_chart(coverage, lang, REGISTRY),
        "vintage": overview.vintage_heatmap(vintage, REGISTRY, lang),
        "reliability": overview.reliability_chart([0.9, 0.2, 0.6, 0.3], [1, 0, 0, 1], lang),
    }


def by_gid(fig, gid):
    ax = fig.axes[0]
    found = [a for a in [*ax.lines, *ax.collections, *ax.texts] if a.get_gid() == gid]
    assert found, f"no artist with gid {gid}"
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_with_zero_warnings(lang):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts = all_charts(lang)
        for fig in charts.values():
            fig.savefig(io.BytesIO(), format="png")  # drawn outside the style context, as a notebook would
            fig.savefig(io.BytesIO(), format="svg")
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "Glyph" in m or "missing from font" in m]
    assert messages == []


def test_chinese_text_resolves_to_noto_sans_sc():
    fig = fanchart.fan_chart(pm25(), "zh")
    title = next(t for t in fig.texts if t.get_gid() == "title")
    assert title.get_text() == "城市空气质量细颗粒物(PM2.5)平均浓度"
    assert title.get_fontproperties().get_family()[0] == "Noto Sans SC"
    path = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert Path(path).name == "NotoSansSC-Regular.otf"


def test_setup_fonts_is_idempotent_and_import_changes_nothing():
    style.setup_fonts()
    style.setup_fonts()
    assert sum(f.name == "Noto Sans SC" for f in font_manager.fontManager.ttflist) == 1
    before = matplotlib.rcParams["font.family"]
    fanchart.fan_chart(pm25(), "zh")
    assert matplotlib.rcParams["font.family"] == before
    code = ("import matplotlib as m; from matplotlib import font_manager as fm; b = dict(m.rcParams); "
            "import qanalysis.report.style, qanalysis.report.overview; assert dict(m.rcParams) == b; "
            "assert 'Noto Sans SC' not in {f.name for f in fm.fontManager.ttflist}")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fan_chart_draws_the_outlooks_numbers():
    ol = pm25()
    fig = fanchart.fan_chart(ol, "zh")
    (hist,) = by_gid(fig, "history")
    x, y = hist.get_data()
    drawn = pd.Series(y, index=x.astype(int)).dropna()
    pd.testing.assert_series_equal(drawn, ol.history.astype(float), check_names=False, check_index_type=False)
    assert np.isnan(y[list(x).index(2014)])  # no line drawn through the unpublished years
    (central,) = by_gid(fig, "forecast")
    np.testing.assert_allclose(central.get_xdata(), ol.forecast.years)
    np.testing.assert_allclose(central.get_ydata(), ol.forecast.mean)
    for gid, lo, hi in [("band80", ol.forecast.lo80, ol.forecast.hi80), ("band95", ol.forecast.lo95, ol.forecast.hi95)]:
        (band,) = by_gid(fig, gid)
        vertices = band.get_paths()[0].vertices
        for year, a, b in zip(ol.forecast.years, lo, hi):
            at = vertices[np.isclose(vertices[:, 0], year), 1]
            assert at.min() == pytest.approx(a) and at.max() == pytest.approx(b)
    (target,) = by_gid(fig, "target")
    assert set(target.get_ydata()) == {35.0}
    assert min(target.get_xdata()) < 2022 < max(target.get_xdata())
    assert target.get_label() == "目标 ≤ 35 微克/立方米"
    (required,) = by_gid(fig, "required")
    np.testing.assert_allclose(required.get_ydata(), ol.required_path.to_numpy())
    (as_of,) = by_gid(fig, "as_of")
    assert set(as_of.get_xdata()) == {2018}
    subtitle = next(t for t in fig.texts if t.get_gid() == "subtitle").get_text()
    assert subtitle == "可能达成 · P(达成) = 70% · 方法: 漂移法"
    ol.row.update(status="insufficient data", p_meet=float("nan"), reason="Only one value (40 μg/m³ in 2018).")
    fig = fanchart.fan_chart(ol, "zh")
    subtitle = next(t for t in fig.texts if t.get_gid() == "subtitle").get_text()
    assert subtitle == "数据不足 · Only one value (40 μg/m³ in 2018)."
    source = next(t for t in fig.texts if t.get_gid() == "source").get_text()
    assert source.startswith("资料来源: ")


def test_english_labels():
    fig = fanchart.fan_chart(pm25(), "en")
    assert next(t for t in fig.texts if t.get_gid() == "title").get_text() == "Urban PM2.5 annual mean concentration"
    assert by_gid(fig, "target")[0].get_label() == "Target ≤ 35 μg/m³"
    assert next(t for t in fig.texts if t.get_gid() == "source").get_text().startswith("Source: ")


def test_cumulative_target_is_drawn_as_running_sum_with_bands_from_paths():
    ol = qianjiang(as_of=2020, history={2018: 17, 2019: 20, 2020: 15})
    cum = fanchart.cumulative_fan(ol, ol.history)
    np.testing.assert_allclose(cum["years"], [2018, 2019, 2020])
    np.testing.assert_allclose(cum["values"], [0, 20, 35])  # the window starts in 2019: 2018 is not counted
    fan = cum["fan"]
    np.testing.assert_allclose(fan["years"], [2021, 2022])
    running = 35 + np.cumsum(ol.forecast.paths, axis=1)
    np.testing.assert_allclose(fan["mean"], np.median(running, axis=0))  # the median, as `projected` is
    sums = 35 + ol.forecast.paths.sum(axis=1)
    assert fan["lo80"][-1] == pytest.approx(np.quantile(sums, 0.1))
    assert fan["hi95"][-1] == pytest.approx(np.quantile(sums, 0.975))
    fig = fanchart.fan_chart(ol, "zh")
    np.testing.assert_allclose(by_gid(fig, "forecast")[0].get_ydata(), fan["mean"])
    assert by_gid(fig, "target")[0].get_label() == "目标 ≥ 70 个 (2019–2022)"


def test_cumulative_with_a_missing_window_year_draws_no_running_sum():
    ol = qianjiang(as_of=2021, history={2019: 20, 2021: 15})
    assert fanchart.cumulative_fan(ol, ol.history) is None


def test_target_without_data_names_the_bureau_table():
    fig = fanchart.fan_chart(no_data(), "zh")
    ax = fig.axes[0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert texts["no_data"] == "暂无公开数据"
    assert "新产品产值/工业总产值" in texts["bureau_table"].replace("\n", "")
    assert not ax.axison


def test_scorecard_dots_sit_at_p_meet_in_status_colours():
    table = assessment()
    fig = overview.scorecard_chart(table, REGISTRY, "zh")
    for row in table.itertuples():
        if row.status == "insufficient data":
            assert by_gid(fig, f"nodata:{row.target}")[0].get_text() == "数据不足"
            continue
        (dot,) = by_gid(fig, f"dot:{row.target}")
        assert dot.get_xdata()[0] == pytest.approx(row.p_meet)
        assert matplotlib.colors.to_hex(dot.get_color()) == style.STATUS_COLOURS[row.status]


def test_vintage_heatmap_prints_p_meet():
    vintage = pd.DataFrame({"target": ["e_pm25", "e_pm25", "c_prefab_share", "c_prefab_share"],
                            "as_of": [2018, 2019, 2018, 2019], "p_meet": [0.61, 0.83, 0.07, np.nan]})
    fig = overview.vintage_heatmap(vintage, REGISTRY, "en")
    cells = [t.get_text() for t in by_gid(fig, "cell")]
    assert cells == ["7%", "—", "61%", "83%"] or cells == ["61%", "83%", "7%", "—"]


def test_vintage_heatmap_widens_with_many_vintages_instead_of_overprinting():
    years = range(2000, 2015)  # 15 vintages, as for a 2000 launch and 2015 targets
    vintage = pd.DataFrame({"target": "e_pm25", "as_of": list(years), "p_meet": 0.995})
    fig = overview.vintage_heatmap(vintage, REGISTRY, "en")
    width = fig.get_size_inches()[0]
    ax, bar = fig.axes  # the heat map and its colour bar
    assert bar.get_gid() == "colorbar"
    assert width > 9 and ax.get_position().width * width / len(years) >= overview.HEAT_CELL  # room for ">99%"
    assert ax.get_position().x0 * width == pytest.approx(overview.labels_inches(False))  # labels keep their width
    few = pd.DataFrame({"target": "e_pm25", "as_of": [2018, 2019], "p_meet": 0.5})
    assert overview.vintage_heatmap(few, REGISTRY, "en").get_size_inches()[0] == 9  # up to 6 vintages: as portrait


def test_reliability_chart_reports_brier_and_bins():
    fig = overview.reliability_chart([0.9, 0.2, 0.6, 0.3, 0.05], [1, 0, 0, 1, 0], "en")
    title = next(t for t in fig.texts if t.get_gid() == "title").get_text()
    assert "Brier = 0.180" in title and "n = 5" in title
    (curve,) = by_gid(fig, "calibration")
    np.testing.assert_allclose(curve.get_xdata(), [0.05, 0.25, 0.6, 0.9])
    np.testing.assert_allclose(curve.get_ydata(), [0, 0.5, 0, 1])
    with pytest.raises(ValueError):
        overview.reliability_chart([0.5], [1, 0])


def test_save_is_byte_identical_on_rerun(tmp_path):
    first = style.save(fanchart.fan_chart(pm25(), "zh"), tmp_path / "a" / "e_pm25")
    second = style.save(fanchart.fan_chart(pm25(), "zh"), tmp_path / "b" / "e_pm25")
    assert [p.name for p in first] == ["e_pm25.png", "e_pm25.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    png, svg = first[0].read_bytes(), first[1].read_text(encoding="utf-8")
    assert b"Software" not in png and b"Matplotlib" not in png
    assert "<dc:date>" not in svg
    from PIL import Image

    assert Image.open(first[0]).size == (1200, 675)  # 8 x 4.5 in at 150 dpi


def test_source_line_wraps_to_two_lines_at_most():
    line = labels.source_line([f"某某统计局发布的第{i}号统计公报 [S{i:02d}]" for i in range(20)], "zh")
    assert line.startswith("资料来源: ") and line.count("\n") == 1 and line.endswith("…")
    assert labels.source_line(None, "en") == "Source: not given"
    with pytest.raises(InputError, match="fr"):
        labels.t("fr", "source")


def test_coverage_chart_reads_the_processed_years_text():
    coverage = pd.DataFrame({"target": ["e_pm25", "c_prefab_share", "c_luban_awards"],
                             "years": ["2013, 2018-2020", "2017", None]})
    assert overview.coverage_years(coverage) == {"e_pm25": {2013, 2018, 2019, 2020}, "c_prefab_share": {2017},
                                              "c_luban_awards": set()}
    fig = overview.coverage_chart(coverage, "zh", REGISTRY, as_of=2018)
    assert list(by_gid(fig, "have:e_pm25")[0].get_xdata()) == [2013, 2018, 2019, 2020]
    assert len(by_gid(fig, "have:ind_new_product_rate")[0].get_xdata()) == 0  # every target has a row
    assert next(t for t in fig.texts if t.get_gid() == "subtitle").get_text() == \
        "2/31 个目标截至 2018 年有公开数值 · 灰色: 尚无数值, 不单独作图"
    fig = overview.coverage_chart(coverage, "en", REGISTRY, as_of=2016)
    assert next(t for t in fig.texts if t.get_gid() == "subtitle").get_text() == \
        "1/31 targets with a published value by 2016 (2/31 by now) · greyed: no value yet, no chart of its own"
    bands = {a.get_gid() for a in fig.axes[0].patches}
    assert {"gap:c_luban_awards", "gap:c_prefab_share"} <= bands and "gap:e_pm25" not in bands
    greyed = {t.get_text(): matplotlib.colors.to_hex(t.get_color()) for t in fig.axes[0].get_yticklabels()}
    assert greyed["Urban PM2.5 annual mean concentration"] == style.INK  # a value by 2016: drawn in ink
    assert greyed["Prefabricated share of new construction floor area"] == overview.GAP_INK  # first value in 2017
    assert len([c for c in greyed.values() if c == overview.GAP_INK]) == 30


def test_growth_target_shows_the_rate_the_rest_of_the_window_needs():
    ol = outlook("ind_trad_mfg_va_growth", {2018: 5.0, 2019: 3.0, 2020: -2.0}, as_of=2020,
                 paths=np.random.default_rng(4).normal(4, 2, (400, 2)), status="unlikely", p=0.2)
    need = required_growth(ol)
    expected = 100 * ((1.04 ** 4 / (1.03 * 0.98)) ** 0.5 - 1)  # 2021-2022 must make up for 2019-2020
    assert list(need.index) == [2021, 2022] and need.iloc[0] == pytest.approx(expected) and expected > 6.5
    fig = fanchart.fan_chart(ol, "en")
    np.testing.assert_allclose(by_gid(fig, "required")[0].get_ydata(), [expected, expected])
    (target,) = by_gid(fig, "target")
    assert min(target.get_xdata()) < 2019 and set(target.get_ydata()) == {4.0}
    assert target.get_label() == "Target ≥ 4% (2019–2022 average)"
    assert required_growth(growth()) is None  # as of 2018 nothing of the window is known yet


def test_vintage_heatmap_reads_the_engines_wide_matrix_with_status_words():
    matrix = pd.DataFrame({2020: [0.62, 1.0], 2021: [0.95, 1.0]}, index=pd.Index(["e_pm25", "c_prefab_share"],
                          name="target")).rename_axis(columns="as_of")
    matrix.attrs["status"] = pd.DataFrame({2020: ["about as likely as not", "met"], 2021: ["very likely", "met"]},
                                          index=matrix.index)
    fig = overview.vintage_heatmap(matrix, REGISTRY, "zh")
    assert [t.get_text() for t in by_gid(fig, "cell")] == ["已达成", "已达成", "62%", "95%"]  # registry order


def test_no_required_path_when_the_latest_value_already_meets_a_level_target():
    ol = pm25()
    ol.history = pd.Series({2019: 38.0, 2020: 30.0, 2021: 28.0})
    ol.required_path = pd.Series(np.linspace(28, 35, 2), index=[2021, 2022])  # the engine's line to the target
    fig = fanchart.fan_chart(ol, "zh")
    assert not [a for a in fig.axes[0].lines if a.get_gid() == "required"]


def test_charts_show_themselves_in_jupyter_without_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = fanchart.fan_chart(pm25(), "zh")
    assert plt.get_fignums() == before  # never in pyplot's global list: no leaks, no double display
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert png == fanchart.fan_chart(pm25(), "zh")._repr_png_()


def test_met_target_subtitle_gives_the_published_evidence_not_a_probability():
    ol = outlook("c_qianjiang_cup", {2019: 20, 2020: 18, 2021: 19, 2022: 16}, as_of=2023, status="met", p=1.0)
    ol.row["reason"] = "73 added in 2019-2022, meeting the target of ≥ 70."
    fig = fanchart.fan_chart(ol, "zh")
    subtitle = next(t for t in fig.texts if t.get_gid() == "subtitle").get_text()
    assert subtitle == "已达成 · 73 added in 2019-2022, meeting the target of ≥ 70."
    np.testing.assert_allclose(by_gid(fig, "history")[0].get_ydata(), [0, 20, 38, 57, 73])


@pytest.mark.parametrize("lang, years, title", [
    ("zh", [2022], "2022年目标达成可能性"), ("en", [2022, 2022], "Will the 2022 targets be met?"),
    ("zh", [2025, 2022], "2022、2025年目标达成可能性"), ("en", [2025, 2022], "Will the 2022 and 2025 targets be met?"),
    ("en", [2020, 2025, 2022], "Will the 2020, 2022 and 2025 targets be met?"),
])
def test_scorecard_title_names_the_target_years_it_is_given(lang, years, title):
    assert labels.scorecard_title(years, lang) == title


def test_scorecard_and_coverage_charts_take_their_years_from_the_registry():
    fig = overview.scorecard_chart(assessment(), REGISTRY, "en")
    assert next(t for t in fig.texts if t.get_gid() == "title").get_text() == \
        "Will the 2022 targets be met? (as of 2018)"
    coverage = pd.DataFrame({"target": ["e_pm25"], "years": ["2018-2020"]})
    fig = overview.coverage_chart(coverage, "zh", REGISTRY)
    assert list(by_gid(fig, "empty:e_pm25")[0].get_xdata()) == list(REGISTRY.data_years) == list(range(2013, 2025))
    bare = Registry(targets=REGISTRY.targets, indicators=REGISTRY.indicators)  # no `registry:` block: no years to add
    fig = overview.coverage_chart(coverage, "zh", bare)
    assert list(by_gid(fig, "empty:e_pm25")[0].get_xdata()) == [2018, 2019, 2020]


def test_as_of_label_stays_on_the_chart_near_its_right_edge():
    """A long history (1990-2014) puts the as-of line near the right edge: the label moves to its left."""
    from qanalysis import settings
    from qanalysis.assessment.assess import outlook_for
    registry = load_registry(settings.ROOT / "examples" / "mdg" / "registry.yaml")
    data = pd.DataFrame({"indicator": "u5mr_bgd", "year": range(1990, 2015), "value": np.linspace(144, 40, 25),
                         "unit": "‰", "source": "S01"})
    labels = {}
    for as_of in (2000, 2014):
        fig = fanchart.fan_chart(outlook_for(registry, data, "mdg4a_bgd", as_of), "en", units=registry.units)
        (label,) = by_gid(fig, "as_of_label")
        labels[as_of] = label.get_ha(), label.get_va()
        assert off_the_figure(fig) == []
    assert labels == {2000: ("left", "bottom"), 2014: ("right", "bottom")}  # over the axes: no legend covers it
    near = outlook_for(registry, data[data["year"] >= 1998], "mdg4a_bgd", 1999)  # the line near the unit's words
    (label,) = by_gid(fanchart.fan_chart(near, "en", units=registry.units), "as_of_label")
    assert label.get_va() == "top"  # inside the axes, clear of "per 1,000 live births"


# --- slide-ready charts: sizes, room, words ------------------------------------------------------------------------

MDG = load_registry(Path(__file__).parents[1] / "examples" / "mdg" / "registry.yaml")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def every_text(fig) -> list:
    """Every visible, non-empty text artist of a drawn figure: titles, tick labels, legends, annotations."""
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def extents(fig):
    """The figure drawn by Agg, and its renderer: window extents are measured on what is drawn."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    return renderer


def off_the_figure(fig) -> list[str]:
    """The texts whose drawn extent leaves the figure (1 px of anti-aliasing allowed); tick labels count only when
    their tick is inside the view, as matplotlib draws only those."""
    renderer = extents(fig)
    box, out = fig.bbox, []
    for ax in fig.axes:
        drawn = ax.get_tightbbox(renderer)
        if drawn.x0 < box.x0 - 1 or drawn.x1 > box.x1 + 1 or drawn.y0 < box.y0 - 1 or drawn.y1 > box.y1 + 1:
            out.append(f"axes {ax.get_gid() or ax} spans {drawn.extents}")
    for text in [*fig.texts, *[t for leg in fig.legends for t in leg.get_texts()]]:
        e = text.get_window_extent(renderer)
        if e.x0 < box.x0 - 1 or e.x1 > box.x1 + 1 or e.y0 < box.y0 - 1 or e.y1 > box.y1 + 1:
            out.append(text.get_text())
    return out


def full_assessment() -> pd.DataFrame:
    """Every Hangzhou target, statuses cycling through all eight words."""
    ps = {"very likely": 0.95, "likely": 0.7, "about as likely as not": 0.5, "unlikely": 0.2, "very unlikely": 0.04,
          "met": 1.0, "missed": 0.0, "insufficient data": np.nan}
    words = list(ps)
    return pd.DataFrame([{"target": tg.id, "as_of": 2021, "p_meet": ps[words[i % 8]], "status": words[i % 8]}
                         for i, tg in enumerate(REGISTRY.targets)])


def full_coverage(registry=REGISTRY) -> pd.DataFrame:
    return pd.DataFrame({"target": [tg.id for tg in registry.targets],
                         "years": ["2018-2021" if i % 3 else None for i in range(len(registry.targets))]})


def full_vintage(registry=REGISTRY, years=(2018, 2019, 2020, 2021)) -> pd.DataFrame:
    return pd.DataFrame([{"target": tg.id, "as_of": y, "p_meet": (i % 10) / 10}
                         for i, tg in enumerate(registry.targets) for y in years])


def overviews(lang, slide, registry=REGISTRY, assessment_=None):
    table = assessment_ if assessment_ is not None else full_assessment()
    return {"scorecard": overview.scorecard_chart(table, registry, lang, slide=slide),
            "vintage": overview.vintage_heatmap(full_vintage(registry), registry, lang, slide=slide),
            "coverage": overview.coverage_chart(full_coverage(registry), lang, registry, as_of=2021, slide=slide)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_charts_have_16_by_9_variants(lang):
    for registry, table in ((REGISTRY, None), (MDG, mdg_assessment())):  # 31 targets a row each, 190 per section
        for name_, fig in overviews(lang, True, registry, table).items():
            w, h = fig.get_size_inches()
            assert w / h == pytest.approx(16 / 9, rel=0.01), name_
            assert {t.get_gid() for t in fig.texts} >= {"title", "subtitle", "source"}
    portrait = overviews(lang, False)["scorecard"].get_size_inches()
    assert portrait[1] > portrait[0]  # the page version stays as tall as its rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_text_runs_off_any_chart(lang):
    charts = {**all_charts(lang), **{f"{k}-16x9": v for k, v in overviews(lang, True).items()},
              **{f"{k}-page": v for k, v in overviews(lang, False).items()},
              **{f"{k}-mdg": v for k, v in overviews(lang, True, MDG, mdg_assessment()).items()}}
    for name_, fig in charts.items():
        assert off_the_figure(fig) == [], name_


def test_rows_of_wrapped_names_never_overlap():
    for slide in (False, True):
        fig = overview.scorecard_chart(full_assessment(), REGISTRY, "en", slide=slide)
        renderer = extents(fig)
        for ax in fig.axes:
            rows = [t for t in ax.get_yticklabels() if t.get_text()] + \
                [t for t in ax.texts if t.get_gid() == "section"]
            boxes = sorted((t.get_window_extent(renderer) for t in rows), key=lambda b: b.y0)
            assert len(boxes) > 10
            for low, high in zip(boxes, boxes[1:]):
                assert low.y1 <= high.y0 + 0.5, (low, high)
        names = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]
        assert "Above-scale traditional manufacturing\nvalue added, average annual growth" in names or \
            "Above-scale traditional manufacturing value added,\naverage annual growth" in names
        assert not [n for n in names if "…" in n]  # every name of this registry fits in two lines


def test_slide_scorecard_puts_31_targets_in_two_columns_of_sections():
    fig = overview.scorecard_chart(full_assessment(), REGISTRY, "en", slide=True)
    first, second = fig.axes
    headings = [t.get_text() for t in second.texts if t.get_gid() == "section"]
    assert headings[0].endswith("(cont.)")  # a section split across the columns is named again
    shown = sum(len([t for t in ax.get_yticklabels() if t.get_text()]) for ax in fig.axes)
    assert shown == len(REGISTRY.targets)
    size = {t.get_fontsize() for ax in fig.axes for t in ax.get_yticklabels()}
    assert min(size) >= 9  # legible on a slide


def test_names_wrap_at_word_boundaries_and_are_cut_only_beyond_two_lines():
    assert wrap("Above-scale traditional manufacturing value added, average annual growth", 40) == \
        "Above-scale traditional manufacturing\nvalue added, average annual growth"
    assert wrap("Short name", 40) == "Short name"
    cut = wrap("one two three four five six seven eight nine ten eleven twelve", 20)
    assert cut == "one two three four\nfive six seven…"  # whole words, then the ellipsis
    assert wrap("信息化和工业化融合发展水平总指数全省位次", 20) == "信息化和工业化融合发\n展水平总指数全省位次"


def test_fan_chart_legend_has_a_white_translucent_frame():
    fig = fanchart.fan_chart(pm25(), "zh")
    legend = fig.axes[0].get_legend()
    assert legend.get_frame_on()
    frame = legend.get_frame()
    assert matplotlib.colors.to_hex(frame.get_facecolor(), keep_alpha=False) == "#ffffff"
    assert 0.7 < frame.get_alpha() < 1


def test_vintage_heatmap_has_a_colour_bar_ticked_at_the_status_edges():
    fig = overview.vintage_heatmap(full_vintage(), REGISTRY, "zh")
    (bar,) = [ax for ax in fig.axes if ax.get_gid() == "colorbar"]
    np.testing.assert_allclose(bar.get_yticks(), [0, 0.10, 0.33, 0.66, 0.90, 1.0])
    assert [t.get_text() for t in bar.get_yticklabels()] == ["0%", "10%", "33%", "66%", "90%", "100%"]
    assert bar.get_title(loc="left") == "P(达成)"


def test_reliability_chart_labels_every_dot_with_its_count():
    fig = overview.reliability_chart([0.95, 0.92, 0.2, 0.6, 0.3, 0.05], [1, 1, 0, 0, 1, 0], "en")
    counts = [t for t in fig.axes[0].texts if t.get_gid() == "n"]
    assert [t.get_text() for t in counts] == ["n = 1", "n = 2", "n = 1", "n = 2"]  # low to high bins
    assert all(t.get_bbox_patch() is not None for t in counts)  # on a white box, over any line
    assert off_the_figure(fig) == []


@pytest.mark.parametrize("p, zh, en", [(0.999, "P(达成) > 99%", "P(meet) > 99%"), (0.001, "P(达成) < 1%", "P(meet) < 1%"),
                                       (0.45, "P(达成) = 45%", "P(meet) = 45%")])
def test_probabilities_read_as_comparisons_near_certainty(p, zh, en):
    assert (labels.p_text(p, "zh"), labels.p_text(p, "en")) == (zh, en)
    ol = pm25()
    ol.row["p_meet"] = p
    subtitle = next(t for t in fanchart.fan_chart(ol, "en").texts if t.get_gid() == "subtitle").get_text()
    assert en in subtitle and "= >" not in subtitle and "= <" not in subtitle


def test_coverage_as_of_label_stays_inside_the_axes_at_the_last_year():
    coverage = pd.DataFrame({"target": ["e_pm25"], "years": ["2018-2024"]})
    for slide in (False, True):
        fig = overview.coverage_chart(coverage, "zh", REGISTRY, as_of=2024, slide=slide)
        renderer = extents(fig)
        for ax in fig.axes:
            (label,) = [t for t in ax.texts if t.get_gid() == "as_of_label"]
            assert label.get_text().strip() == "截至 2024" and label.get_ha() == "right"
            assert label.get_window_extent(renderer).x1 <= ax.get_window_extent(renderer).x1


def test_required_path_stays_visible_where_the_forecast_runs_along_it():
    ol = pm25()
    ol.required_path = pd.Series(np.r_[40.0, ol.forecast.mean], index=range(2018, 2023))  # exactly on the forecast
    fig = fanchart.fan_chart(ol, "en")
    (required,), (central,) = by_gid(fig, "required"), by_gid(fig, "forecast")
    np.testing.assert_allclose(required.get_ydata()[1:], central.get_ydata())
    assert required.get_zorder() > central.get_zorder()  # drawn over the forecast...
    assert required.get_path_effects() and required.get_linestyle() == "--"  # ...dashed, in a white casing
    legend = fig.axes[0].get_legend()
    entries = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles))
    assert entries["Path needed to meet it"].get_linestyle() == "--"  # the legend shows the line as drawn


def test_chinese_charts_name_the_method_in_chinese():
    from qanalysis.assessment.assess import outlook_for
    from qanalysis.forecast import engine

    assert set(engine.candidate_names()) | {"linear drift"} <= set(labels.MODEL_ZH)  # linear drift: engine._point
    data = pd.DataFrame({"indicator": "e_pm25", "year": range(2010, 2022), "value": np.linspace(70, 30, 12) + [
        0, 1, -1, 2, 0, -2, 1, 0, 1, -1, 0, 0], "unit": "微克/立方米", "source": "S01"})
    seen = set()
    for model in [None, *engine.candidate_names()]:
        for rows in (data, data.tail(3)):  # 3 points: theta and arima give way to a fallback
            method = outlook_for(REGISTRY, rows, "e_pm25", 2021, model=model).row["method"]
            zh = labels.method_text(method, "zh")
            assert not re.search(r"(?<![A-Za-z])[a-z]{3,}", zh.replace("logit", "")), (method, zh)  # no English word
            assert re.search(r"\d+ 个数据点$", zh)
            seen.add(method.split(" on ")[0])
    assert any("fallback" in m for m in seen) and any(m.startswith("combination(") for m in seen)
    assert labels.method_text("combination(drift, trend, damped) on log, 4 points; t interval", "zh") == \
        "组合(漂移法、线性趋势、阻尼趋势), 对数尺度, 4 个数据点"
    assert labels.method_text("combination(drift, trend, damped) on log, 4 points; t", "en") == \
        "combination(drift, trend, damped) on log, 4 points"
    assert labels.method_text("prophet on log, 9 points", "zh") == "prophet, 对数尺度, 9 个数据点"  # unknown: as is
    assert labels.method_text("combination(theta, damped, arima) on values (bands on log), 8 points; t", "zh") == \
        "组合(Theta 法、阻尼趋势、ARIMA), 按原值拟合 (区间在对数尺度), 8 个数据点"
    assert labels.method_text("a form never written", "zh") == "a form never written"


def test_english_charts_use_english_sections_and_the_registrys_units():
    fig = overview.scorecard_chart(full_assessment(), REGISTRY, "en")
    headings = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "section"]
    assert headings == list(dict.fromkeys(tg.section_en for tg in REGISTRY.targets))
    assert labels.unit_label("‰", "en", MDG.units) == "per 1,000 live births"
    assert labels.unit_label("‰", "zh", MDG.units) == "‰"
    from qanalysis.assessment.assess import outlook_for
    data = pd.DataFrame({"indicator": "u5mr_bgd", "year": range(1990, 2001), "value": np.linspace(144, 90, 11),
                         "unit": "‰", "source": "S01"})
    fig = fanchart.fan_chart(outlook_for(MDG, data, "mdg4a_bgd", 2000), "en", units=MDG.units)
    assert fig.axes[0].get_title(loc="left") == "per 1,000 live births"
    assert by_gid(fig, "target")[0].get_label().endswith("per 1,000 live births")
    assert not [t.get_text() for t in every_text(fig) if CJK.search(t.get_text())]


def proxies_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"target": "ind_new_product_rate", "proxy": "x_share", "p_meet": 0.97, "status": "very likely"},
        {"target": "ind_new_product_rate", "proxy": "y_share", "p_meet": 0.2, "status": "unlikely"},
        {"target": "e_pm25", "proxy": "e_pm25_zj", "p_meet": 0.99, "status": "very likely"},  # has its own dot
        {"target": "ind_new_product_rate", "proxy": "z_none", "p_meet": np.nan, "status": "insufficient data"}])


def test_scorecard_shows_proxy_verdicts_beside_targets_without_their_own():
    fig = overview.scorecard_chart(assessment(), REGISTRY, "en", proxies=proxies_frame())
    ax = fig.axes[0]
    markers = {a.get_gid(): a for a in ax.lines if str(a.get_gid()).startswith("proxy:")}
    assert set(markers) == {"proxy:ind_new_product_rate:x_share", "proxy:ind_new_product_rate:y_share"}
    x = markers["proxy:ind_new_product_rate:x_share"]
    assert x.get_xdata()[0] == pytest.approx(0.97) and x.get_marker() == "D" and x.get_markerfacecolor() == "white"
    assert matplotlib.colors.to_hex(x.get_markeredgecolor()) == style.STATUS_COLOURS["very likely"]
    assert not by_gid(fig, "dot:e_pm25")[0].get_xdata()[0] == 0.99  # the target's own dot stays its own
    assert by_gid(fig, "nodata:ind_new_product_rate")[0].get_text() == "insufficient data"  # still no verdict
    assert by_gid(fig, "proxy_label:ind_new_product_rate")[0].get_text() == "proxy 20% / 97%"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P(meet) of a proxy indicator"]
    assert not [a for a in ax.lines if str(a.get_gid()).startswith("dot:ind_new_product_rate")]
    plain = overview.scorecard_chart(assessment(), REGISTRY, "en")
    assert plain.axes[0].get_legend() is None and not [a for a in plain.axes[0].lines
                                                       if str(a.get_gid()).startswith("proxy:")]


def mdg_assessment() -> pd.DataFrame:
    words = ["very likely", "likely", "unlikely", "very unlikely", "insufficient data"]
    ps = [0.95, 0.7, 0.2, 0.03, np.nan]
    return pd.DataFrame([{"target": tg.id, "as_of": 2000, "p_meet": ps[i % 5], "status": words[i % 5]}
                         for i, tg in enumerate(MDG.targets)])


def test_a_registry_above_the_row_limit_gets_one_row_per_section():
    assert len(MDG.targets) > overview.ROW_LIMIT >= len(REGISTRY.targets)
    table = mdg_assessment()
    sections = list(dict.fromkeys(tg.section_en for tg in MDG.targets))
    for slide in (False, True):
        fig = overview.scorecard_chart(table, MDG, "en", slide=slide)
        ax = fig.axes[0]
        assert not [a for a in ax.lines if str(a.get_gid()).startswith("dot:")]
        for heading in sections:
            ids = [tg.id for tg in MDG.targets if tg.section_en == heading]
            bars = [p for p in ax.patches if str(p.get_gid()).startswith(f"count:{heading}:")]
            expected = table.set_index("target").loc[ids, "status"].value_counts()
            assert {p.get_gid().rsplit(":", 1)[1]: p.get_width() for p in bars} == expected.to_dict()
        assert fig.get_size_inches()[1] < 8  # not 50 inches of rows
        vintage = overview.vintage_heatmap(full_vintage(MDG, (2000, 2001)), MDG, "en", slide=slide)
        means = [t.get_text() for t in vintage.axes[0].texts if t.get_gid() == "cell"]
        per_section = [np.mean([(i % 10) / 10 for i, tg in enumerate(MDG.targets) if tg.section_en == s])
                       for s in sections]
        assert means == [pct for m in per_section for pct in [f"{100 * m:.0f}%"] * 2]
        one = overview.vintage_heatmap(full_vintage(MDG, (2000,)), MDG, "en", slide=slide)
        assert one.axes[0].get_position().width * one.get_figwidth() <= overview.HEAT_CELL_MAX + 1e-9  # no slab
        coverage = overview.coverage_chart(full_coverage(MDG), "en", MDG, as_of=2000, slide=slide)
        assert coverage.get_size_inches()[1] < 8
        assert len(coverage.axes[0].get_yticklabels()) == len(sections)


def test_wrapped_text_too_long_is_cut_at_a_word_never_inside_one():
    text = "Data needed: Statistical yearbook table of industrial output by sector and by district, every year"
    cut = wrap(text, 30)
    assert cut.count("\n") == 1 and cut.endswith("…")
    last_words = cut.split("\n")[1].rstrip("…").split()
    assert all(word in text.split() or word.rstrip(",") in text.split() for word in last_words)
