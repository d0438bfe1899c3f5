"""The briefing pack for one vintage: index.html, the one-page PDF, the summary (Markdown and HTML), the Excel
scorecard and the charts.

Three parts, as in owid/etl steps: load (registry, tidy data, sources), compute (each as-of vintage once, with its
targets and proxies, from `assessment.assess`; nothing re-derived here), save. Every file is byte-identical on rerun:
charts carry no timestamps (`style.save`), the workbook is written by `outputs.save_workbook`, the summary and the
index have no clock, the PDF's date is fixed. `load_inputs` and the figure functions are public because the notebooks
start from the same inputs and draw the same charts as the briefing.

Language: one per pack (`lang`, "zh" default, or "en"): every word a reader sees, in every file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from tqdm import tqdm

from .. import settings
from ..assessment import assess
from ..assessment.assess import Outlook
from ..errors import InputError
from ..ingest.processed import conform, read_indicators, read_side_table
from ..lang import Lang, as_lang
from ..outputs import check_output, output_folder
from ..registry import Registry, load_registry
from ..text import shorten
from . import overview
from .excel import write_scorecard
from .fanchart import fan_chart
from .findings import previous_year
from .index import write_index
from .labels import policy_name, t
from .pdf import write_page
from .style import SLIDE_SUFFIX, save
from .summary import Facts, write_summary


@dataclass(frozen=True)
class Inputs:
    """What a briefing is made from: the registry, the tidy data and the processed side tables beside it."""

    registry: Registry
    data: pd.DataFrame
    data_path: Path
    sources: pd.DataFrame | None
    coverage: pd.DataFrame | None
    conflicts: pd.DataFrame | None = None  # a layered workspace build's values that differ from published ones


def load_inputs(data_path: Path = settings.PROCESSED / "indicators.csv",
                registry_path: Path = settings.REGISTRY) -> Inputs:
    """The registry, the tidy data and the side tables built beside it (sources.csv, coverage_targets.csv,
    conflicts.csv; None when the folder has none): what a briefing or a notebook starts from."""
    data_path = Path(data_path)
    registry = load_registry(registry_path)
    return Inputs(registry, conform(read_indicators(data_path, registry.units), registry), data_path,
                  read_side_table(data_path.parent / "sources.csv"),
                  read_side_table(data_path.parent / "coverage_targets.csv"),
                  read_side_table(data_path.parent / "conflicts.csv"))


OUTPUT_FILES = frozenset({"figures", "scorecard.xlsx", "summary.md", "summary.html", "briefing.pdf", "index.html"})  # a pack before markers


def make_report(as_of: int, out_dir: Path, data_path: Path = settings.PROCESSED / "indicators.csv",
                registry_path: Path = settings.REGISTRY, seed: int = 0, lang: Lang | str = Lang.ZH,
                force: bool = False) -> list[Path]:
    """Write figures/, scorecard.xlsx, summary.md and summary.html into `out_dir`; return the paths written.

    The pack is made whole in a staging folder and replaces `out_dir` only when complete (outputs.output_folder): a
    briefing cut short must not leave an earlier year's summary beside this year's charts. `out_dir` must not be or
    hold an input, and an existing folder must be an earlier pack (or `force`)."""
    out_dir, data_path = Path(out_dir), Path(data_path)
    inputs = {"the data file": data_path, "the registry": Path(registry_path)}
    check_output(out_dir, "report", inputs, folder=True, force=force, known=OUTPUT_FILES)
    with output_folder(out_dir, "report") as staging:
        written = _write_pack(as_of, staging, load_inputs(data_path, registry_path), seed, as_lang(lang))
    return [out_dir / path.relative_to(staging) for path in written]


def _write_pack(as_of: int, folder: Path, inputs: Inputs, seed: int, lang: Lang) -> list[Path]:
    """Compute every vintage once, then save the charts, the workbook, the summary, the page and (last) the index
    into `folder`."""
    registry, data = inputs.registry, inputs.data
    now = assess.assess_vintage(registry, data, as_of, seed=seed)
    vintages = assess.assess_vintages(registry, data, vintage_years(registry, as_of), seed=seed, known=[now])
    vintage = assess.vintage_matrix(vintages)
    table, proxies = now.table(), now.proxy_table()
    year = previous_year(registry, as_of)
    before = next((v.table() for v in vintages if v.as_of == year), None)
    facts = Facts(registry, as_of, table, proxies, before, year if before is not None else None, data,
                  inputs.conflicts)

    written = fan_charts(folder / "figures", inputs, now.outlooks, lang)
    written += overview_charts(folder / "figures", inputs, table, vintage, as_of, lang, proxies)
    written.append(write_scorecard(folder / "scorecard.xlsx", registry, table, proxies, vintage,
                                   inputs.sources, inputs.conflicts, lang=lang))
    written += write_summary(folder, facts, lang)
    chart = folder / "figures" / "scorecard.png"
    written.append(write_page(folder / "briefing.pdf", facts, lang, chart if chart.exists() else None))
    written.append(write_index(folder, facts, lang))  # last: it lists what the pack holds
    return written


def vintage_years(registry: Registry, as_of: int) -> range:
    """The vintages a briefing shows: from the policy's launch year (the registry's `launch_year`) to `as_of`, so the
    heat map tells how the outlook moved since launch; a briefing as of an earlier year shows that year alone."""
    return range(min(registry.launch_year, as_of), as_of + 1)


def source_labels(indicator: str, data: pd.DataFrame, as_of: int, sources: pd.DataFrame | None,
                  lang: Lang | str = Lang.ZH) -> list[str]:
    """The publishers of the values a chart plots (years <= as_of), each once, in first-use order.

    A reader follows a name, not an internal id: the chart names who published the figures (in English the
    source's `publisher_en` where given), and the Sources sheet of the workbook holds the full records. Only the
    publisher's own name is kept ("杭州市生态环境局 (2018年…公报)" -> "杭州市生态环境局").
    """
    rows = data[(data["indicator"] == indicator) & (data["year"] <= as_of)].sort_values("year")
    ids = list(dict.fromkeys(str(s) for s in rows["source"]))
    if sources is None:
        return []
    table = sources.set_index("id")
    english = as_lang(lang) == Lang.EN
    names = []
    for sid in ids:
        if sid not in table.index:
            continue
        record = table.loc[sid]
        given = str(record.get("publisher_en", "") or "") if english else ""
        names.append(shorten(given or _publisher_name(str(record["publisher"]) or str(record["title"])), 48))
    return list(dict.fromkeys(n for n in names if n))


def _publisher_name(text: str) -> str:
    """The name at the head of a publisher cell: its first run of Chinese ("杭州市生态环境局 (…)"), else the text
    before the first comma, semicolon, bracket or " via " ("UN IGME, via …")."""
    han = re.match(r"[\u3000-\u9fff\uff00-\uffef]+", text)
    return han.group(0) if han else re.split(r"[,;(]| via ", text)[0].strip()


def _target_note(inputs: Inputs, lang: Lang) -> str:
    return t(lang, "targets") + policy_name(inputs.registry, lang)


def target_chart(inputs: Inputs, outlook: Outlook, lang: Lang | str = Lang.ZH) -> Figure:
    """A target's fan chart with its source line (the documents behind the plotted values, then the policy) and the
    registry's units, the same in the briefing pack and the notebooks."""
    labels = source_labels(outlook.indicator.id, inputs.data, outlook.as_of, inputs.sources, lang)
    return fan_chart(outlook, lang=lang, sources=[*labels, _target_note(inputs, as_lang(lang))],
                     units=inputs.registry.units)


def fan_charts(folder: Path, inputs: Inputs, outlooks: Iterable[Outlook], lang: Lang) -> list[Path]:
    """One fan chart per target with a published value up to the as-of year, PNG and SVG, with a progress bar on
    stderr. A target without one gets no chart: a page saying "no data" per target buried the charts that have
    data, and the coverage chart shows every gap at once."""
    written = []
    for outlook in tqdm(outlooks, desc="fan charts", unit="target", file=sys.stderr):
        if not outlook.history.dropna().empty:
            written += save(target_chart(inputs, outlook, lang), folder / outlook.target.id)
    return written


def overview_charts(folder: Path, inputs: Inputs, table: pd.DataFrame, vintage: pd.DataFrame, as_of: int,
                    lang: Lang, proxies: pd.DataFrame | None = None) -> list[Path]:
    """The scorecard and vintage charts, and the coverage chart when coverage_targets.csv is beside the data; each
    in portrait and as a 16:9 slide beside it (style.SLIDE_SUFFIX)."""
    assessed = [t(lang, "assessment"), _target_note(inputs, lang)]
    written = _save_both(lambda slide: scorecard_figure(inputs, table, lang, proxies, slide), folder / "scorecard")
    written += _save_both(lambda slide: overview.vintage_heatmap(vintage, inputs.registry, lang, sources=assessed,
                                                                 slide=slide), folder / "vintage")
    if inputs.coverage is not None:
        publishers = _all_publishers(inputs, lang)  # once for both variants
        written += _save_both(lambda slide: coverage_figure(inputs, as_of, lang, slide, publishers),
                              folder / "coverage")
    return written


def scorecard_figure(inputs: Inputs, table: pd.DataFrame, lang: Lang | str = Lang.ZH,
                     proxies: pd.DataFrame | None = None, slide: bool = False) -> Figure:
    """The scorecard chart with its source line, the proxies' readings (Vintage.proxy_table) shown beside the
    targets without a verdict of their own: the same in the pack and in the notebooks."""
    lang = as_lang(lang)
    assessed = [t(lang, "assessment"), _target_note(inputs, lang)]
    return overview.scorecard_chart(table, inputs.registry, lang, sources=assessed, proxies=proxies, slide=slide)


def coverage_figure(inputs: Inputs, as_of: int, lang: Lang | str = Lang.ZH, slide: bool = False,
                    publishers: Sequence[str] | None = None) -> Figure:
    """The coverage chart (needs coverage_targets.csv beside the data), citing the publishers of every value it
    shows (`_all_publishers`, unless given) and the policy: the same in the pack and in the notebooks."""
    lang = as_lang(lang)
    if inputs.coverage is None:
        raise InputError(f"{inputs.data_path.parent}: no coverage_targets.csv beside the data; run qanalysis build")
    shown = [*(publishers if publishers is not None else _all_publishers(inputs, lang)), _target_note(inputs, lang)]
    return overview.coverage_chart(inputs.coverage, lang, inputs.registry, sources=shown, as_of=as_of, slide=slide)


def _save_both(chart: Callable[[bool], Figure], base: Path) -> list[Path]:
    """`chart(False)` saved at `base`, and its 16:9 variant `chart(True)` beside it (style.SLIDE_SUFFIX)."""
    return save(chart(False), base) + save(chart(True), f"{base}{SLIDE_SUFFIX}")


def _all_publishers(inputs: Inputs, lang: Lang) -> list[str]:
    """The publishers of every value of the targets' own indicators, all years (the coverage chart shows values
    after the as-of year too), each once in registry order."""
    last = int(inputs.data["year"].max()) if len(inputs.data) else 0
    names = [n for tg in inputs.registry.targets
             for n in source_labels(tg.indicator, inputs.data, last, inputs.sources, lang)]
    return list(dict.fromkeys(names))
