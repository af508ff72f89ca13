"""What capacity management offers to type-ahead pickers (``core.pickers``)."""

from itsm.capacity.models import Metric
from itsm.core.pickers import register_lookup

register_lookup(
    "capacity.metric",
    Metric,
    key="id",
    search=("name", "key"),
    label=lambda metric: str(metric),
)
