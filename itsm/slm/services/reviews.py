"""Review meetings of seed 003 §5.2 and their action items (R-SLM-07)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.slm.choices import (
    DEFAULT_AGENDA,
    REVIEW_TITLES,
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    ReviewKind,
    ReviewStatus,
)
from itsm.slm.models import (
    ActionItem,
    Agreement,
    ReviewMeeting,
)
from itsm.slm.services._common import (
    _clean_and_save,
    _err,
)

# --- review meetings (R-SLM-07) ---------------------------------------------------------------

#: seed 003 §5.2 "相关时间要求": the day of the month a meeting is due by, per kind
REVIEW_DAY: dict[str, int] = {
    ReviewKind.MONTHLY_INTERNAL: 10,
    ReviewKind.HALF_YEARLY_CUSTOMER: 15,
    ReviewKind.ANNUAL: 20,
}
REVIEW_MONTHS: dict[str, tuple[int, ...]] = {
    ReviewKind.MONTHLY_INTERNAL: tuple(range(1, 13)),
    ReviewKind.HALF_YEARLY_CUSTOMER: (1, 7),
    ReviewKind.ANNUAL: (1,),
}


def office_calendar(agreement: Agreement | None = None):
    """The calendar review dates are postponed by: the agreement's service hours when they
    observe holidays, otherwise the China statutory working-day calendar (``cn-5x8`` or any
    active calendar with holiday region CN); ``None`` means Monday–Friday."""
    from itsm.core.calendars.models import BusinessCalendar

    calendar = getattr(agreement, "calendar", None)
    if calendar is not None and calendar.holiday_region:
        return calendar
    return (
        BusinessCalendar.objects.filter(code="cn-5x8").first()
        or BusinessCalendar.objects.filter(holiday_region="CN", is_active=True)
        .order_by("pk")
        .first()
    )


def next_working_day(day: datetime.date, calendar) -> datetime.date:
    """*day* if it is a working day of *calendar*, else the next one ("如遇节假日可顺延")."""
    if calendar is None:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day
    from itsm.core.calendars.businesstime import engine_for

    engine = engine_for(calendar)
    for _step in range(60):
        if engine.intervals_on(day):
            return day
        day += datetime.timedelta(days=1)
    return day  # pragma: no cover - a calendar without working days in 60 days


def review_due_dates(kind: str, year: int, calendar) -> list[datetime.date]:
    """The due dates of *kind* meetings in *year*, postponed past non-working days."""
    return [
        next_working_day(datetime.date(year, month, REVIEW_DAY[kind]), calendar)
        for month in REVIEW_MONTHS[kind]
    ]


def _review_kinds(agreement: Agreement) -> tuple[str, ...]:
    if agreement.kind == AgreementKind.SLA:
        return (ReviewKind.MONTHLY_INTERNAL, ReviewKind.HALF_YEARLY_CUSTOMER, ReviewKind.ANNUAL)
    return (ReviewKind.MONTHLY_INTERNAL, ReviewKind.ANNUAL)


def generate_review_schedule(agreement: Agreement, *, year: int, by=None) -> list[ReviewMeeting]:
    """Plan the review meetings of *agreement* in *year* (seed 003 §5.2); idempotent.

    Monthly internal contract-execution reviews (provider-internal: no customer), half-yearly
    SLA reviews with the customer (SLAs only) and the annual SLA/UC review. Only signed or
    active agreements get meetings, and only those due within their validity. Returns the
    meetings created by this call.
    """
    if agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE):
        return []
    calendar = office_calendar(agreement)
    existing = set(
        ReviewMeeting.objects.filter(
            agreement=agreement, due_date__year__in=(year, year + 1)
        ).values_list("kind", "due_date")
    )
    created: list[ReviewMeeting] = []
    with transaction.atomic():
        for kind in _review_kinds(agreement):
            for month, due in zip(
                REVIEW_MONTHS[kind], review_due_dates(kind, year, calendar), strict=True
            ):
                nominal = datetime.date(year, month, REVIEW_DAY[kind])
                if agreement.valid_from and nominal < agreement.valid_from:
                    continue
                if agreement.valid_to and nominal > agreement.valid_to:
                    continue
                if (kind, due) in existing:
                    continue
                customer = (
                    agreement.customer
                    if kind != ReviewKind.MONTHLY_INTERNAL and agreement.kind == AgreementKind.SLA
                    else None
                )
                meeting = ReviewMeeting(
                    kind=kind,
                    agreement=agreement,
                    customer=customer,
                    title=str(REVIEW_TITLES[kind]).format(
                        month=nominal.strftime("%Y-%m"), year=year, number=agreement.number
                    )[:200],
                    due_date=due,
                    agenda=str(DEFAULT_AGENDA[kind]),
                )
                try:
                    with transaction.atomic():
                        meeting.save()
                except IntegrityError:  # planned concurrently
                    continue
                record_event(meeting, "planned", by=by)
                created.append(meeting)
    return created


def generate_all_review_schedules(*, years, by=None) -> int:
    """Plan the meetings of every signed/active agreement for *years*; returns how many."""
    count = 0
    agreements = Agreement.objects.filter(
        status__in=(AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
    ).select_related("calendar", "customer")
    for agreement in agreements:
        for year in years:
            count += len(generate_review_schedule(agreement, year=year, by=by))
    return count


REVIEW_FIELDS = (
    "title",
    "due_date",
    "held_on",
    "agenda",
    "external_attendees",
    "minutes",
)


def create_review(
    *,
    kind: str,
    title: str,
    due_date: datetime.date,
    by,
    agreement: Agreement | None = None,
    customer=None,
    agenda: str = "",
    attendees=(),
    external_attendees: str = "",
) -> ReviewMeeting:
    """Plan a review meeting by hand (ad hoc or one the schedule does not cover)."""
    if agreement is not None and customer is None and kind != ReviewKind.MONTHLY_INTERNAL:
        customer = agreement.customer
    if (
        agreement is not None
        and customer is not None
        and agreement.customer_id
        not in (
            None,
            customer.pk,
        )
    ):
        raise _err("customer", _("The customer must be the agreement's customer."))
    if not agenda and kind in DEFAULT_AGENDA:
        agenda = str(DEFAULT_AGENDA[kind])
    meeting = ReviewMeeting(
        kind=kind,
        title=title,
        due_date=due_date,
        agreement=agreement,
        customer=customer,
        agenda=agenda or "",
        external_attendees=external_attendees or "",
    )
    with transaction.atomic():
        _clean_and_save(meeting)
        if attendees:
            meeting.attendees.set(attendees)
        record_event(meeting, "planned", by=by)
    return meeting


def update_review(
    meeting: ReviewMeeting,
    *,
    by,
    expected_version: int | None = None,
    attendees=None,
    **fields,
) -> ReviewMeeting:
    """Edit a meeting; giving ``held_on`` records it as held, ``status`` may cancel it."""
    status = fields.pop("status", None)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    for name, value in fields.items():
        if name in ("agenda", "external_attendees", "minutes") and value is None:
            value = ""
        setattr(meeting, name, value)
    source = target = meeting.status
    if status is not None:
        if status not in ReviewStatus.values:
            raise _err("status", _("Choose a status."))
        target = status
    if meeting.held_on and target == ReviewStatus.PLANNED:
        target = ReviewStatus.HELD
    if target == ReviewStatus.HELD and not meeting.held_on:
        raise _err("held_on", _("Enter the date the meeting was held."))
    if meeting.held_on and meeting.held_on > timezone.localdate():
        raise _err("held_on", _("A meeting cannot be held in the future."))
    # REVIEW_MACHINE: planned → held or cancelled, and no way back
    step = ensure_transition(meeting, target, by=by) if target != source else None
    meeting.status = target
    with transaction.atomic():
        try:
            save_versioned(meeting, expected_version=expected_version, by=by)
        except DjangoValidationError as exc:
            raise ValidationFailed.from_django(exc) from None
        if attendees is not None:
            meeting.attendees.set(attendees)
        if "held_on" in fields and meeting.held_on:
            verb = "held"
        else:
            verb = step.name if step is not None else "changed"
        record_event(
            meeting,
            verb,
            by=by,
            data={"fields": sorted(fields) + (["status"] if status else [])}
            | ({"from": source, "to": target} if step is not None else {}),
        )
    return meeting


def record_meeting(
    meeting: ReviewMeeting,
    *,
    by,
    held_on: datetime.date,
    minutes: str,
    attendees=(),
    external_attendees: str = "",
    expected_version: int | None = None,
) -> ReviewMeeting:
    """Record that a meeting was held: date, attendees and minutes."""
    if not (minutes or "").strip():
        raise _err("minutes", _("Write the minutes of the meeting."))
    return update_review(
        meeting,
        by=by,
        expected_version=expected_version,
        attendees=attendees,
        held_on=held_on,
        minutes=minutes,
        external_attendees=external_attendees,
        status=ReviewStatus.HELD,
    )


def add_action_item(
    *, meeting: ReviewMeeting, description: str, owner, due_date: datetime.date, by
) -> ActionItem:
    """Add an action agreed in *meeting* (continual improvement)."""
    item = ActionItem(meeting=meeting, description=description, owner=owner, due_date=due_date)
    with transaction.atomic():
        _clean_and_save(item)
        record_event(item, "created", by=by)
        record_event(meeting, "action_added", by=by, data={"action": item.pk})
    return item


ACTION_FIELDS = ("description", "owner", "due_date", "status")


def update_action_item(
    item: ActionItem, *, by, expected_version: int | None = None, **fields
) -> ActionItem:
    """Edit an action item; ``status=done`` stamps ``completed_at`` (cleared when reopened)."""
    unknown = set(fields) - set(ACTION_FIELDS) - {"meeting"}
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    fields.pop("meeting", None)
    status = fields.pop("status", item.status)
    if status not in ActionStatus.values:
        raise _err("status", _("Choose a status."))
    source = item.status
    step = ensure_transition(item, status, by=by) if status != source else None
    for name, value in fields.items():
        setattr(item, name, value)
    item.status = status
    if status == ActionStatus.DONE and item.completed_at is None:
        item.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        item.completed_at = None
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, by=by)
        if fields or step is None:
            record_event(item, "changed", by=by, data={"fields": sorted(fields)})
        if step is not None:
            record_event(item, step.name, by=by, data={"from": source, "to": status})
    return item


def delete_action_item(item: ActionItem, *, by) -> None:
    with transaction.atomic():
        record_event(item.meeting, "action_deleted", by=by, data={"action": item.pk})
        item.delete()
