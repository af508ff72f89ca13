"""What change management offers to type-ahead pickers (``core.pickers``)."""

from itsm.change.models import AdvisoryBoard, Change, ChangeTemplate
from itsm.core.pickers import register_lookup

register_lookup(
    "change.change",
    Change,
    key="number",
    search=("number", "title"),
    label=lambda change: f"{change.number} · {change.title}",
)
register_lookup(
    "change.template",
    ChangeTemplate,
    key="code",
    search=("code", "name"),
    label=lambda template: f"{template.code} · {template.name}",
)
register_lookup(
    "change.board",
    AdvisoryBoard,
    queryset=lambda: AdvisoryBoard.objects.filter(is_active=True),
    key="code",
    search=("code", "name"),
    label=lambda board: f"{board.code} · {board.name}",
)
