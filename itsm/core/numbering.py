"""Human-readable numbers per record kind (X-04): INC-000123, CHG-000042, CI-001337 …

One row per prefix holds the last value; ``next_number`` increments it with a single
``UPDATE … SET last_value = last_value + 1`` inside the caller's transaction. On PostgreSQL
the row lock serialises concurrent creators; on SQLite the IMMEDIATE transaction does. A
number is therefore never handed out twice, and a rolled-back creation gives its number back.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from itsm.core.models import NumberSequence

#: Prefixes in use; a module adds its own here so that two kinds never share one.
PREFIXES = {
    "incident": "INC",
    "request": "REQ",
    "problem": "PRB",
    "known_error": "KE",
    "change": "CHG",
    "release": "REL",
    "ci": "CI",
    "knowledge": "KB",
    "agreement": "SLA",
    "ola": "OLA",
    "uc": "UC",
    "configuration_audit": "CFA",
    "sla_test_ticket": "SLT",
    "service": "SVC",
    "complaint": "CMP",
    "improvement": "SIP",
    "nonconformity": "NC",
    "risk": "RSK",
    "spare_request": "SPR",
    "audit": "AUD",
}
WIDTH = 6


def next_number(prefix: str, *, width: int = WIDTH) -> str:
    """Reserve and return the next number for *prefix*, e.g. ``INC-000124``."""
    if not prefix or not prefix.isalnum() or prefix.upper() != prefix:
        raise ValueError(f"prefix must be upper-case letters or digits, got {prefix!r}")
    with transaction.atomic():
        NumberSequence.objects.bulk_create([NumberSequence(prefix=prefix)], ignore_conflicts=True)
        NumberSequence.objects.filter(prefix=prefix).update(last_value=F("last_value") + 1)
        value = NumberSequence.objects.filter(prefix=prefix).values_list("last_value", flat=True)[0]
    return f"{prefix}-{value:0{width}d}"
