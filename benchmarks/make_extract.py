"""Re-create the benchmark's data extracts (benchmarks/data/*.csv.gz) from snapshots of their public repositories.

Why: accuracy.py must not depend on one smooth dataset (the statsmodels copy of World Bank fertility), and nothing may
be downloaded when it runs, so small extracts of other real yearly series are committed under benchmarks/data/. This
script is how they were made, so anyone can check them against the originals: it reads each source file out of a git
snapshot of its repository at a pinned commit (`git show COMMIT:PATH`, nothing is fetched here), checks the source
file's sha256, keeps the yearly series only, and writes one gzip CSV per source with the columns
`series,category,year,value` (values to 6 significant digits, rows sorted, gzip header without name or time, so the
bytes are reproducible). benchmarks/data/SOURCES.md documents each source, its licence and the sha256 of the extract.

Run from the repository root, after getting the snapshots (the four repositories named in SOURCES); the M3 source is
an R data file, read with the `rdata` package (`.venv/bin/pip install rdata`, used by this script only):

    .venv/bin/python benchmarks/make_extract.py --mirror /path/to/snapshots [--check]

`--mirror` holds one bare git directory per repository, named `owner+name/repo` (or `owner+name`); `--check` only
compares freshly made extracts with the committed ones.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Source:
    """One source file inside one repository at one commit, with the sha256 of its bytes there."""

    repo: str
    commit: str
    path: str
    sha256: str


SOURCES = {
    "m3_yearly": [
        Source("robjhyndman/Mcomp", "34f3b412824375aa337736b1f1e64a6990b7d123", "data/M3.rda",
               "e2693e75fc0fc07d6379dd70f76d23ae4e04e03e5bceaf58b69fdf39b1a25c41")],
    "tourism_yearly": [
        Source("ellisp/Tcomp-r-package", "33503f9c4bb71c33b8617db64f5ae11bc9cc7e0e", "source-data/yearly_in.csv",
               "9a037a116787a02dbc46a24a9394aee1b58f32444a66afe86a9814687c908f1c"),
        Source("ellisp/Tcomp-r-package", "33503f9c4bb71c33b8617db64f5ae11bc9cc7e0e", "source-data/yearly_oos.csv",
               "da453a2b61465668dc00d3411fc4b3f0e0f06b5dc7e83b56efbcbcd43940c129")],
    "wb_gdp": [
        Source("datasets/gdp", "822019c80142c162e4ca4eb1a63699ae36075078", "data/gdp.csv",
               "f0a8408195646dbb1a9d7fc4424e2d302ee5380d0ec8834793f12ca25cbd7e2c")],
    "bp_energy": [
        Source("owid/energy-data", "f25a51b5bb462fa2004494fc3038be1ef171f72e",
               "scripts/input/shared/statistical_review_of_world_energy_bp_2021.csv",
               "aa3a4cf43859a4f17f128126b3fda826be54080664cb97c4f6696feb2b34a090")],
}

# World Bank regional and income aggregates in data/gdp.csv: not countries, and sums of the countries that are kept
WB_AGGREGATES = frozenset(
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX LAC LCN LDC LIC LMC LMY LTE MEA "
    "MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA TMN TSA TSS UMC WLD".split())

# BP Statistical Review 2021 (as OWID stored it): production and generation only. Consumption, primary energy,
# renewables and CO2 are left out on purpose: they are close to the Europe 2020 headline indicators, which are kept
# for an independent check.
BP_VARIABLES = ("Electricity Generation", "Hydro Generation - TWh", "Nuclear Generation - TWh",
                "Oil Production - Tonnes", "Gas Production - Bcm", "Coal Production - Tonnes")
BP_AGGREGATES = frozenset((
    "Africa", "Asia Pacific", "CIS", "Central America", "Eastern Africa", "Europe", "European Union", "Middle Africa",
    "Middle East", "Middle East & Africa", "Non-OECD", "North America", "OECD", "Other Africa", "Other Asia Pacific",
    "Other CIS", "Other Europe", "Other Middle East", "Other South & Central America", "South & Central America",
    "Western Africa", "World"))


def read_blob(mirror: Path, src: Source) -> bytes:
    """The file's bytes at the pinned commit of the snapshot, refused when its sha256 differs from the recorded one."""
    owner_name = src.repo.replace("/", "+")
    gitdir = next((p for p in (mirror / owner_name / "repo", mirror / owner_name) if p.exists()), None)
    if gitdir is None:
        raise SystemExit(f"no snapshot of {src.repo} under {mirror} (expected {owner_name}/repo)")
    blob = subprocess.run(["git", f"--git-dir={gitdir}", "show", f"{src.commit}:{src.path}"],
                          check=True, capture_output=True).stdout
    found = hashlib.sha256(blob).hexdigest()
    if src.sha256 and found != src.sha256:
        raise SystemExit(f"{src.repo}@{src.commit[:12]}:{src.path}: sha256 {found}, expected {src.sha256}")
    return blob


