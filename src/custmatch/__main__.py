"""``python -m custmatch``: the same as the ``custmatch`` command."""

from __future__ import annotations

import sys

from custmatch.cli import main

sys.exit(main())
