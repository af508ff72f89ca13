"""Demo data of the cmdb app (a step of `itsm demo`; idempotent, through services)."""

from __future__ import annotations


def load_cmdb() -> int:
    """Create the demo records of this app once; return how many were created."""
    return 0
