"""The two kinds of failure the user should see without a traceback, kept apart from bugs.

`InputError` is bad input the analyst must fix: its message names the file, the sheet and the cell (or line, or
record) and what was expected. `ModelError` is a forecasting model that cannot give a usable forecast for a series
(too short, exploded); the engine catches it and falls back, saying so in the forecast's notes. Neither is a
`ValueError`, so the command line, which catches only `InputError`, never shows a genuine bug as an input problem.
"""


class InputError(Exception):
    """Bad input, with a message naming the file, the sheet and the cell (or record) and what was expected."""


class ModelError(Exception):
    """A model cannot forecast this series (too short, non-finite, exploding): the engine falls back and says why."""
