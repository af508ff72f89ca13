"""Demo data of availability management (a step of ``itsm demo``; idempotent, through
services).

Runs after the desk and change demos: the outages of the demo's P1/P2 and major incidents and
of its implemented changes (the sync), then, on the first service of the bank's SLA, an
unplanned outage entered by hand last month and a planned interruption (a maintenance night).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from itsm.availability import services
from itsm.availability.choices import OutageKind, OutageSource
from itsm.availability.models import Outage
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import AgreementKind


def load_availability() -> int:
    """Sync the outages and add two outages by hand; returns the outages created."""
    before = Outage.objects.count()
    services.sync_outages()
    if not Outage.objects.filter(reference__startswith="demo-").exists():
        sla = (
            slm_selectors.all_agreements()
            .filter(kind=AgreementKind.SLA, customer__code="huaxin-bank")
            .order_by("id")
            .first()
        ) or slm_selectors.all_agreements().filter(kind=AgreementKind.SLA).order_by("id").first()
        service = sla.services.order_by("id").first() if sla is not None else None
        if sla is not None and service is not None:
            by = None  # recorded by the system, as the sync does
            zone = timezone.get_current_timezone()
            first = timezone.localdate().replace(day=1)
            last_month = (first - timedelta(days=1)).replace(day=1)
            # a Wednesday of last month, 10:00–11:30: a database failover
            day = last_month + timedelta(days=(2 - last_month.weekday()) % 7 + 7)
            start = datetime.combine(day, time(10, 0), zone)
            services.record_outage(
                by=by,
                service=service,
                customer=sla.customer,
                kind=OutageKind.UNPLANNED,
                source=OutageSource.MANUAL,
                started_at=start,
                ended_at=start + timedelta(minutes=90),
                reference="demo-failover",
                description="数据库主备切换失败,服务中断 (database failover failed)",
            )
            # the Saturday night after it: the agreed monthly maintenance window
            saturday = day + timedelta(days=3)
            night = datetime.combine(saturday, time(22, 0), zone)
            services.record_outage(
                by=by,
                service=service,
                customer=None,
                kind=OutageKind.PLANNED,
                source=OutageSource.MANUAL,
                started_at=night,
                ended_at=night + timedelta(hours=4),
                reference="demo-maintenance",
                description="月度例行维护窗口 (monthly maintenance window)",
            )
    return Outage.objects.count() - before
