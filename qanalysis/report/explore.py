"""Interactive what-if for JupyterLab: pick a target, a vintage, a model and next year's expected value.

The widget only wires controls to `explore_view`, which does the work and is unit-tested: an analyst's expected
value for the year after `as_of` is added as if it were published, and the target is re-assessed as of that year,
so the fan chart, P(meet) and reason show what that value would mean.

Saved or exported without a live kernel, a widget is only its text form ("VBox(children=(…"), which tells a reader
nothing. So the widget also carries a static view of its first selection (the fan chart, the assessment row and its
reason, as HTML): JupyterLab with a kernel shows the controls, an exported page shows that view.
"""

from __future__ import annotations

import base64
import html
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..assessment.assess import Outlook, outlook_for
from ..forecast.engine import candidate_names
from ..lang import Lang, as_lang
from ..registry import Registry
from .fanchart import fan_chart
from .labels import name, reason
from .style import png_bytes
from .tables import scorecard, show

AUTO = "auto"
NOTE = {Lang.ZH: "交互式探索需要运行中的内核；此处为默认选择的静态视图。",
        Lang.EN: "The interactive explorer needs a live kernel; shown here is a static view of its default selection."}


def default_target(registry: Registry, data: pd.DataFrame, as_of: int) -> str:
    """The target the explorer opens on: the first (in registry order) with the most values of its own measure up
    to `as_of`, so it opens on a chart with something to see in any workspace."""
    visible = data[pd.to_numeric(data["year"]) <= as_of]
    counts = visible.groupby("indicator")["year"].nunique()
    return max(registry.targets, key=lambda t: int(counts.get(t.indicator, 0))).id  # max keeps the first of ties


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
    return fan_chart(outlook, lang=lang, units=registry.units), outlook.row


def static_view(registry: Registry, data: pd.DataFrame, target_id: str, as_of: int, lang: Lang | str = Lang.ZH) -> str:
    """One selection as HTML that needs no kernel: the fan chart (an embedded PNG), the one-row scorecard, the
    reason and a note that the controls need a live kernel."""
    lang = as_lang(lang)
    outlook = what_if_outlook(registry, data, target_id, as_of)
    png = base64.b64encode(png_bytes(fan_chart(outlook, lang=lang, units=registry.units))).decode("ascii")
    table = show(scorecard(pd.DataFrame([outlook.row]), registry, lang), lang)._repr_html_()
    return (f'<img alt="{target_id}" src="data:image/png;base64,{png}"/>\n{table}\n'
            f"<p>{html.escape(reason(outlook.row, lang), quote=False)}</p>\n<p><em>{NOTE[lang]}</em></p>")


def widget(registry: Registry, data: pd.DataFrame, as_of: int | None = None, lang: Lang | str = Lang.ZH,
           target_id: str | None = None) -> Any:
    """Controls (target, as-of year, model, what-if value) that redraw the fan chart and the reason.

    The as-of slider runs over the registry's years, from `data_from` (the first year asked for) to the last target
    year; it starts at `as_of`, by default the year before the last target year (the last outlook before the end).
    The target starts at `target_id`, by default `default_target`. Without a kernel the widget shows `static_view`
    of that first selection instead of its text form."""
    import ipywidgets as w
    from IPython.display import display

    class Explorer(w.VBox):
        """The controls, whose rich display also holds the static view (shown where the widget cannot be)."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            data_ = bundle[0] if isinstance(bundle, tuple) else bundle
            if data_ is not None:
                data_["text/html"] = static_view(registry, data, target.value, year.value, lang)
                data_["text/plain"] = NOTE[as_lang(lang)]
            return bundle

    lang = as_lang(lang)
    start = registry.target_year - 1 if as_of is None else as_of
    target = w.Dropdown(options=[(f"{t.id} {name(t, lang)}", t.id) for t in registry.targets],
                        value=target_id or default_target(registry, data, start), description="target")
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
    return Explorer([w.HBox([target, year, model]), w.HBox([use_what_if, value]), out])
