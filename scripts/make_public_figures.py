"""One-off developer script that made data/raw/bureau/hangzhou-public-figures.xlsx. Never run by the pipeline.

Why it exists: the public figures behind the assessment were curated by hand from the research files
(the shared research files sources/*.csv and their notes; the inclusion rules are in data/raw/README.md). Keeping the curated
values here, in one literal with a source id per value, makes every cell of the raw workbook traceable and lets the
workbook be remade identically after a correction. The workbook uses the bureau template layout (one sheet per
policy section plus 代理指标), so `qanalysis build` reads it with the same generic reader as an analyst's own table.

Run by hand from the project root, only when the curated values change:

    .venv/bin/python scripts/make_public_figures.py [--out FILE.xlsx]

The output is byte-identical on rerun: it is written by the project's one workbook writer (qanalysis.outputs).
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from qanalysis import settings as paths
from qanalysis.outputs import save_workbook
from qanalysis.registry import load_registry

OUT = paths.RAW / "bureau" / "hangzhou-public-figures.xlsx"
YEARS = range(2011, 2025)  # two years before the template's 2013: the only pre-policy city quality-award counts

# The curated values: (indicator id, year, value, source id in data/raw/sources.csv).
# Proxies are listed under their own proxy ids only, never under the target they stand in for.
VALUES = [
    # 产业
    ("ind_new_product_rate", 2022, 41.2, "S01"),
    # 产品服务工程 (stocks are recorded in the year published; the stock-date caveats are in the source notes)
    ("q_zhejiang_made_standards", 2018, 64, "S02"),
    ("q_zhejiang_made_standards", 2022, 458, "S01"),
    ("q_pinzibiao_firms", 2018, 26, "S02"),
    ("q_pinzibiao_firms", 2022, 579, "S01"),
    ("q_city_quality_award", 2011, 3, "S03"),
    ("q_city_quality_award", 2012, 3, "S04"),
    ("q_city_quality_award", 2023, 5, "S05"),
    ("c_prefab_share", 2017, 8, "S06"),
    ("c_prefab_share", 2022, 33, "S06"),
    ("c_dayu_award", 2022, 1, "S07"),  # a lower bound, kept on purpose: see data/raw/README.md
    ("c_qianjiang_cup", 2022, 38, "S08"),
    ("c_xihu_cup", 2022, 118, "S08"),
    # 生态环境
    ("e_pm25", 2018, 40, "S09"),
    ("e_pm25", 2019, 38, "S10"),
    ("e_pm25", 2020, 29.8, "S11"),
    ("e_pm25", 2021, 28, "S12"),
    ("e_pm25", 2024, 30, "S13"),
    # 代理指标
    ("ind_hi_end_equip_va_growth", 2016, 15.2, "S14"),
    ("ind_hi_end_equip_va_growth", 2024, 5.5, "S15"),
    ("q_spot_check_pass_rate", 2014, 93.64, "S16"),
    ("q_spot_check_pass_rate", 2015, 94.97, "S16"),
    ("q_spot_check_pass_rate", 2016, 95.67, "S17"),
    ("q_service_satisfaction_zj", 2015, 79, "S18"),
    ("q_consumer_satisfaction_cca", 2021, 87.34, "S19"),
    ("q_consumer_satisfaction_cca", 2022, 89.74, "S20"),
    ("e_pm25_zj", 2016, 38, "S21"),
    ("e_pm25_zj", 2017, 39, "S22"),
    ("e_pm25_zj", 2018, 34, "S23"),
    ("e_pm25_zj", 2019, 31, "S24"),
    ("e_pm25_zj", 2020, 25, "S25"),
    ("e_pm25_zj", 2021, 24, "S21"),
    ("e_pm25_zj", 2022, 24, "S26"),
    ("e_surface_water_iii_city", 2013, 83, "S27"),
    ("e_surface_water_iii_city", 2018, 92.3, "S09"),
    ("e_surface_water_iii_city", 2019, 94.2, "S10"),
    ("e_surface_water_iii_city", 2021, 100, "S12"),
    ("e_surface_water_iii_city", 2022, 100, "S13"),
    ("e_surface_water_iii_city", 2023, 100, "S13"),
    ("e_surface_water_iii_city", 2024, 100, "S13"),
    ("e_surface_water_iii_zj", 2015, 72.9, "S28"),
    ("e_surface_water_iii_zj", 2016, 77.4, "S21"),
    ("e_surface_water_iii_zj", 2017, 82.4, "S22"),
    ("e_surface_water_iii_zj", 2018, 84.6, "S23"),
    ("e_surface_water_iii_zj", 2019, 91.4, "S24"),
    ("e_surface_water_iii_zj", 2020, 94.6, "S25"),
    ("e_surface_water_iii_zj", 2021, 95.2, "S21"),
    ("e_surface_water_iii_zj", 2022, 97.6, "S26"),
    ("e_eco_satisfaction_zj", 2018, 82.85, "S29"),
    ("e_eco_satisfaction_zj", 2020, 84.68, "S25"),
    ("e_eco_satisfaction_zj", 2021, 85.81, "S21"),
    ("e_eco_satisfaction_zj", 2022, 86.02, "S30"),
]

SHEETS = ["产业", "产品服务工程", "生态环境", "代理指标"]
TITLE = "杭州市质量提升行动(市委〔2018〕27号)目标指标公开数据:{sheet}"
FILL_NOTE = (
    "填写说明:一行一个指标;同一指标的数值来自不同来源时,每个来源占一行。指标代码和单位须与目标登记表一致;"
    "来源填 data/raw/sources.csv 的编号;只填数字,缺数留空,不填估算值、区间或“以上”类下限;同一指标同一年只能出现一次。"
)
FOOTNOTES = {
    "产业": [
        "注1:新产品产值率只找到2022年一个值(2022年度质量工作考核报道,年份据上下文确定);其余指标未找到全市全年数据,行留空。",
        "注2:装备制造业增速只找到较窄的“高端装备制造业”口径,列在“代理指标”表 ind_hi_end_equip_va_growth。",
        "注3:两化融合总指数只见“第一梯队”表述,没有确切位次,未填。",
    ],
    "产品服务工程": [
        "注1:浙江制造标准、品字标企业为累计存量:2018年数为2018年5月的存量;2022年数为2023年10月报道的2022年度考核数,存量日期可能晚于2022年底。",
        "注2:市政府质量奖、大禹奖、钱江杯、西湖杯为当年新增数。2023年市政府质量奖只计“质量奖”一档(2022年起分三档)。",
        "注3:大禹奖2022年=1为下限:2021-2022年度至少有1个杭州项目获奖,不是完整计数。",
        "注4:制造业产品质量合格率无统计口径数据;监督抽查批次合格率列在“代理指标”表。",
    ],
    "生态环境": [
        "注1:PM2.5为杭州市区(国控点位)年均浓度;2020年取市生态环境局发布会的29.8(规划文件记为30,未注明市区口径)。2022、2023年未找到。",
        "注2:地表水省控断面比例无杭州公开数据;市控以上断面(范围更宽)和浙江省省控断面数据列在“代理指标”表。",
        "注3:生态环境公众满意度未找到杭州得分;浙江省得分列在“代理指标”表。",
    ],
    "代理指标": [
        "注1:代理指标不是目标本身的口径,只能与目标指标并列展示,不能代替目标指标评估。",
        "注2:浙江省PM2.5 2016年(38,2022年回顾数)和2018年(34,2019年3月初步数)与相邻年份报告的同比变化不完全一致;取唯一直接公布的数值,见 data/raw/README.md。",
        "注3:市控以上断面2022-2024年数值依据2024年公报“连续4年保持100%”的表述。",
    ],
}


def sheet_of(indicator) -> str:
    """Proxies get their own sheet so no analyst mistakes them for the target's measure; the rest go by section."""
    if indicator.proxy_for is not None:
        return "代理指标"
    return {"ind": "产业", "q": "产品服务工程", "c": "产品服务工程", "e": "生态环境"}[indicator.id.split("_")[0]]


