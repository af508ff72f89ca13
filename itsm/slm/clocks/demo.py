"""Demo SLA test tickets (a step of ``itsm demo``; idempotent, through services): one opened
seven hours ago on Huaxin Bank's 7×24 SLA, so the worker's first sweep warns and breaches
it, and one opened at load time on East Logistics' 5×8 SLA."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from itsm.core.choices import Priority
from itsm.slm.choices import AgreementKind, AgreementStatus
from itsm.slm.clocks.models import SlaTestTicket
from itsm.slm.clocks.services import testtickets
from itsm.slm.selectors import all_agreements

TICKETS = [
    # (customer code, title, priority, hours ago)
    ("huaxin-bank", "网银登录缓慢(演示)Online banking login is slow (demo)", Priority.P2, 7),
    ("east-logistics", "仓储系统打印失败(演示)WMS printing fails (demo)", Priority.P3, 0),
]


def load_clocks() -> int:
    """Open the demo test tickets once; return how many were created."""
    created = 0
    now = timezone.now()
    for customer_code, title, priority, hours_ago in TICKETS:
        if SlaTestTicket.objects.filter(title=title).exists():
            continue
        agreement = (
            all_agreements()
            .filter(
                kind=AgreementKind.SLA,
                status=AgreementStatus.ACTIVE,
                customer__code=customer_code,
            )
            .order_by("pk")
            .first()
        )
        if agreement is None:
            continue
        testtickets.create_test_ticket(
            title=title,
            agreement=agreement,
            priority=priority,
            service=agreement.services.order_by("code").first(),
            opened_at=now - timedelta(hours=hours_ago),
        )
        created += 1
    return created
