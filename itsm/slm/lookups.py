"""What service level management offers to type-ahead pickers (``core.pickers``)."""

from itsm.core.pickers import register_lookup
from itsm.slm.choices import AgreementKind
from itsm.slm.models import Agreement

register_lookup(
    "slm.sla",
    Agreement,
    queryset=lambda: Agreement.objects.filter(kind=AgreementKind.SLA),
    key="number",
    search=("number", "title"),
    label=lambda agreement: f"{agreement.number} · {agreement.title}",
)