def check(registry, source_ids: list[str]) -> None:
    """Refuse to write a workbook whose values cannot be traced: unknown ids, unused sources, doubled years."""
    seen = set()
    for ind, year, _value, source in VALUES:
        if ind not in registry.indicators:
            raise SystemExit(f"{ind}: not an indicator of the registry")
        if source not in source_ids:
            raise SystemExit(f"{ind} {year}: source {source} is not in {paths.SOURCES}")
        if year not in YEARS or (ind, year) in seen:
            raise SystemExit(f"{ind} {year}: year outside {YEARS} or given twice")
        seen.add((ind, year))
    unused = set(source_ids) - {v[3] for v in VALUES}
    if unused:
        raise SystemExit(f"sources without a value: {sorted(unused)}")


def rows_for(registry) -> dict[str, list[list]]:
    """Sheet -> data rows: one row per indicator and source (registry order, then first year); empty rows for gaps."""
    by_source: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for ind, year, value, source in VALUES:
        by_source[ind][source][year] = value
    rows: dict[str, list[list]] = {sheet: [] for sheet in SHEETS}
    for ind in registry.indicators.values():
        head = [ind.id, ind.name_zh, ind.unit]
        groups = sorted(by_source[ind.id].items(), key=lambda item: min(item[1])) or [("", {})]
        for source, values in groups:
            rows[sheet_of(ind)].append(head + [source] + [values.get(year) for year in YEARS])
    return rows


def workbook(rows: dict[str, list[list]]) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet)
        ws.append([TITLE.format(sheet=sheet)])
        ws.append([FILL_NOTE])
        ws.append(["指标代码", "指标名称", "单位", "来源"] + [f"{year}年" for year in YEARS])
        for row in rows[sheet]:
            ws.append(row)
        for note in FOOTNOTES[sheet]:
            ws.append([note])
        ws["A1"].font = Font(bold=True, size=12)
        for cell in ws[3]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "E4"
        for column, width in {"A": 30, "B": 36, "C": 12, "D": 6}.items():
            ws.column_dimensions[column].width = width
    return wb


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT), help=f"workbook to write (default: {OUT})")
    out = Path(parser.parse_args(argv).out)
    registry = load_registry(paths.REGISTRY)
    with paths.SOURCES.open(encoding="utf-8", newline="") as fh:
        source_ids = [row["id"] for row in csv.DictReader(fh)]
    check(registry, source_ids)
    save_workbook(workbook(rows_for(registry)), out)
    print(f"wrote {out}: {len(VALUES)} values from {len(source_ids)} sources")
    return out


if __name__ == "__main__":
    main()
