"""An analyst's values layered on a reference workspace's: the analyst's value for an indicator-year takes precedence.

Why layers: the public record is thin, and an analyst's bureau tables are the main road to an answer, but the
published figures are still evidence. So a workspace builds on the reference data, and where both give a value
the bureau's replaces the published one. Identical values are simply confirmed; different ones are listed with
both sources (`conflicts.csv`, the build report and the briefing), because a disagreement between a bureau table
and a published bulletin is itself a finding the reader must see. Each value keeps its own source id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..registry import Registry
from .processed import SOURCE_COLUMNS, conform
from .tables import TIDY_COLUMNS

CONFLICT_COLUMNS = ["indicator", "year", "published", "bureau", "difference", "published_source", "bureau_source"]
REL_TOL = 1e-9  # values already rounded to 12 significant digits: equal within this are the same figure


@dataclass(frozen=True)
class Layered:
    """The merged values and sources, and what the merge did, for the build report."""

    tidy: pd.DataFrame
    sources: pd.DataFrame
    conflicts: pd.DataFrame
    reference_id: str
    n_reference: int  # reference values kept
    n_confirmed: int  # reference values the workspace gives again, identically
    n_outside: int  # reference values of indicators this workspace's registry does not have (not used)


def check_source_ids(own: pd.DataFrame, reference: pd.DataFrame, own_label: str) -> None:
    """A workspace source id that the reference uses for another document would make provenance ambiguous."""
    ref = reference.set_index("id")
    clashes = [i for i in own["id"] if i in ref.index and
               tuple(own.loc[own["id"] == i, SOURCE_COLUMNS[1:]].iloc[0]) != tuple(ref.loc[i, SOURCE_COLUMNS[1:]])]
    if clashes:
        raise InputError("\n".join(f'{own_label}: source id "{i}" is already used by the reference data for '
                                   f'"{ref.loc[i, "title"]}"; expected another id for your source (e.g. B{n:02d})'
                                   for n, i in enumerate(clashes, 1)))


def reference_values(reference: pd.DataFrame, registry: Registry) -> tuple[pd.DataFrame, int]:
    """The reference values of indicators this registry has, in its units (`conform`), and how many were left out:
    an analyst may drop indicators from their copy of the registry, and those values must be counted, not lost."""
    inside = reference["indicator"].isin(set(registry.indicators))
    return conform(reference[inside], registry), int((~inside).sum())


def layer(own: pd.DataFrame, own_sources: pd.DataFrame, reference: pd.DataFrame, reference_sources: pd.DataFrame,
          reference_id: str, outside: int = 0) -> Layered:
    """Merge the workspace's tidy values (`own`, registry units) over the reference's (`reference_values`)."""
    both = reference.merge(own, on=["indicator", "year"], suffixes=("_ref", "_own"))
    same = np.isclose(both["value_ref"], both["value_own"], rtol=REL_TOL, atol=0.0)
    conflicts = pd.DataFrame({
        "indicator": both["indicator"], "year": both["year"], "published": both["value_ref"],
        "bureau": both["value_own"], "difference": both["value_own"] - both["value_ref"],
        "published_source": both["source_ref"], "bureau_source": both["source_own"],
    })[~same].sort_values(["indicator", "year"]).reset_index(drop=True)
    replaced = pd.MultiIndex.from_frame(both[["indicator", "year"]])
    kept = reference[~pd.MultiIndex.from_frame(reference[["indicator", "year"]]).isin(replaced)]
    tidy = pd.concat([kept[TIDY_COLUMNS], own[TIDY_COLUMNS]], ignore_index=True)
    tidy = tidy.sort_values(["indicator", "year"]).reset_index(drop=True)
    sources = pd.concat([reference_sources, own_sources], ignore_index=True).drop_duplicates("id")
    return Layered(tidy, sources, conflicts, reference_id, len(kept), int(same.sum()), outside)


def layers_report(result: Layered, shown: str) -> str:
    """The build report's section on the reference layer and the conflicts, in Markdown."""
    lines = [
        "", "## Reference layer", "",
        f"Built on the reference workspace `{result.reference_id}` ({shown}): {result.n_reference} of its values kept; "
        f"{result.n_confirmed} given again identically by this workspace; {len(result.conflicts)} replaced by a "
        f"different value of this workspace (below and in conflicts.csv)"
        + (f"; {result.n_outside} not used (indicators not in this workspace's registry)" if result.n_outside else "")
        + ".",
    ]
    if len(result.conflicts):
        lines += ["", "| indicator | year | published | bureau | difference | published source | bureau source |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r.indicator} | {r.year} | {r.published:g} | {r.bureau:g} | {r.difference:+g} | "
                  f"{r.published_source} | {r.bureau_source} |" for r in result.conflicts.itertuples()]
    return "\n".join(lines) + "\n"
