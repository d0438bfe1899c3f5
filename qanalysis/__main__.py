"""`python -m qanalysis ...` runs the same command line as the `qanalysis` script."""

import sys

from .cli import main

sys.exit(main())
