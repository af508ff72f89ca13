"""How big the slow property, fuzz and kill tests run.

``make test`` runs them at a smaller default size that still exercises every branch they
check; CI (``.ci/run``) sets ``ITSM_FULL_TESTS=1`` and runs them at full size::

    ITSM_FULL_TESTS=1 make test

A test states both sizes where it declares them: ``EXAMPLES = size(dev=60, full=300)``.
"""

from __future__ import annotations

import os

#: whether this run is the full-size one (CI)
FULL = os.environ.get("ITSM_FULL_TESTS", "") not in ("", "0")


def size(*, dev: int, full: int, env: str | None = None) -> int:
    """*full* in a full-size run, *dev* otherwise; an integer in environment variable *env*
    (when given and set) overrides both, for one long local run of one test."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return full if FULL else dev
