"""``python -m mdvalidator``."""

import sys

from mdvalidator.cli import main

sys.exit(main())
