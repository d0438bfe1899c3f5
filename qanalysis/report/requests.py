"""The data requests of a briefing: which tables, for which years, from which bureau.

The thin public record is the main limit of an assessment, and the analyst's next step is a request to the bodies
that hold the tables. So the gaps are grouped the way a request is sent: one entry per bureau (the registry's
`bureau` of each indicator), each naming its tables, the years missing up to the as-of year, and the targets the
table would let the briefing judge. Targets already decided (met or missed on published values) need nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..assessment.status import OBSERVED
from ..lang import Lang, as_lang
from ..registry import Registry
from ..text import years_text
from .labels import bureau, bureau_table, name

UNNAMED = {Lang.ZH: "未注明发布机构", Lang.EN: "Publisher not named in the registry"}


@dataclass(frozen=True)
class TableRequest:
    """One table to ask for: its name, the years missing, and the targets it serves (names, in registry order)."""

    table: str
    years: tuple[int, ...]
    targets: tuple[str, ...]

    def years_text(self) -> str:
        return years_text(self.years)


@dataclass(frozen=True)
class BureauRequest:
    """Everything to ask one bureau for."""

    bureau: str
    tables: tuple[TableRequest, ...]

    @property
    def n_targets(self) -> int:
        return len({t for table in self.tables for t in table.targets})


def data_requests(registry: Registry, data: pd.DataFrame, table: pd.DataFrame, as_of: int,
                  lang: Lang | str = Lang.ZH) -> list[BureauRequest]:
    """The requests for every undecided target whose own indicator lacks a value in data_from..as_of, grouped by
    bureau (the bureaus that would unlock most targets first) and by table within a bureau (registry order)."""
    lang = as_lang(lang)
    decided = set(table.loc[table["status"].isin([str(s) for s in OBSERVED]), "target"])
    have = {ind: set(g["year"].astype(int)) for ind, g in data[data["year"] <= as_of].groupby("indicator")}
    asked = range(registry.data_from, as_of + 1)
    by_bureau: dict[str, dict[str, tuple[set[int], list[str]]]] = {}
    for tg in registry.targets:
        if tg.id in decided or tg.id not in set(table["target"]):
            continue
        ind = registry.indicator(tg)
        missing = {y for y in asked if y not in have.get(ind.id, set())}
        if not missing:
            continue
        tables = by_bureau.setdefault(bureau(ind, lang) or UNNAMED[lang], {})
        years, targets = tables.setdefault(bureau_table(ind, lang), (set(), []))
        years.update(missing)
        targets.append(name(tg, lang))
    requests = [BureauRequest(who, tuple(TableRequest(t, tuple(sorted(y)), tuple(n)) for t, (y, n) in tables.items()))
                for who, tables in by_bureau.items()]
    return sorted(requests, key=lambda r: (-r.n_targets, r.bureau == UNNAMED[lang], r.bureau))
