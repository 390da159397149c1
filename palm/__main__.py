"""Entry point for `python -m palm`."""

import sys

from palm.cli import main

sys.exit(main())
