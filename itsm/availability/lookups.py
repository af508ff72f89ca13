"""What availability management offers to type-ahead pickers (``core.pickers``)."""

from itsm.availability.models import Outage
from itsm.core.pickers import register_lookup

register_lookup(
    "availability.outage",
    Outage,
    key="number",
    search=("number", "description"),
    label=lambda outage: f"{outage.number} · {outage.service}",
)
