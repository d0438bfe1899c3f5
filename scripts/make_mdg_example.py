"""One-off developer script that made the reference workspace examples/mdg/ (MDG 4.A and 5.A by country, 2015).
Never run by the pipeline.

Why it exists: the second reference policy, the Millennium Development Goals, is judged on published estimates whose
files are far larger than the project may hold. This script reads local copies of the two public files (fetched from
the GitHub snapshots named below), checks that they are byte for byte the files cited (git blob ids), picks the
countries by one stated rule, and writes, reproducibly:

- examples/mdg/registry.yaml: the `registry:` block (A/RES/55/2), one `level` target per country and goal, and one
  indicator per country and goal;
- examples/mdg/raw/bureau/mdg-published-estimates.xlsx: the published annual values in the bureau template layout
  (qanalysis.ingest.template.write_template, filled in, saved by qanalysis.outputs: byte-identical on rerun);
- examples/mdg/raw/sources.csv: every source, with the repository, the commit, the file and the licence;
- examples/mdg/outcomes.csv: each target's outcome by rule from its 2015 value, beside the official assessment
  where a source states it.

The inputs (the commit fixes the content; the blob id is checked):

    IGME   open-numbers/ddf--igme--cme @ af30353a75c4154fe06f8a199c6ddfb29a337446
           etl/source/RatesDeaths_AllIndicators.xlsx (UN IGME estimates generated in 2015, last update 9 Sept 2015)
    MMR    owid/owid-datasets @ aa28b51ba75f2806319e786dbf0d18475f2554c0
           datasets/Maternal Mortality Ratio - Gapminder (2010) and World Bank (2015)/<same name>.csv
    GHO    open-numbers/ddf--who--gho @ faf8112fff6786779eae046d3778cce5fcb42c87
           etl/source/MDG_0000000026.csv (WHO GHO maternal mortality ratio 1990, 2000, 2015: a cross-check only)

e.g. `git -C <clone> show <commit>:<path> > file`, then, from the project root:

    .venv/bin/python scripts/make_mdg_example.py --igme igme.xlsx --mmr mmr.csv --gho gho.csv

The rules (examples/mdg/raw/README.md says why):
- countries: every country with a complete annual series 1990-2015 in both files, whose 1990 maternal mortality
  ratio is at least 100 per 100,000 live births, except the 13 countries whose OWID series splices Gapminder's
  reconstruction with the World Bank's (the dataset's README names them);
- targets: MDG 4.A, U5MR in 2015 <= one third of its 1990 value, rounded to 2 decimals (the data have 1);
  MDG 5.A, MMR in 2015 <= one quarter of its 1990 value (integers, so exact at 2 decimals). The script refuses to
  write anything if the rounding changes any country's outcome;
- values: printed as published (IGME medians to 1 decimal, MMR integers); nothing derived, interpolated or filled.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
from pathlib import Path

import openpyxl
import pandas as pd
import yaml

from qanalysis import settings
from qanalysis.ingest.template import write_template
from qanalysis.outputs import save_workbook
from qanalysis.registry import load_registry

HERE = settings.ROOT / "examples" / "mdg"
WORKBOOK = HERE / "raw" / "bureau" / "mdg-published-estimates.xlsx"
YEARS = range(1990, 2016)  # base year 1990 .. target year 2015: every year both files publish
IGME_BLOB = "edf81cf13c6e354e9daffe8b38c8684cd5f2e56d"
MMR_BLOB = "59f541cf832d8e16b5e5d659be1aa11cbbb70c94"
GHO_BLOB = "b7741512941ea82e8ddd56e0a36be074ea892ea1"
MIN_MMR_1990 = 100  # the high-burden countries: see the module docstring
# OWID's MMR series splices Gapminder's historical reconstruction with the World Bank's for these 13 (its README).
SPLICED = {"Australia", "Belgium", "Denmark", "Finland", "Germany", "Ireland", "Japan", "Malaysia", "Netherlands",
           "Sri Lanka", "Sweden", "United Kingdom", "United States"}
# IGME country name -> the OWID entity of the same country, where the two spell it differently.
OWID_NAME = {"Bosnia & Herzegovina": "Bosnia and Herzegovina", "Congo DR": "Democratic Republic of Congo",
             "Cote d Ivoire": "Cote d'Ivoire", "Federated States of Micronesia": "Micronesia (country)",
             "Gambia The": "Gambia", "Korea DPR": "North Korea", "Korea Rep": "South Korea", "Lao PDR": "Laos",
             "Russian Federation": "Russia", "Sao Tome & Principe": "Sao Tome and Principe",
             "St Vincent & the Grenadines": "Saint Vincent and the Grenadines", "State of Palestine": "Palestine",
             "Timor Leste": "Timor", "Trinidad & Tobago": "Trinidad and Tobago",
             "United States of America": "United States"}
# The nine countries the UN MMEIG's 2015 report names as having achieved MDG 5.A (source S03), as OWID spells them.
MDG5_ACHIEVED = {"Bhutan", "Cambodia", "Cape Verde", "Iran", "Laos", "Maldives", "Mongolia", "Rwanda", "Timor"}
MDG4_ACHIEVED_COUNT, MDG4_COUNTRIES = 62, 195  # "62 of the 195 countries with available estimates met" (S04)

GOALS = {
    "4.A": dict(prefix="u5mr", target="mdg4a", fraction=3, unit="‰", source="S01",
                section="4.A 五岁以下儿童死亡率降低三分之二",
                section_en="4.A Reduce under-five mortality by two thirds", agency="UN IGME",
                name_zh="{country} 五岁以下儿童死亡率", name_en="{country}: under-five mortality rate",
                clause="Target 4.A: Reduce by two thirds, between 1990 and 2015, the under-five mortality rate",
                bureau="UN IGME child mortality estimates (childmortality.org), U5MR median"),
    "5.A": dict(prefix="mmr", target="mdg5a", fraction=4, unit="/10万活产", source="S02",
                section="5.A 孕产妇死亡率降低四分之三",
                section_en="5.A Reduce maternal mortality by three quarters", agency="UN MMEIG",
                name_zh="{country} 孕产妇死亡率", name_en="{country}: maternal mortality ratio",
                clause="Target 5.A: Reduce by three quarters, between 1990 and 2015, the maternal mortality ratio",
                bureau="UN MMEIG, Trends in maternal mortality (WHO); World Bank WDI SH.STA.MMRT"),
}
REGISTRY_BLOCK = {
    "id": "mdg-2015",
    "policy": "A/RES/55/2",
    "policy_en": "UN General Assembly resolution A/RES/55/2",
    "title_zh": "联合国千年宣言 (千年发展目标 4.A、5.A)",
    "title_en": "United Nations Millennium Declaration (Millennium Development Goals, targets 4.A and 5.A)",
    "issued": "2000-09-08",
    "launch_year": 2000,
    "base_year": 1990,
    "target_years": [2015],
    "data_from": 1990,
    "units": [{"symbol": "‰", "dimension": "under5_deaths_per_birth", "factor": 0.001,
               "label_en": "per 1,000 live births"},
              {"symbol": "/10万活产", "dimension": "maternal_deaths_per_birth", "factor": 0.00001,
               "label_en": "per 100,000 live births"}],
}
HEADER = """\
# Target registry of the Millennium Development Goals 4.A and 5.A, by country, for 2015: the second reference
# workspace (examples/mdg/). Written by scripts/make_mdg_example.py; do not edit by hand (rerun the script).
#
# registry: A/RES/55/2, the United Nations Millennium Declaration (adopted 2000-09-08). Its paragraph 19 asks to
#   reduce "maternal mortality by three quarters, and under-five child mortality by two thirds, of their current
#   rates" by 2015; the MDG framework's targets 4.A and 5.A (the `clause` of each target) fix 1990 as the base year.
#   launch_year 2000: the first vintage. data_from 1990: the template asks for 1990 onwards.
#   units: ‰ = deaths per 1,000 live births (U5MR); /10万活产 = maternal deaths per 100,000 live births (MMR).
# targets: one `level` target per country and goal: the 2015 value <= the 1990 value x 1/3 (4.A, rounded to 2
#   decimals; U5MR is published to 1) or x 1/4 (5.A; MMR is published as integers, so the quarter is exact).
#   Countries: a complete 1990-2015 series in both sources and a 1990 MMR >= 100 (examples/mdg/raw/README.md).
"""


def git_blob(data: bytes) -> str:
    """The git blob id of a file's bytes: what `git ls-tree` lists for it at the cited commit."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _read(path: Path, blob: str) -> bytes:
    data = Path(path).read_bytes()
    if git_blob(data) != blob:
        raise SystemExit(f"{path}: not the cited file (git blob {git_blob(data)}, expected {blob})")
    return data


