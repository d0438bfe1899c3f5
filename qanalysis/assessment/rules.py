"""Rules shared by the judgement of each kind of target (`kinds`) and the official cross-checks (`crosschecks`).

Both read the same visible history, so how old a latest value may be, what "recent" means, how growth rates are
averaged and when a milestone is reached are decided here once: the two can disagree on the outlook, never on the rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry import Indicator, Target

STALE_YEARS = 5  # a latest value older than this before the as-of year is too old to project from
RECENT_YEARS = 5  # Eurostat's short term: the pace of the cross-checks and the "recent trend" quoted in reasons
_FAR_PAST = -10**9


def mean_growth(growth: np.ndarray) -> np.ndarray:
    """Average annual growth in % over the last axis: the geometric mean of (1 + g/100), as a target's "年均" is
    defined."""
    return 100 * (np.exp(np.mean(np.log(1 + np.maximum(growth, -99.9) / 100), axis=-1)) - 1)


def milestone_running(tg: Target, ind: Indicator, hist: pd.Series) -> pd.Series:
    """What a milestone is judged on, up to the target year: for a flow (annual additions) the running sum from the
    window's first year, for a stock the values themselves. Reached once is reached for good."""
    start = tg.window_start if ind.flow and tg.window_start is not None else _FAR_PAST
    seen = hist[(hist.index >= start) & (hist.index <= tg.target_year)]
    return seen.cumsum() if ind.flow else seen
