"""Demo data of the improvement register (a step of ``itsm demo``; idempotent, through
services).

Runs after the SLM and desk demos: a half-yearly review meeting with Huaxin Bank agreed two
actions; one is raised as an improvement item (source "review action"), the other stays open
on the "review actions to raise" page. Besides: a closed item whose effect was measured on the
incident resolution rate before and after, one being implemented, one planned awaiting
approval (owned by ``maintainer``, approved by ``slm``: four eyes), and a proposed KPI-miss
item.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from itsm.core.models import Organisation, User
from itsm.improvement import services
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.models import Item
from itsm.kpi.registry import registry
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import ReviewKind
from itsm.slm.services import reviews

KPI_ID = "desk_resolution_rate"


def _month_bounds(day: datetime.date, months_back: int) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    for _step in range(months_back):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    nxt = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, nxt - datetime.timedelta(days=1)


def _review_actions(*, slm: User, maintainer: User, customer: Organisation, today) -> list:
    """Two actions of a held half-yearly review with *customer* (a meeting planned by hand)."""
    meeting = (
        slm_selectors.review_meetings_for(slm)
        .filter(customer=customer, title__startswith="改进评审")
        .first()
    )
    if meeting is None:
        agreement = slm_selectors.agreements_for(slm).filter(customer=customer).first()
        meeting = reviews.create_review(
            kind=ReviewKind.HALF_YEARLY_CUSTOMER,
            title="改进评审 Improvement review",
            due_date=today - datetime.timedelta(days=14),
            by=slm,
            agreement=agreement,
            customer=customer,
        )
    actions = list(meeting.actions.order_by("id"))
    if len(actions) >= 2:
        return actions[:2]
    texts = [
        ("缩短网银故障的恢复时间 Shorten e-banking outage recovery", maintainer),
        ("每月向客户发送变更日历 Send the change calendar monthly", slm),
    ]
    for description, owner in texts[len(actions) :]:
        actions.append(
            reviews.add_action_item(
                meeting=meeting,
                description=description,
                owner=owner,
                due_date=today + datetime.timedelta(days=30),
                by=slm,
            )
        )
    return actions


def _has_value(kpi_id: str, period, *, user, customer) -> bool:
    kpi = registry.get(kpi_id)
    if kpi is None:
        return False
    first, after = services.day_bounds(*period)
    measure = kpi.compute(period_start=first, period_end=after, customer=customer, user=user)
    return measure.value is not None


def _periods_with_data(kpi_id: str, *, user, customer, today):
    """The "before" month (two to six months back) for which *kpi_id* has a value, when last
    month has one too; else ``(three months back, "")``: the effect is then told in words."""
    fallback = _month_bounds(today, 3)
    if not kpi_id or not _has_value(kpi_id, _month_bounds(today, 1), user=user, customer=customer):
        return fallback, ""
    for back in range(2, 7):
        period = _month_bounds(today, back)
        if _has_value(kpi_id, period, user=user, customer=customer):
            return period, kpi_id
    return fallback, ""


def load_improvement() -> int:
    """Create the demo's improvement items once; return how many were created."""
    users = {u.username: u for u in User.objects.filter(username__in=["slm", "maintainer"])}
    slm, maintainer = users.get("slm"), users.get("maintainer")
    customer = Organisation.objects.filter(code="huaxin-bank").first()
    if slm is None or maintainer is None or customer is None:
        return 0
    if Item.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    kpi = KPI_ID if registry.get(KPI_ID) else ""

    # from a review meeting's action (the second action stays open, to be raised)
    actions = _review_actions(slm=slm, maintainer=maintainer, customer=customer, today=today)
    item = services.raise_from_review_action(actions[0], by=maintainer)
    created += 1
    services.update_item(
        item,
        by=maintainer,
        goal="网银故障平均恢复时间降至 2 小时以内 E-banking MTRS under 2 hours",
        plan="编写网银故障处置手册并演练 Write and rehearse the e-banking runbook",
        due_date=today + datetime.timedelta(days=45),
    )
    services.move(item, ItemStatus.PLANNED, by=maintainer)

    # closed with its measured effect on the resolution rate (an earlier month with data
    # before, last month after)
    after = _month_bounds(today, 1)
    before, kpi = _periods_with_data(kpi, user=maintainer, customer=customer, today=today)
    item = services.create_item(
        by=maintainer,
        source=ItemSource.AUDIT,
        source_key="AUD-2026-03",
        title="一线解决率偏低 Low first-line resolution",
        goal="提升事件解决率 Raise the incident resolution rate",
        owner=maintainer,
        customer=customer,
        plan="补充知识库文章并培训服务台 Write articles and train the desk",
        due_date=today,
        kpi_id=kpi,
        before_start=before[0],
        before_end=before[1],
        after_start=after[0],
        after_end=after[1],
    )
    created += 1
    services.move(item, ItemStatus.PLANNED, by=maintainer)
    services.move(item, ItemStatus.APPROVED, by=slm, note="同意 Approved")
    services.move(item, ItemStatus.IMPLEMENTING, by=maintainer)
    services.move(
        item,
        ItemStatus.VERIFYING,
        by=maintainer,
        implementation_notes="新增 12 篇知识文章，完成两次培训 12 articles, two trainings",
    )
    if kpi:
        services.measure_effect(item, by=maintainer)
    services.record_effect(
        item, by=maintainer, effect_note="解决率对比见上 See the resolution rate before/after"
    )
    services.move(item, ItemStatus.CLOSED, by=maintainer, note="有效 Effective")

    # being implemented
    item = services.create_item(
        by=maintainer,
        source=ItemSource.COMPLAINT,
        source_key="CMP-000001",
        title="夜间电话等待过长 Long night-time call waits",
        goal="夜间接通率 95% Night answer rate 95%",
        owner=maintainer,
        plan="调整夜班排班 Adjust the night shift roster",
        due_date=today + datetime.timedelta(days=20),
    )
    created += 1
    services.move(item, ItemStatus.PLANNED, by=maintainer)
    services.move(item, ItemStatus.APPROVED, by=slm)
    services.move(item, ItemStatus.IMPLEMENTING, by=maintainer)

    # proposed from a missed KPI (what the objectives raise)
    services.raise_item(
        source=ItemSource.KPI_MISS,
        source_key=f"{KPI_ID}:{after[0]:%Y-%m}",
        title="事件解决率未达标 Incident resolution rate below target",
        by=slm,
        customer=customer,
        kpi_id=kpi,
        period_start=after[0],
        period_end=after[1],
    )
    created += 1
    return created
