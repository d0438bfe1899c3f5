"""The status vocabulary: the IPCC likelihood words for P(meet), met / missed, and insufficient data.

One type for every stage that prints or colours a status, so a word can never be misspelt in one place.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from ..forecast.engine import InsufficientData


class Status(StrEnum):
    """What the assessment says of a target, low to high likelihood, then the observed outcomes and no data."""

    VERY_UNLIKELY = "very unlikely"
    UNLIKELY = "unlikely"
    ABOUT_EVEN = "about as likely as not"
    LIKELY = "likely"
    VERY_LIKELY = "very likely"
    MET = "met"
    MISSED = "missed"
    INSUFFICIENT = InsufficientData.label


LIKELIHOOD = (Status.VERY_UNLIKELY, Status.UNLIKELY, Status.ABOUT_EVEN, Status.LIKELY, Status.VERY_LIKELY)
FLAGGED = LIKELIHOOD[:2]  # a flag: unlikely or very unlikely
CALLS_MET = LIKELIHOOD[3:]  # likely or very likely: a call that the target will be met
OBSERVED = (Status.MET, Status.MISSED)
EDGES = (0.0, 0.10, 0.33, 0.66, 0.90, 1.0)  # the IPCC band edges, low to high


def status_word(p: float | None) -> Status:
    """IPCC calibrated language for P(meet); NaN means there was nothing honest to compute."""
    if p is None or not np.isfinite(p):
        return Status.INSUFFICIENT
    if p >= 0.90:
        return Status.VERY_LIKELY
    if p >= 0.66:
        return Status.LIKELY
    if p > 0.33:
        return Status.ABOUT_EVEN
    return Status.UNLIKELY if p > 0.10 else Status.VERY_UNLIKELY


def shown_p(status: str, p: float | None) -> float | None:
    """P(meet) as a reader sees it beside a status: None for a target decided by a published value (met or missed:
    the status says it, and ">99%" would read as a forecast) or without a probability."""
    if str(status) in OBSERVED or p is None or not np.isfinite(p):
        return None
    return float(p)
