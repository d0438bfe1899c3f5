"""How long `build` takes: on the embedded public figures and on a synthetic 200-indicator x 12-year workbook, with
the xlsx read by python-calamine (the default) and by openpyxl. Also times reading one sheet with each engine.

Run: .venv/bin/python benchmarks/build_speed.py [--repeat N]. Prints median and range of wall-clock seconds; the
machine is shared, so repeat runs vary.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import yaml

from qanalysis import settings as paths
from qanalysis.ingest import sheets
from qanalysis.ingest.build import build
from qanalysis.registry import load_registry

N_INDICATORS, YEARS = 200, list(range(2013, 2025))


def _timed(func, repeat: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def synthetic_raw(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """A raw folder with one template-layout sheet of 200 indicators x 12 years (some blanks, some text numbers)."""
    rng = np.random.default_rng(seed)
    raw = folder / "raw"
    (raw / "bureau").mkdir(parents=True)
    (raw / "sources.csv").write_text("id,title,publisher,address,accessed,quote,note\nS01,t,p,a,,,\n", encoding="utf-8")
    ids = [f"x{i:03d}" for i in range(N_INDICATORS)]
    registry = {
        "registry": dict(id="synthetic", policy="合成〔2018〕1号", title_zh="合成数据", title_en="Synthetic data",
                         issued="2018-12-10", launch_year=2018, base_year=2018, target_years=[2022], data_from=YEARS[0]),
        "indicators": [dict(id=i, name_zh=f"指标{i}", name_en=i, unit="亿元", scale="level", flow=False, scope="全市",
                            proxy_for=None, bureau_table="年鉴") for i in ids],
        "targets": [dict(id=f"t_{i}", section="二(一) 测试", name_zh=i, name_en=i, indicator=i, kind="level", op=">=",
                         value=100, unit="亿元", target_year=2022, window_start=None, clause="c") for i in ids]}
    registry_path = folder / "registry.yaml"
    registry_path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "产业"
    ws.append(["合成数据"])
    ws.append(["说明"])
    ws.append(["指标代码", "指标名称", "单位", "来源", *[f"{y}年" for y in YEARS]])
    for i in ids:
        values = np.round(rng.uniform(10, 5000, len(YEARS)), 1)
        cells = [None if rng.random() < 0.1 else (f"{v:,.1f}" if rng.random() < 0.2 else float(v)) for v in values]
        ws.append([i, f"指标{i}", "亿元", "S01", *cells])
    book.save(raw / "bureau" / "synthetic.xlsx")
    record = dict(id="synthetic", file="bureau/synthetic.xlsx", sheet="产业", header_rows=[3], data_start=4,
                  years="columns", label="B", code="A", unit={"column": "C"}, source={"column": "D"})
    (raw / "layouts.yaml").write_text(yaml.safe_dump({"tables": [record]}, allow_unicode=True), encoding="utf-8")
    return raw, registry_path


def _report(label: str, figures: tuple[float, float, float]) -> None:
    median, low, high = figures
    print(f"{label:<58} {median:7.3f} s  (range {low:.3f}-{high:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        raw, registry = synthetic_raw(tmp)
        cases = []
        if paths.LAYOUTS.exists():
            cases.append(("embedded public figures", paths.RAW, paths.REGISTRY,
                          paths.RAW / "bureau" / "hangzhou-public-figures.xlsx", "代理指标"))
        cases.append((f"synthetic {N_INDICATORS} indicators x {len(YEARS)} years", raw, registry,
                      raw / "bureau" / "synthetic.xlsx", "产业"))
        for label, raw_dir, registry_path, workbook, sheet in cases:
            _report(f"{label}: of which load_registry()", _timed(lambda: load_registry(registry_path), repeat))
            for engine in ("calamine", "openpyxl"):
                sheets.ENGINE = engine
                _report(f"{label}: read one sheet ({engine})", _timed(lambda: sheets.read_grid(workbook, sheet), repeat))
                _report(f"{label}: build() in process ({engine})",
                        _timed(lambda: build(raw_dir, tmp / "out", registry_path), repeat))
            sheets.ENGINE = "calamine"
        if paths.LAYOUTS.exists():
            command = [sys.executable, "-m", "qanalysis.cli", "build", "--out", str(tmp / "cli")]
            _report("embedded public figures: `qanalysis build` (new process)",
                    _timed(lambda: subprocess.run(command, check=True, capture_output=True), max(1, repeat // 2)))


if __name__ == "__main__":
    main()