def m3_yearly(blobs: list[bytes]) -> pd.DataFrame:
    """The 645 yearly M3 series, in-sample (x) and hold-out (xx) joined on their years; category = M3 domain."""
    import rdata  # only this script needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no Python constructor for the R classes Mdata/Mcomp: plain lists are fine
        m3 = rdata.read_rda(io.BytesIO(blobs[0]))["M3"]
    rows = []
    for key, s in m3.items():
        if str(s["period"][0]) != "YEARLY":
            continue
        x, xx = s["x"], s["xx"]
        series = pd.concat([x, xx])
        years = np.asarray(series.index, dtype=float)
        if not np.allclose(np.diff(years), 1) or len(x) != int(s["n"][0]):
            raise SystemExit(f"M3 {key}: years are not consecutive or n disagrees")
        rows += [(str(s["sn"][0]), str(s["type"][0]).strip(), int(y), float(v)) for y, v in zip(years, series.to_numpy())]
    return pd.DataFrame(rows, columns=["series", "category", "year", "value"])


def _tourism_block(blob: bytes) -> dict[str, tuple[int, int, np.ndarray]]:
    """Kaggle layout: row 1 the number of values, row 2 the first year, then the values down each column. Only the
    first n values of a column are read (the in-sample file has stray numbers far below some columns)."""
    raw = pd.read_csv(io.BytesIO(blob), header=0, dtype=float)
    out = {}
    for col in raw.columns:
        n, start = int(raw[col].iloc[0]), int(raw[col].iloc[1])
        values = raw[col].iloc[2:2 + n].to_numpy(float)
        if len(values) != n or np.isnan(values).any():
            raise SystemExit(f"tourism {col}: fewer than the stated {n} values")
        out[col.strip().upper()] = (n, start, values)
    return out


def tourism_yearly(blobs: list[bytes]) -> pd.DataFrame:
    """The 518 yearly tourism series: in-sample and the 4 hold-out years joined. Y18's hold-out starts in the last
    in-sample year in the file; as in the Tcomp package (prep/groom.R), it is read as starting one year later."""
    ins, oos = _tourism_block(blobs[0]), _tourism_block(blobs[1])
    rows = []
    for key, (n, start, values) in ins.items():
        h, ostart, ovalues = oos[key]
        if ostart == start + n - 1 and key == "Y18":
            ostart += 1
        if ostart != start + n:
            raise SystemExit(f"tourism {key}: hold-out starts {ostart}, in-sample ends {start + n - 1}")
        allv = np.concatenate([values, ovalues])
        rows += [(key, "", start + i, float(v)) for i, v in enumerate(allv)]
    return pd.DataFrame(rows, columns=["series", "category", "year", "value"])


def wb_gdp(blobs: list[bytes]) -> pd.DataFrame:
    """GDP in current US$ (World Bank NY.GDP.MKTP.CD) for countries and territories; aggregates dropped."""
    d = pd.read_csv(io.BytesIO(blobs[0]), keep_default_na=False, na_values=[""])
    d = d[~d["Country Code"].isin(WB_AGGREGATES)].dropna(subset=["Value"])
    return pd.DataFrame({"series": d["Country Code"], "category": "", "year": d["Year"].astype(int),
                         "value": d["Value"].astype(float)})


def bp_energy(blobs: list[bytes]) -> pd.DataFrame:
    """Production and generation by country (BP Statistical Review of World Energy 2021, via Our World in Data);
    category = the variable. Years with no value are left out (the benchmark never fills a gap)."""
    d = pd.read_csv(io.BytesIO(blobs[0]))
    d = d[~d["Entity"].isin(BP_AGGREGATES)]
    rows = []
    for var in BP_VARIABLES:
        sub = d[["Entity", "Year", var]].dropna()
        for entity, g in sub.groupby("Entity", sort=True):
            if (g[var] == 0).all():
                continue  # a country that never produced it: nothing to forecast
            rows += [(entity, var, int(y), float(v)) for y, v in zip(g["Year"], g[var])]
    return pd.DataFrame(rows, columns=["series", "category", "year", "value"])


MAKERS = {"m3_yearly": m3_yearly, "tourism_yearly": tourism_yearly, "wb_gdp": wb_gdp, "bp_energy": bp_energy}


def to_gzip_csv(df: pd.DataFrame) -> bytes:
    """Sorted rows, 6 significant digits, and a gzip header without file name or time: the same input gives the
    same bytes."""
    df = df.sort_values(["category", "series", "year"], kind="stable").reset_index(drop=True)
    text = df.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="folder of bare git snapshots, owner+name/repo")
    parser.add_argument("--check", action="store_true", help="compare with the committed extracts; write nothing")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    bad = 0
    for name, sources in SOURCES.items():
        data = to_gzip_csv(MAKERS[name]([read_blob(args.mirror, s) for s in sources]))
        path = OUT / f"{name}.csv.gz"
        digest = hashlib.sha256(data).hexdigest()
        if args.check:
            same = path.exists() and path.read_bytes() == data
            bad += not same
            print(f"{path.name}: {'same' if same else 'DIFFERS'} ({digest})")
            continue
        path.write_bytes(data)
        print(f"{path.name}: {len(data):,} bytes, sha256 {digest}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
