"""What the engine did to a series on the way to its forecast, as notes a reader can be shown.

Every fallback, clipping and calibration step becomes a `Note`: a key saying what kind of step it was and the
sentence saying what was done. The keys in `CAPTION` change how a chart's numbers must be read (values moved for the
logit, a fallback model, paths cut at zero), so the fan chart prints those under the chart; the rest (which
candidates were left out, the calibrated interval scale) stay in the `notes` column of the forecast and
assessment files and in the log.
"""

from __future__ import annotations

from dataclasses import dataclass

CAPTION = frozenset({"out_of_range", "moved_to_bounds", "zero_raw", "negative_raw", "missing", "fallback",
                     "cut_at_zero"})


@dataclass(frozen=True)
class Note:
    """One step the engine took: `key` (what kind) and `text` (what was done, in English)."""

    key: str
    text: str

    @property
    def caption(self) -> bool:
        """Whether a chart of this forecast must say it (see CAPTION)."""
        return self.key in CAPTION

    def __str__(self) -> str:
        return self.text
