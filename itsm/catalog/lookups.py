"""What the service catalogue offers to type-ahead pickers (``core.pickers``)."""

from itsm.catalog.models import Service
from itsm.core.pickers import register_lookup

register_lookup(
    "catalog.service",
    Service,
    key="code",
    search=("code", "name"),
    label=lambda service: f"{service.code} · {service.name}",
)
