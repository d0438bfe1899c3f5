"""Interactive what-if for JupyterLab: pick a target, a vintage, a model and next year's expected value.

The widget only wires controls to `explore_view`, which does the work and is unit-tested: an analyst's expected
value for the year after `as_of` is added as if it were published, and the target is re-assessed as of that year,
so the fan chart, P(meet) and reason show what that value would mean.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..assessment.assess import Outlook, outlook_for
from ..forecast.engine import candidate_names
from ..lang import Lang, as_lang
from ..registry import Registry
from .fanchart import fan_chart
from .labels import name

AUTO = "auto"


def what_if_outlook(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, model: str | None = None,
                    next_value: float | None = None, seed: int = 0) -> Outlook:
    """The outlook as of `as_of`, or, with `next_value`, as of the next year with that value taken as published."""
    model = None if model in (None, AUTO) else model
    if next_value is None:
        return outlook_for(registry, data, target_id, as_of, seed=seed, model=model)
    return outlook_for(registry, data, target_id, as_of + 1, seed=seed, model=model,
                       extra_values={as_of + 1: float(next_value)})


def explore_view(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, model: str | None = None,
                 next_value: float | None = None, lang: Lang | str = Lang.ZH, seed: int = 0) -> tuple[Figure, dict]:
    """(fan chart, assessment row) for one choice of the controls."""
    outlook = what_if_outlook(registry, data, target_id, as_of, model, next_value, seed)
    return fan_chart(outlook, lang=lang), outlook.row


def widget(registry: Registry, data: pd.DataFrame, as_of: int | None = None, lang: Lang | str = Lang.ZH) -> Any:
    """Controls (target, as-of year, model, what-if value) that redraw the fan chart and the reason.

    The as-of slider runs over the registry's years, from `data_from` (the first year asked for) to the last target
    year; it starts at `as_of`, by default the year before the last target year (the last outlook before the end)."""
    import ipywidgets as w
    from IPython.display import display

    lang = as_lang(lang)
    target = w.Dropdown(options=[(f"{t.id} {name(t, lang)}", t.id) for t in registry.targets],
                        value="e_pm25" if any(t.id == "e_pm25" for t in registry.targets) else registry.targets[0].id,
                        description="target")
    start = registry.target_year - 1 if as_of is None else as_of
    year = w.IntSlider(value=start, min=registry.data_from, max=registry.target_year, description="as of")
    model = w.Dropdown(options=[AUTO, *candidate_names()], value=AUTO, description="model")
    use_what_if = w.Checkbox(value=False, description="what-if next year")
    value = w.FloatText(value=0.0, description="value")

    def show(target_id, as_of_year, model_name, use, next_value):
        fig, row = explore_view(registry, data, target_id, as_of_year, model_name, next_value if use else None, lang)
        display(fig)
        print(f"{row['status']} — P(meet) = {row['p_meet']}\n{row['reason']}\n{row['method']}")

    out = w.interactive_output(show, {"target_id": target, "as_of_year": year, "model_name": model,
                                      "use": use_what_if, "next_value": value})
    return w.VBox([w.HBox([target, year, model]), w.HBox([use_what_if, value]), out])
