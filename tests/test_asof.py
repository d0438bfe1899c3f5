"""The vintage rule: nothing after `as_of` may influence anything computed as of it.

On the real registry (31 targets, all five kinds, proxies) and a realistic frame of every indicator over 2010-2024
with gaps, changing or deleting any value after `as_of` must leave assess(), assess_proxies() and the outlooks'
forecasts exactly as they were, for several as-of years. A control shows the comparison can fail: changing a value
at `as_of` does change the assessment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qanalysis.assessment import assess as A
from qanalysis.registry import load_registry

REGISTRY = load_registry()
YEARS = np.arange(2010, 2025)


def _series(rng: np.random.Generator, scale: str, flow: bool) -> np.ndarray:
    n = len(YEARS)
    if scale == "share":
        z = rng.uniform(-1.5, 1.5) + np.cumsum(rng.normal(0.08, 0.1, n))
        return np.round(100 / (1 + np.exp(-z)), 1)
    if scale == "score":
        return np.round(np.clip(75 + np.cumsum(rng.normal(0.6, 0.5, n)), 0, 100), 2)
    if scale == "growth":
        return np.round(rng.uniform(3, 9) + rng.normal(0, 2, n), 1)
    if scale == "rank":
        return rng.choice([1.0, 1.0, 2.0], n)
    if scale == "count" and flow:
        return rng.poisson(rng.uniform(0.3, 20), n).astype(float)
    if scale == "count":
        return np.round(rng.uniform(20, 300) * np.exp(np.cumsum(rng.normal(0.08, 0.05, n))))
    return np.round(rng.uniform(10, 100) * np.exp(np.cumsum(rng.normal(0.03, 0.06, n))), 2)  # level


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(27)
    rows = []
    for ind in REGISTRY.indicators.values():
        values = _series(rng, ind.scale, ind.flow)
        keep = rng.random(len(YEARS)) > 0.2  # about one year in five unpublished: gaps
        rows += [(ind.id, int(y), float(v), ind.unit, "S01") for y, v, k in zip(YEARS, values, keep) if k]
    return pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "source"])


def _everything(data: pd.DataFrame, as_of: int, paths: bool = False) -> tuple:
    """assess() and assess_proxies() frames, and (when asked) every outlook's history and sample paths."""
    out = (A.assess(REGISTRY, data, as_of), A.assess_proxies(REGISTRY, data, as_of))
    if paths:
        out += tuple((o.history, None if o.forecast is None else o.forecast.paths)
                     for o in A.outlooks(REGISTRY, data, as_of))
    return out


def _same(a: tuple, b: tuple) -> None:
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert len(a) == len(b)
    for (ha, pa), (hb, pb) in zip(a[2:], b[2:]):
        pd.testing.assert_series_equal(ha, hb)
        assert (pa is None and pb is None) or np.array_equal(pa, pb)


@pytest.mark.parametrize("as_of", [2016, 2018, 2019, 2021])
def test_values_after_as_of_change_nothing(data, as_of):
    base = _everything(data, as_of, paths=True)
    assert set(base[0]["status"]) - {"insufficient data"}, "the frame must give real assessments"
    later = data["year"] > as_of
    changed = data.copy()
    changed.loc[later, "value"] = changed.loc[later, "value"] * 3 + 7  # every later value changed
    _same(base, _everything(changed, as_of, paths=True))
    base = base[:2]
    _same(base, _everything(data[~later], as_of))  # every later value deleted
    one = data.copy()
    one.loc[later.idxmax(), "value"] = -1e9  # a single later value made absurd
    _same(base, _everything(one, as_of))
    extra = pd.concat([data, pd.DataFrame([("e_pm25", 2099, 1.0, "微克/立方米", "S01")], columns=data.columns)])
    _same(base, _everything(extra, as_of))  # a far-future row added


def test_control_a_value_at_as_of_does_change_the_assessment(data):
    as_of = 2019
    base = A.assess(REGISTRY, data, as_of)
    at = (data["indicator"] == "e_pm25") & (data["year"] <= as_of)
    changed = data.copy()
    changed.loc[at[at].index[-1], "value"] *= 0.5
    after = A.assess(REGISTRY, changed, as_of)
    assert not base.equals(after)
    latest = [t.set_index("target").loc["e_pm25", "latest_value"] for t in (base, after)]
    assert latest[0] != latest[1]
