"""Demo data of the slm app (a step of `itsm demo`; idempotent, through services).

One active SLA per demo customer over its published services (huaxin-bank and city-hospital
7×24, east-logistics China 5×8), P1–P4 response/resolution targets and 99.9 % availability,
an OLA with the server team and a UC with dawn-hardware underpinning the bank's SLA (the UC's
P1 resolution is deliberately weaker, so the underpinning warning shows), a few requirements
traced to targets and this year's review schedule.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from itsm.core.calendars.models import BusinessCalendar
from itsm.core.models import Organisation, Team, User
from itsm.slm.models import Agreement, Requirement
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements as requirement_services
from itsm.slm.services import reviews

TIMES = {"p1": (15, 240), "p2": (30, 480), "p3": (120, 1440), "p4": (240, 2880)}
SLAS = [
    ("huaxin-bank", "华信银行 IT 服务级别协议 (Huaxin Bank SLA)", "7x24"),
    ("city-hospital", "市第一人民医院 IT 服务级别协议 (City Hospital SLA)", "7x24"),
    ("east-logistics", "东方物流 IT 服务级别协议 (East Logistics SLA)", "cn-5x8"),
]


def _validity() -> dict:
    """From 1 January of this year to the end of next year, so the demo stays in force."""
    year = timezone.localdate().year
    return {
        "valid_from": datetime.date(year, 1, 1),
        "valid_to": datetime.date(year + 1, 12, 31),
    }


def _published_services(customer):
    try:
        from itsm.catalog.selectors import published_services
    except ImportError:  # pragma: no cover
        return []
    return list(published_services(customer=customer))


def _sign(agreement, by):
    """*by* (the service level manager) negotiates, signs and activates what the maintainer
    drafted (four eyes)."""
    for to in ("negotiating", "signed", "active"):
        agreement_services.transition_agreement(agreement, to=to, by=by)


def _targets(agreement, by, times=TIMES, availability="99.9"):
    for priority, (response, resolution) in times.items():
        agreement_services.add_target(
            agreement=agreement, by=by, metric="response", priority=priority, target_value=response
        )
        agreement_services.add_target(
            agreement=agreement,
            by=by,
            metric="resolution",
            priority=priority,
            target_value=resolution,
        )
    if availability:
        agreement_services.add_target(
            agreement=agreement,
            by=by,
            metric="availability",
            target_value=availability,
            measurement_method="(约定服务时间 − 停机时间) / 约定服务时间,按月 "
            "((agreed service time − downtime) / agreed service time, monthly)",
        )


def _indicators(agreement, by):
    """Two "other" indicators: the agreement's SLA achievement target (compared with the
    achievement in the SLA reports) and a satisfaction score measured outside the product."""
    agreement_services.add_target(
        agreement=agreement,
        by=by,
        metric="other",
        indicator_kind="sla_achievement",
        name="服务级别达成率 (SLA achievement)",
        target_value="95",
        unit="percent",
        measurement_method="达标的计时 / 已计量的计时 (met clocks / measured clocks), monthly",
    )
    agreement_services.add_target(
        agreement=agreement,
        by=by,
        metric="other",
        name="客户满意度 (Customer satisfaction)",
        target_value="4.5",
        unit="score",
        measurement_method="季度满意度调查平均分,1–5 分 (mean score of the quarterly survey, 1–5)",
        frequency="quarterly",
    )


def load_slm() -> int:
    """Create the demo agreements once; return how many records were created."""
    by = User.objects.filter(username="slm").first()
    if by is None or Agreement.objects.filter(title=SLAS[0][1]).exists():
        return 0
    # four eyes (seed 003): the agreement maintainer drafts, the service level manager signs;
    # without a maintainer the system drafts
    drafter = User.objects.filter(username="maintainer").first()
    contacts = {
        u.organisation.code: str(u)
        for u in User.objects.filter(
            username__in=["bank-contact", "hospital", "supplier"]
        ).select_related("organisation")
        if u.organisation is not None
    }
    engineer = User.objects.filter(username="engineer").first()
    created = 0
    with transaction.atomic():
        slas = {}
        for code, title, calendar_code in SLAS:
            customer = Organisation.objects.filter(code=code).first()
            calendar = BusinessCalendar.objects.filter(code=calendar_code).first()
            if customer is None or calendar is None:
                continue
            sla = agreement_services.create_agreement(
                kind="sla",
                title=title,
                by=drafter,
                customer=customer,
                calendar=calendar,
                services=_published_services(customer),
                provider_signatory=str(by),
                customer_signatory=contacts.get(code, str(customer.name)),
                contacts="服务台 7×24:400-800-0000,servicedesk@example.com "
                "(Service desk 7×24: 400-800-0000, servicedesk@example.com)",
                priority_guide="P1:整个服务中断;P2:关键功能中断;P3:单个用户受影响;"
                "P4:请求或咨询 (P1: whole service down; P2: a key function down; "
                "P3: single user affected; P4: request or question)",
                escalation_rules="达到指标 75% 时预警;违约时通知服务级别经理和客户联系人 "
                "(Warning at 75 % of a target; breach notified to the "
                "service level manager and the customer contact)",
                complaint_procedure="投诉提交服务级别经理,2 个工作日内答复 "
                "(Complaints to the service level manager, answered within 2 working days)",
                planned_interruptions="维护窗口:周日 00:00–04:00,提前 5 个工作日通知 "
                "(Maintenance windows: Sunday 00:00–04:00, announced 5 working days before)",
                **_validity(),
            )
            _targets(sla, drafter)
            if code == "huaxin-bank":
                _indicators(sla, by)
            _sign(sla, by)
            slas[code] = sla
            created += 1
        bank = slas.get("huaxin-bank")
        if bank is not None:
            team = Team.objects.filter(code="server").first()
            if team is not None:
                ola = agreement_services.create_agreement(
                    kind="ola",
                    title="服务器组运营级别协议 (Server group OLA)",
                    by=drafter,
                    team=team,
                    calendar=bank.calendar,
                    underpins=[bank],
                    provider_signatory=str(by),
                    customer_signatory=str(engineer) if engineer else str(team),
                    **_validity(),
                )
                _targets(
                    ola, drafter, times={"p1": (10, 180), "p2": (20, 360)}, availability="99.95"
                )
                _sign(ola, by)
                created += 1
            supplier = Organisation.objects.filter(code="dawn-hardware").first()
            if supplier is not None:
                uc = agreement_services.create_agreement(
                    kind="uc",
                    title="曙光硬件维保支持合同 (Dawn Hardware maintenance UC)",
                    by=drafter,
                    supplier=supplier,
                    calendar=bank.calendar,
                    underpins=[bank],
                    provider_signatory=str(by),
                    customer_signatory=contacts.get(supplier.code, str(supplier.name)),
                    **_validity(),
                )
                # P1 resolution 480 > the SLA's 240: the underpinning warning shows in the demo
                _targets(uc, drafter, times={"p1": (10, 480), "p2": (20, 360)}, availability="")
                _sign(uc, by)
                created += 1
            # a later edit of the signed SLA, authorised by a change
            agreement_services.update_agreement(
                bank,
                by=by,
                change_reference="CHG-000001",
                workload_limits="每月最多 300 张工单,超出部分按单收费 "
                "(Up to 300 tickets per month; more are charged per ticket)",
            )
            for kind, title, metric in (
                (
                    "availability",
                    "网上银行可用性不低于 99.9% (online banking 99.9 %)",
                    "availability",
                ),
                (
                    "continuity",
                    "重大故障 4 小时内恢复 (major incidents restored in 4 h)",
                    "resolution",
                ),
            ):
                targets = bank.targets.filter(metric=metric)
                if metric == "resolution":
                    targets = targets.filter(priority="p1")
                requirement = requirement_services.create_requirement(
                    customer=bank.customer, kind=kind, title=title, by=by, targets=list(targets)
                )
                requirement_services.review_requirement(requirement, by=by, status="agreed")
                created += 1
            if not Requirement.objects.filter(customer=bank.customer, kind="reporting").exists():
                requirement_services.create_requirement(
                    customer=bank.customer,
                    kind="reporting",
                    title="每月 5 日前提交服务报告 (monthly service report by the 5th)",
                    by=by,
                )
                created += 1
        for agreement in Agreement.objects.filter(status="active"):
            reviews.generate_review_schedule(agreement, year=timezone.localdate().year, by=by)
    return created
