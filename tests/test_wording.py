"""Reasons in words: exact Chinese sentences for every kind of verdict, the same numbers as the English ones, and
the Chinese reason on Chinese charts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment import assess as A
from qanalysis.assessment.wording import Why, say
from qanalysis.errors import InputError
from qanalysis.registry import Indicator, Registry, Target, load_registry
from qanalysis.report.fanchart import fan_chart
from qanalysis.text import pct, years_text

REAL = load_registry()


def ind(id_, unit, scale, flow=False) -> Indicator:
    return Indicator(id=id_, name_zh=f"{id_}指标", name_en=f"{id_} (en)", unit=unit, scale=scale, flow=flow,
                     scope="全市", proxy_for=None, bureau_table="t")


def tgt(id_, indicator, kind, op, value, unit, window_start=None, proxies=()) -> Target:
    return Target(id=id_, section="s", name_zh=id_, name_en=id_, indicator=indicator, kind=kind, op=op, value=value,
                  unit=unit, target_year=2022, window_start=window_start, clause="c", proxies=proxies)


REG = Registry(
    targets=(tgt("share", "share", "level", ">=", 60, "%"), tgt("pm25", "pm25", "level", "<=", 35, "微克/立方米"),
             tgt("growth", "growth", "avg_growth", ">=", 4, "%", window_start=2019),
             tgt("awards", "awards", "cumulative", ">=", 70, "家", window_start=2019),
             tgt("rank", "rank", "rank", "<=", 1, "位"),
             tgt("prize", "prize", "milestone", ">=", 1, "家", window_start=2019)),
    indicators={i.id: i for i in [ind("share", "%", "share"), ind("pm25", "微克/立方米", "level"),
                                  ind("growth", "%", "growth"), ind("awards", "家", "count", flow=True),
                                  ind("rank", "位", "rank"), ind("prize", "家", "count", flow=True)]})


def frame(indicator: str, values: dict) -> pd.DataFrame:
    return pd.DataFrame([(indicator, y, v, "", "S01") for y, v in values.items()],
                        columns=["indicator", "year", "value", "unit", "source"])


def test_the_briefs_example_on_the_published_pm25_series():
    data = frame("e_pm25", {2018: 40.0, 2019: 38.0, 2020: 29.8, 2021: 28.0})
    row = A.outlook_for(REAL, data, "e_pm25", 2021).row
    assert row["p_meet"] == pytest.approx(0.948, abs=0.005)
    assert row["reason_zh"] == "最新值 28 微克/立方米(2021年);年均下降约4;达到35无需进一步下降;2022年≤35的概率为95%。"
    assert row["reason"] == ("Latest 28 μg/m³ (2021); falling about 4 a year; 35 μg/m³ needs no further fall; "
                             "95% chance of ≤ 35 μg/m³ in 2022.")


@pytest.mark.parametrize("target,as_of,values,zh", [
    ("share", 2021, {}, "无公开数据(截至2021年)。"),
    ("share", 2021, {2018: 50.0}, "仅有1个数据点(2018年为50%);判断趋势至少需要2个。"),
    ("share", 2021, {2013: 50.0, 2015: 52.0}, "最新值为2015年数据，距2021年已超过5年，过旧，无法外推。"),
    ("pm25", 2024, {2021: 28.0, 2024: 30.0}, "2022年数值未公布;不用之后年份的数值填补。"),
    ("pm25", 2024, {2021: 28.0, 2022: 36.0}, "2022年数值36 微克/立方米，未达到目标≤35。"),
    ("growth", 2022, {2019: 5.0, 2020: 3.0, 2021: 4.0, 2022: 4.5}, "2019-2022年年均增长4.12%，已达到目标≥4%。"),
    ("growth", 2021, {2018: 5.0, 2019: 5.0, 2021: 5.0}, "2020年增速未公布，位于2019-2022年窗口内;缺口不作填补。"),
    ("growth", 2023, {2019: 5.0, 2021: 5.0}, "2020、2022年增速未公布，2019-2022年窗口不完整。"),
    ("awards", 2021, {2019: 50.0, 2021: 25.0}, "2019、2021年已累计新增75，已达到目标≥70家。"),
    ("awards", 2021, {2018: 17.0, 2019: 20.0, 2021: 15.0},
     "2020年年度新增数未公布，位于2019-2022年窗口内;缺口不作填补(目前已计35)。"),
    ("rank", 2021, {2019: 2.0, 2021: 1.0}, "2022年排名未公布;最新排名为第1位(2021年);排名不作预测。"),
    ("rank", 2022, {2022: 2.0}, "2022年排名第2位，未达到目标≤1位。"),
    ("prize", 2020, {2019: 0.0, 2020: 1.0}, "已于2020年实现(1);里程碑一经实现即保持达成。"),
    ("prize", 2020, {2019: 0.0, 2020: 0.0}, "截至2020年尚未实现;里程碑不作预测。"),
    ("prize", 2022, {2019: 0.0, 2020: 0.0, 2021: 0.0, 2022: 0.0}, "截至2022年未实现。"),
])
def test_chinese_reason_for_every_kind_of_verdict(target, as_of, values, zh):
    assert A.outlook_for(REG, frame(target, values), target, as_of).row["reason_zh"] == zh


def test_chinese_reasons_of_projections_give_the_probability():
    row = A.outlook_for(REG, frame("share", {2016: 40.0, 2018: 45.0, 2020: 50.0}), "share", 2020).row
    p = round(100 * row["p_meet"])
    assert row["reason_zh"] == (f"最新值 50%(2020年);年均上升约2.5个百分点;达到60%需年均上升约5个百分点;"
                                f"2022年≥60%的概率为{p}%。")
    row = A.outlook_for(REG, frame("growth", {2016: 6.0, 2017: 6.0, 2018: 6.0}), "growth", 2018).row
    assert row["reason_zh"] == (f"最新增速6%(2018年);2019-2022年尚无公布值;预计2019-2022年年均增长"
                                f"{row['projected']:.3g}%;年均≥4%的概率为{round(100 * row['p_meet'])}%。")
    history = {2016: 15.0, 2017: 16.0, 2018: 17.0, 2019: 20.0, 2020: 18.0}
    row = A.outlook_for(REG, frame("awards", history), "awards", 2020).row
    assert row["reason_zh"] == (f"最新一年新增18(2020年);2019-2020年已累计38;预计2019-2022年合计约"
                                f"{row['projected']:.3g};合计≥70家的概率为{round(100 * row['p_meet'])}%。")


def test_probability_words_at_the_ends_and_rates_in_points():
    why = Why("level", "%", ">=", 60, dict(latest=50.0, last=2020, slope=1.0, need=1.0, met_now=False, p=0.001,
                                           mid=52.0, year=2022))
    assert say(why, "zh").endswith("年均上升约1个百分点;达到60%需年均上升约1个百分点;2022年≥60%的概率不到1%。")
    assert say(why, "en").endswith("rising about 1 point a year; 60% needs a rise of about 1 point a year; <1% "
                                   "chance of ≥ 60% in 2022.")
    sure = Why("level", "微克/立方米", "<=", 35, dict(latest=30.0, last=2021, slope=None, need=5.0, met_now=True,
                                                  p=0.999, mid=30.0, year=2022))
    assert say(sure, "zh") == "最新值 30 微克/立方米(2021年);基本持平;达到35无需进一步下降;2022年≤35的概率超过99%。"
    assert (pct(0.004), pct(0.996), pct(0.5)) == ("<1%", ">99%", "50%")
    assert years_text([2023, 2019, 2020, 2021]) == "2019-2021, 2023"
    with pytest.raises(InputError, match="language"):
        say(sure, "fr")


@pytest.mark.parametrize("facts, en, zh", [
    (dict(checks=["ratio"], said=["on track"], lower=True, because="pace", check="ratio", value=0.97),
     'The official ratio check says "on track", measured from 2018 to 2020; P(meet) is lower because the pace since '
     "2018 is 97% of the pace needed: on track by the official 95% rule, yet short of ≥ 38% if it continues.",
     "官方比值核查(2018—2020年)显示“进度达标”，P(达成)较低，因为2018年以来的速度为所需速度的97%，"
     "按官方95%的标准属“进度达标”，但照此速度仍达不到≥38%。"),
    (dict(checks=["share"], said=["on track"], lower=True, because="pace", check="share", value=0.96),
     'The official share check says "on track", measured from 2018 to 2020; P(meet) is lower because the pace since '
     "2018 would cover 96% of the change needed by 2022: on track by the official 95% rule, yet short of ≥ 38% if it "
     "continues.",
     "官方份额核查(2018—2020年)显示“进度达标”，P(达成)较低，因为按2018年以来的速度，到2022年可完成所需变化的96%，"
     "按官方95%的标准属“进度达标”，但照此速度仍达不到≥38%。"),
    (dict(checks=["ratio", "share"], said=["on track"], lower=True, because="latest", y1=2019, v1=34.0, y2=2020,
          v2=33.0, toward=False),
     'The official ratio and share checks say "on track", measured from 2018 to 2020; P(meet) is lower because the '
     "latest change, from 34% in 2019 to 33% in 2020, moved away from the target.",
     "官方比值与份额核查(2018—2020年)显示“进度达标”，P(达成)较低，因为最新变化(2019年34%→2020年33%)偏离目标。"),
    (dict(checks=["ratio"], said=["limited progress"], lower=False, because="forecast", first=2018, n=3, mid=39.2,
          meets=True, earlier=False),
     'The official ratio check says "limited progress", measured from 2018 to 2020; P(meet) is higher because its '
     "forecast from the 3 values since 2018 has a median of 39.2% in 2022, which meets the target of ≥ 38%.",
     "官方比值核查(2018—2020年)显示“进展有限”，P(达成)较高，因为其预测基于2018年以来的3个数值，2022年中位数为39.2%，"
     "达到目标≥38%。"),
])
def test_the_cross_check_sentence_in_both_languages(facts, en, zh):
    why = Why("crosscheck", "%", ">=", 38, dict(start=2018, end=2020, year=2022, **facts))
    assert (say(why, "en"), say(why, "zh")) == (en, zh)


def test_proxy_reasons_are_labelled_in_both_languages():
    data = pd.concat([frame("e_pm25", {2020: 30.0}),
                      frame("e_pm25_zj", {2018: 34.0, 2019: 31.0, 2020: 25.0, 2021: 24.0})])
    row = A.outlook_for(REAL, data, "e_pm25", 2021, indicator="e_pm25_zj").row
    name = REAL.indicators["e_pm25_zj"]
    assert row["reason"].startswith(f"Proxy ({name.name_en}): Latest 24 μg/m³ (2021)")
    assert row["reason_zh"].startswith(f"代理指标({name.name_zh}):最新值 24 微克/立方米(2021年)")


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text))


def test_every_number_of_the_english_reason_is_in_the_chinese_one():
    """On the real registry (31 targets, proxies) with a full synthetic frame, at several vintages: the two
    sentences come from the same facts, so the Chinese one quotes every number the English one does."""
    rng = np.random.default_rng(5)
    rows = []
    for indicator in REAL.indicators.values():
        level = {"share": 50.0, "score": 80.0, "growth": 6.0, "rank": 2.0}.get(indicator.scale, 40.0)
        for year in range(2012, 2025):
            if rng.random() > 0.2:
                noise = rng.normal(0, 0.1 * level) if indicator.scale != "rank" else 0.0
                rows.append((indicator.id, year, round(max(level + noise, 0.0), 1), indicator.unit, "S01"))
    data = pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "source"])
    seen = set()
    for as_of in (2016, 2019, 2021, 2024):
        for table in (A.assess(REAL, data, as_of), A.assess_proxies(REAL, data, as_of)):
            for en, zh, status in zip(table["reason"], table["reason_zh"], table["status"]):
                en = en.split("): ", 1)[1] if en.startswith("Proxy (") else en
                en = en.replace("10k yuan", "yuan")  # a unit's English label, not a number of the reason
                zh = zh.split("):", 1)[1] if zh.startswith("代理指标(") else zh
                missing = set(_numbers(en)) - set(_numbers(zh))
                assert not missing, (en, zh)
                assert re.search(r"[\u4e00-\u9fff]", zh) and zh.endswith("。")
                seen.add(status)
    assert {"met", "missed", "insufficient data"} <= seen and len(seen) >= 5


def test_chinese_chart_subtitle_gives_the_chinese_reason():
    outlook = A.outlook_for(REAL, frame("c_prefab_share", {2017: 8.0}), "c_prefab_share", 2021)
    subtitles = {lang: next(t.get_text() for t in fan_chart(outlook, lang).texts if t.get_gid() == "subtitle")
                 for lang in ("zh", "en")}
    assert subtitles["zh"].replace("\n", "") == "数据不足 · 仅有1个数据点(2017年为8%);判断趋势至少需要2个。"
    assert subtitles["en"].replace("\n", " ") == ("insufficient data · Only one value (8% in 2017); a trend needs at "
                                                 "least two.")
