"""``python -m labjournal.cli``: the ``labjournal`` command."""

import sys

from labjournal.cli import main

sys.exit(main())
