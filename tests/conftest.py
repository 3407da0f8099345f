"""Shared test configuration.

Hypothesis explores new random examples on every local run (that is how it finds bugs).
In CI (``CI`` set) the examples are derived from each test's own source instead, so a run
is reproducible and a red CI always points at a change, not at a lucky draw; the number of
examples per property is the same.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