def read_igme(path: Path) -> pd.DataFrame:
    """iso, name, year, value: the U5MR medians of the IGME 2015 file, as printed."""
    book = openpyxl.load_workbook(io.BytesIO(_read(path, IGME_BLOB)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[6]
    if header[:3] != ("ISO Code", "CountryName", "Uncertainty bounds*"):
        raise SystemExit(f"{path}: unexpected header {header[:3]}")
    columns = {int(h[5:]): j for j, h in enumerate(header) if isinstance(h, str) and h.startswith("U5MR.")}
    records = [(r[0], r[1], year, float(r[j])) for r in rows[7:] if r[2] == "Median"
               for year, j in columns.items() if year in YEARS and r[j] is not None]
    return pd.DataFrame(records, columns=["iso", "name", "year", "value"])


def read_mmr(path: Path) -> pd.DataFrame:
    """entity, year, value: the OWID/World Bank maternal mortality ratio, as printed."""
    frame = pd.read_csv(io.BytesIO(_read(path, MMR_BLOB)))
    frame.columns = ["entity", "year", "value"]
    return frame[frame["year"].isin(YEARS)]


def read_gho(path: Path) -> pd.DataFrame:
    """iso, year, value: WHO GHO's maternal mortality ratio (1990, 2000, 2015 only), for the cross-check."""
    frame = pd.read_csv(io.BytesIO(_read(path, GHO_BLOB)))
    return frame.rename(columns={"COUNTRY": "iso", "YEAR": "year", "Numeric": "value"})[["iso", "year", "value"]]


def select(igme: pd.DataFrame, mmr: pd.DataFrame) -> pd.DataFrame:
    """One row per chosen country: iso, name (IGME's), entity (OWID's), and both series as {year: value}."""
    chosen = []
    for (iso, name), group in igme.groupby(["iso", "name"], sort=True):
        entity = OWID_NAME.get(name, name)
        m = mmr[mmr["entity"] == entity].set_index("year")["value"]
        u = group.set_index("year")["value"]
        if entity in SPLICED or len(u) != len(YEARS) or len(m) != len(YEARS) or m[1990] < MIN_MMR_1990:
            continue
        chosen.append({"iso": iso, "name": name, "entity": entity, "4.A": u.to_dict(), "5.A": m.to_dict()})
    return pd.DataFrame(chosen).sort_values("name", kind="stable").reset_index(drop=True)  # readers look up names


def goal_value(goal: str, base: float) -> float:
    return round(base / GOALS[goal]["fraction"], 2)


def check_rounding(countries: pd.DataFrame) -> None:
    """Refuse a target whose rounded value decides differently from the exact fraction of the 1990 value."""
    for _, c in countries.iterrows():
        for goal, g in GOALS.items():
            v90, v15 = c[goal][1990], c[goal][2015]
            if (v15 <= goal_value(goal, v90)) != (v15 * g["fraction"] <= v90):
                raise SystemExit(f"{c['iso']} {goal}: the rounded target decides differently from the exact one")


def registry_doc(countries: pd.DataFrame) -> dict:
    targets, indicators = [], []
    for goal, g in GOALS.items():
        for _, c in countries.iterrows():
            code = c["iso"].lower()
            name = c["name"]
            indicators.append({
                "id": f"{g['prefix']}_{code}", "name_zh": g["name_zh"].format(country=name),
                "name_en": g["name_en"].format(country=name), "unit": g["unit"], "scale": "level", "flow": False,
                "scope": f"{name} ({c['iso']}), national", "proxy_for": None, "bureau_table": g["bureau"],
                "bureau": g["agency"], "bureau_en": g["agency"]})
            targets.append({
                "id": f"{g['target']}_{code}", "section": g["section"], "section_en": g["section_en"],
                "name_zh": g["name_zh"].format(country=name),
                "name_en": g["name_en"].format(country=name), "indicator": f"{g['prefix']}_{code}", "kind": "level",
                "op": "<=", "value": goal_value(goal, c[goal][1990]), "unit": g["unit"], "target_year": 2015,
                "window_start": None, "clause": g["clause"]})
    return {"registry": REGISTRY_BLOCK, "targets": targets, "indicators": indicators}


def write_registry(doc: dict, path: Path) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(HEADER + text, encoding="utf-8", newline="\n")


FOOTNOTES = {  # one footnote row per sheet, Chinese then English (the reader takes rows starting with 注 as notes)
    "4.A": "注1: UN IGME 2015 年估计 (2015-09-09 更新) 的中位数; 1990-2000 年的值是 2015 年回溯估计, 不是 2000 年时可见的数; "
           "2015 年的值是当年的模型估计。 / UN IGME 2015-round medians (last update 9 Sept 2015); the 1990-2000 values "
           "are back-estimates made in 2015 (hindsight), not what an analyst saw in 2000.",
    "5.A": "注1: UN MMEIG 2015 年估计 (Trends in maternal mortality 1990-2015), 取自世界银行 WDI 年度序列 (经 Our World in "
           "Data); 报告只列 1990、1995、2000、2005、2010、2015 年, 其余年份为同一模型的年度估计。 / UN MMEIG 2015-round "
           "estimates as the World Bank publishes them, every year (the report tabulates 1990, 1995, 2000, 2005, 2010 "
           "and 2015); back-estimates made in 2015, not what was known in 2000.",
}


def write_workbook(countries: pd.DataFrame, registry_path: Path, out: Path) -> int:
    """The template for the registry, filled with every published value; returns the number of values."""
    registry = load_registry(registry_path)
    write_template(registry, out)
    book = openpyxl.load_workbook(out)
    n = 0
    for goal, g in GOALS.items():
        ws = book[g["section"]]
        column = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
        rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
        for _, c in countries.iterrows():
            row = rows[f"{g['prefix']}_{c['iso'].lower()}"]
            ws.cell(row, 4).value = g["source"]
            for year, value in sorted(c[goal].items()):
                ws.cell(row, column[f"{year}年"]).value = int(value) if goal == "5.A" else value
                n += 1
        ws.cell(ws.max_row + 2, 1).value = FOOTNOTES[goal]
    save_workbook(book, out)
    return n


SOURCES = [
    {"id": "S01",
     "title": "Child Mortality Estimates: under-five mortality rate, infant mortality rate, neonatal mortality rate and "
              "number of deaths (RatesDeaths_AllIndicators.xlsx, UN IGME estimates generated in 2015)",
     "publisher": "UN IGME (United Nations Inter-agency Group for Child Mortality Estimation: UNICEF, WHO, World Bank "
                  "Group, UN DESA Population Division), childmortality.org",
     "address": "https://github.com/open-numbers/ddf--igme--cme/blob/af30353a75c4154fe06f8a199c6ddfb29a337446/etl/"
                "source/RatesDeaths_AllIndicators.xlsx",
     "accessed": "",
     "quote": "Estimates generated by the UN Inter-agency Group for Child Mortality Estimation (IGME) in 2015 / "
              "Last update: 9 Sept 2015",
     "note": "Scope: under-five mortality rate (U5MR), deaths per 1,000 live births, the Median rows, every year "
             "1990-2015, as printed (1 decimal). The file is childmortality.org's download as committed by "
             "open-numbers (Gapminder's DDF datasets) in commit af30353a (2016-09-21), git blob edf81cf1. Vintage: the "
             "2015 round, the one the MDG 4 assessment used; its 1990-2000 values are back-estimates made in 2015 "
             "(hindsight), not what an analyst saw in 2000, and its 2015 values are model estimates for a year not yet "
             "fully observed. Licence: none stated in the repository or the file; cite as UN IGME (2015)."},
    {"id": "S02",
     "title": "Maternal Mortality Ratio - Gapminder (2010) and World Bank (2015), Our World in Data dataset (1990-2015 "
              "values: World Bank WDI SH.STA.MMRT from WHO, UNICEF, UNFPA, World Bank Group and UN Population "
              "Division, Trends in Maternal Mortality: 1990 to 2015)",
     "publisher": "UN MMEIG (WHO, UNICEF, UNFPA, World Bank Group and UN Population Division), via the World Bank "
                  "(WDI) and Our World in Data",
     "address": "https://github.com/owid/owid-datasets/blob/aa28b51ba75f2806319e786dbf0d18475f2554c0/datasets/"
                "Maternal%20Mortality%20Ratio%20-%20Gapminder%20(2010)%20and%20World%20Bank%20(2015)/"
                "Maternal%20Mortality%20Ratio%20-%20Gapminder%20(2010)%20and%20World%20Bank%20(2015).csv",
     "accessed": "",
     "quote": "The original source of the World Bank data is: WHO, UNICEF, UNFPA, World Bank Group, and the United "
              "Nations Population Division. Trends in Maternal Mortality: 1990 to 2015. Geneva, World Health "
              "Organization, 2015",
     "note": "Scope: maternal mortality ratio (MMR), maternal deaths per 100,000 live births, every year 1990-2015, as "
             "printed (integers). Committed by Our World in Data in commit aa28b51b (2018-09-21), git blob 59f541cf; "
             "the README says the World Bank series (1990 to 2015) was combined without adjustment with Gapminder's "
             "reconstruction for 13 named countries, which are left out here. The MMEIG report tabulates 1990, 1995, "
             "2000, 2005, 2010 and 2015; the World Bank's annual values come from the same model. Vintage: the 2015 "
             "round (November 2015), back-estimates made in 2015, not what was known in 2000. Cross-checked against "
             "WHO GHO (S05). Licence: none stated in the repository; the World Bank publishes WDI under CC BY 4.0."},
    {"id": "S03",
     "title": "News report of the Thomson Reuters Foundation (Bangkok, 12 Nov 2015) on the UN report Trends in Maternal "
              "Mortality: 1990 to 2015",
     "publisher": "Thomson Reuters Foundation (reporting the UN MMEIG report of WHO, UNICEF, UNFPA, World Bank Group "
                  "and UN Population Division)",
     "address": "http://in.reuters.com/article/health-women-mortality-idINL8N1372RB20151112",
     "accessed": "",
     "quote": "Only nine countries have achieved a U.N. development goal of reducing the number of women dying before, "
              "during or after giving birth by 75 percent since 1990 / The Maldives, Bhutan, Cambodia, Cape Verde, "
              "East Timor, Iran, Laos, Mongolia and Rwanda reduced maternal mortality by between 78 and 90 percent",
     "note": "Scope (outcome assessment only): the official MDG 5.A verdicts in examples/mdg/outcomes.csv: these nine "
             "achieved; by 'only nine', every other country of the sample did not. No value is taken from it."},
    {"id": "S04",
     "title": "Levels and trends in child mortality. Report 2015. Estimates developed by the UN Inter-agency Group for "
              "Child Mortality Estimation (You D, Hug L, Ejdemyr S, Beise J; UNICEF, Sept 2015), POPLINE abstract",
     "publisher": "UNICEF for the UN Inter-agency Group for Child Mortality Estimation (UN IGME)",
     "address": "https://www.popline.org/node/637924",
     "accessed": "",
     "quote": "Between 1990 and 2015, 62 of the 195 countries with available estimates met the Millennium Development "
              "Goal (MDG) 4 target of a two-thirds reduction in the under-five mortality rate between 1990 and 2015.",
     "note": "Scope (outcome assessment only): the official MDG 4.A count, compared with the rule applied to all 195 "
             "countries of S01. The country list itself was not found in a stored source, so per-country official "
             "MDG 4.A verdicts are left blank. No value is taken from it."},
    {"id": "S05",
     "title": "WHO Global Health Observatory, Maternal mortality ratio (per 100 000 live births), MDG_0000000026",
     "publisher": "World Health Organization (GHO), via open-numbers/ddf--who--gho",
     "address": "https://github.com/open-numbers/ddf--who--gho/blob/faf8112fff6786779eae046d3778cce5fcb42c87/etl/"
                "source/MDG_0000000026.csv",
     "accessed": "",
     "quote": "\"MDG_0000000026\",\"PUBLISHED\",\"1990\",\"AFR\",\"AGO\",\"1 160 [ 627 - 2 020]\",\"1160.00000\"",
     "note": "Scope (cross-check only): the same MMEIG 2015 round for 1990, 2000 and 2015, from WHO itself; used to "
             "check S02's values for the sample, never as data. Committed in commit faf8112f (2018-07-16), git blob "
             "b7741512. Licence: none stated in the repository."},
]


def write_sources(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(SOURCES[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(SOURCES)


def outcomes(countries: pd.DataFrame) -> pd.DataFrame:
    """One row per target: the 1990 and 2015 values, the rule's outcome and the official verdict where stated."""
    rows = []
    for goal, g in GOALS.items():
        for _, c in countries.iterrows():
            v90, v15 = c[goal][1990], c[goal][2015]
            outcome = "met" if v15 <= goal_value(goal, v90) else "missed"
            official, source = "", ""
            if goal == "5.A":
                official, source = ("met" if c["entity"] in MDG5_ACHIEVED else "missed"), "S03"
            rows.append({"target": f"{g['target']}_{c['iso'].lower()}", "goal": goal, "iso": c["iso"],
                         "country": c["name"], "value_1990": v90, "value_2015": v15,
                         "target_value": goal_value(goal, v90), "reduction_pct": round(100 * (1 - v15 / v90), 1),
                         "outcome": outcome, "official": official, "official_source": source,
                         "agrees": "" if not official else "yes" if official == outcome else "no"})
    return pd.DataFrame(rows)


def mdg4_count(igme: pd.DataFrame) -> int:
    """How many of all the IGME countries meet 4.A by the same rule: compared with the published 62 of 195."""
    wide = igme.pivot(index="iso", columns="year", values="value")
    return int((wide[2015] * 3 <= wide[1990]).sum())


def cross_check(countries: pd.DataFrame, gho: pd.DataFrame) -> tuple[int, list[str]]:
    """S02's MMR against WHO GHO's for 1990, 2000 and 2015: how many sample values agree, and those that do not."""
    table = gho.set_index(["iso", "year"])["value"]
    agree, differ = 0, []
    for _, c in countries.iterrows():
        for year in (1990, 2000, 2015):
            who = table.get((c["iso"], year))
            if who is not None and float(who) == c["5.A"][year]:
                agree += 1
            else:
                differ.append(f"{c['iso']} {year}: {c['5.A'][year]:g} vs WHO {who}")
    return agree, differ


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--igme", required=True, help="RatesDeaths_AllIndicators.xlsx at the cited commit")
    parser.add_argument("--mmr", required=True, help="the OWID maternal mortality csv at the cited commit")
    parser.add_argument("--gho", required=True, help="WHO GHO MDG_0000000026.csv at the cited commit (cross-check)")
    parser.add_argument("--out", default=str(HERE), help=f"the workspace folder (default: {HERE})")
    args = parser.parse_args(argv)
    out = Path(args.out)
    igme, mmr, gho = read_igme(Path(args.igme)), read_mmr(Path(args.mmr)), read_gho(Path(args.gho))
    countries = select(igme, mmr)
    check_rounding(countries)
    (out / "raw" / "bureau").mkdir(parents=True, exist_ok=True)
    write_registry(registry_doc(countries), out / "registry.yaml")
    n = write_workbook(countries, out / "registry.yaml", out / "raw" / "bureau" / WORKBOOK.name)
    write_sources(out / "raw" / "sources.csv")
    table = outcomes(countries)
    table.to_csv(out / "outcomes.csv", index=False, lineterminator="\n")
    agree, differ = cross_check(countries, gho)
    official = table[table["official"] != ""]
    print(f"{len(countries)} countries, {len(table)} targets, {n} values; outcomes met: "
          f"{ {g: int((f['outcome'] == 'met').sum()) for g, f in table.groupby('goal')}}")
    print(f"MDG 5.A: {int((official['agrees'] == 'yes').sum())} of {len(official)} rule outcomes reproduce the official "
          f"verdicts; differing: {', '.join(official.loc[official['agrees'] == 'no', 'country']) or 'none'}")
    print(f"MDG 4.A: the rule gives {mdg4_count(igme)} of {igme['iso'].nunique()} IGME countries met; published: "
          f"{MDG4_ACHIEVED_COUNT} of {MDG4_COUNTRIES}")
    print(f"MMR cross-check with WHO GHO: {agree} of {3 * len(countries)} values agree"
          + (f"; differing: {'; '.join(differ)}" if differ else ""))


if __name__ == "__main__":
    main()
