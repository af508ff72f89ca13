"""Demo data of the catalog app (a step of `itsm demo`; idempotent, through services)."""

from __future__ import annotations


def load_catalog() -> int:
    """Create the demo records of this app once; return how many were created."""
    return 0
