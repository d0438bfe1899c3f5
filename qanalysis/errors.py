"""One exception type for input the analyst must fix; the CLI prints its message without a traceback."""


class InputError(ValueError):
    """Bad input, with a message naming the file, the sheet and the cell (or record) and what was expected."""
