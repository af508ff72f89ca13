"""What the improvement register offers to type-ahead pickers (``core.pickers``)."""

from itsm.core.pickers import register_lookup
from itsm.improvement.models import Item

register_lookup(
    "improvement.item",
    Item,
    key="number",
    search=("number", "title"),
    label=lambda item: f"{item.number} · {item.title}",
)
