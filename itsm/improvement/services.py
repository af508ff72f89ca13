"""Improvement register services (服务改进, R-CSI-03) — the only writers of improvement items.

Rules:

- an item is raised from a source (audit, KPI miss, review action, complaint, incident, ad
  hoc) with a source reference; ``raise_item`` is idempotent on ``(source, source_key)``: a
  second call returns the existing item unchanged (the objectives call it for a missed KPI;
  ``raise_from_review_action`` for an SLM review meeting's action, keyed on the action id);
- the lifecycle is ``choices.ITEM_MACHINE`` (PDCA); planning needs goal, owner, plan and due
  date; approval is four eyes: nobody approves an item they own or raised, and a linked change
  must have been approved (scheduled or later);
- the effect is measured on a KPI of the registry for a period before and one after the
  implementation (``measure_effect``); the item is closed only when the effect is recorded
  (``record_effect``: the note, by whom, when; with a KPI, both values measured first).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.change import selectors as change_selectors
from itsm.change.choices import ChangeStatus
from itsm.core import policy
from itsm.core.choices import OrganisationKind
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record
from itsm.desk import selectors as desk_selectors
from itsm.improvement.choices import (
    EDITABLE_STATES,
    ITEM_MACHINE,
    OPEN_STATES,
    ItemSource,
    ItemStatus,
)
from itsm.improvement.models import Item
from itsm.kpi.registry import registry

NUMBER_PREFIX = "SIP"

#: a change linked to an item must be in one of these states for the item to be approved
APPROVED_CHANGE_STATES = (
    ChangeStatus.SCHEDULED,
    ChangeStatus.IMPLEMENTING,
    ChangeStatus.REVIEW,
    ChangeStatus.CLOSED,
)
DEAD_CHANGE_STATES = (ChangeStatus.REJECTED, ChangeStatus.CANCELLED, ChangeStatus.FAILED)

EDITABLE = frozenset(
    {
        "title",
        "description",
        "goal",
        "owner",
        "customer",
        "plan",
        "due_date",
        "change",
        "kpi_id",
        "before_start",
        "before_end",
        "after_start",
        "after_end",
        "internal_notes",
    }
)
#: what may still be written while the work is done and checked
LATE_EDITABLE = frozenset(
    {"implementation_notes", "after_start", "after_end", "internal_notes", "description"}
)
#: the states in which LATE_EDITABLE fields may still be written
LATE_STATES = (ItemStatus.APPROVED, ItemStatus.IMPLEMENTING, ItemStatus.VERIFYING)


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _check_owner(owner) -> None:
    if owner is not None and not policy.is_provider_staff(owner):
        raise _error("owner", _("Choose a member of the provider's staff."))


def _check_customer(customer) -> None:
    if customer is not None and customer.kind != OrganisationKind.CUSTOMER:
        raise _error("customer", _("Choose a customer organisation."))


def _check_change(by, change) -> None:
    if change is None:
        return
    if by is not None and not change_selectors.changes_for(by).filter(pk=change.pk).exists():
        raise _error("change", _("Choose a change you may view."))
    if change.status in DEAD_CHANGE_STATES:
        raise _error("change", _("This change was rejected, cancelled or failed."))


def _check_kpi(kpi_id: str) -> None:
    if kpi_id and registry.get(kpi_id) is None:
        raise _error("kpi_id", _("Choose a KPI of the catalogue."))


def _check_periods(item: Item) -> None:
    for prefix in ("before", "after"):
        start, end = getattr(item, prefix + "_start"), getattr(item, prefix + "_end")
        if (start is None) != (end is None):
            raise _error(prefix + "_end", _("Give both the first and the last day."))
        if start is not None and end is not None and end < start:
            raise _error(prefix + "_end", _("The last day comes before the first."))
    if item.before_end and item.after_start and item.after_start <= item.before_end:
        raise _error("after_start", _("The period after starts after the period before."))


def _clean(item: Item) -> None:
    _check_periods(item)
    try:
        clean_record(item, exclude=("number",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error


def raise_item(
    *,
    source: str,
    source_key: str,
    title: str,
    description: str = "",
    by=None,
    owner=None,
    customer=None,
    kpi_id: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    review_action=None,
    incident=None,
) -> Item:
    """Raise an improvement item (status proposed, next ``SIP-`` number) from *source*.

    Idempotent on ``(source, source_key)``: when an item with that pair exists, it is returned
    unchanged. For a KPI miss, *kpi_id* names the KPI and *period_start*/*period_end* the
    period it missed in: they become the "before" period of the effect verification.
    """
    if source not in ItemSource.values:
        raise _error("source", _("Choose a source of the list."))
    source_key = (source_key or "").strip()
    if not source_key:
        raise _error("source_key", _("Give the reference of the source."))
    existing = Item.objects.filter(source=source, source_key=source_key).first()
    if existing is not None:
        return existing
    _check_owner(owner)
    _check_customer(customer)
    _check_kpi(kpi_id or "")
    item = Item(
        source=source,
        source_key=source_key,
        title=(title or "").strip(),
        description=description or "",
        raised_by=by,
        owner=owner,
        customer=customer,
        kpi_id=kpi_id or "",
        before_start=period_start,
        before_end=period_end,
        review_action=review_action,
        incident=incident,
    )
    _clean(item)
    set_actor(item, by)
    try:
        with transaction.atomic():
            insert_record(item, by=by, number_prefix=NUMBER_PREFIX, verb="raised")
    except IntegrityError:
        # raised at the same moment by another call: that one wins
        existing = Item.objects.filter(source=source, source_key=source_key).first()
        if existing is None:
            raise
        return existing
    return item


def _action_model():
    """The SLM review-action model, read from the item's relation (no import of another app's
    models)."""
    return Item._meta.get_field("review_action").related_model


def review_actions_for(user):
    """The SLM review-meeting actions *user* may view."""
    return _action_model().objects.restrict(user, "view")


def open_review_actions(user):
    """The open SLM review-meeting actions *user* may view that no item was raised from yet
    (the register's "raise from review action" list)."""
    raised = Item.objects.filter(review_action__isnull=False).values("review_action_id")
    return (
        review_actions_for(user)
        .filter(status="open")
        .exclude(pk__in=raised)
        .select_related("meeting", "owner")
        .order_by("due_date", "id")
    )


def raise_from_review_action(action, *, by) -> Item:
    """Raise the item of an SLM review meeting's *action* (source "review action", keyed on the
    action's id: raising it again returns the same item). The action's owner owns the item and
    its due date is the item's; the meeting's customer is the item's customer."""
    visible = review_actions_for(by).filter(pk=action.pk).exists()
    if not visible:
        raise _error("review_action", _("Choose a review action you may view."))
    meeting = action.meeting
    item = raise_item(
        source=ItemSource.REVIEW_ACTION,
        source_key=f"slm-action:{action.pk}",
        title=(action.description or "").strip().splitlines()[0][:200],
        description=_("From the review meeting “{meeting}”: {action}").format(
            meeting=meeting, action=action.description
        ),
        by=by,
        owner=action.owner if policy.is_provider_staff(action.owner) else None,
        customer=meeting.customer,
        review_action=action,
    )
    return item


def _source_key(source: str, source_key: str, incident) -> str:
    source_key = (source_key or "").strip()
    if not source_key and incident is not None:
        return incident.number
    return source_key


def create_item(
    *,
    by,
    source: str,
    title: str,
    source_key: str = "",
    description: str = "",
    goal: str = "",
    owner=None,
    customer=None,
    plan: str = "",
    due_date: datetime.date | None = None,
    change=None,
    incident=None,
    kpi_id: str = "",
    before_start: datetime.date | None = None,
    before_end: datetime.date | None = None,
    after_start: datetime.date | None = None,
    after_end: datetime.date | None = None,
    internal_notes: str = "",
) -> Item:
    """Record an item by hand (status proposed). Without a source reference the item's own
    number is its reference (an ad-hoc suggestion); an incident's number is an incident's."""
    if source not in ItemSource.values:
        raise _error("source", _("Choose a source of the list."))
    if incident is not None:
        if not desk_selectors.tickets_for(by).filter(pk=incident.pk).exists():
            raise _error("incident", _("Choose an incident you may view."))
        if customer is None:
            customer = incident.customer
    source_key = _source_key(source, source_key, incident)
    if source_key and Item.objects.filter(source=source, source_key=source_key).exists():
        raise _error("source_key", _("An item was already raised from this source."))
    _check_owner(owner)
    _check_customer(customer)
    _check_change(by, change)
    _check_kpi(kpi_id or "")
    item = Item(
        source=source,
        source_key=source_key or "-",
        title=(title or "").strip(),
        description=description or "",
        goal=goal or "",
        owner=owner,
        customer=customer,
        plan=plan or "",
        due_date=due_date,
        change=change,
        incident=incident,
        kpi_id=kpi_id or "",
        before_start=before_start,
        before_end=before_end,
        after_start=after_start,
        after_end=after_end,
        internal_notes=internal_notes or "",
        raised_by=by,
    )
    _clean(item)
    set_actor(item, by)
    with transaction.atomic():
        item.number = next_number(NUMBER_PREFIX)
        if not source_key:
            item.source_key = item.number
        insert_record(item, by=by, verb="raised")
    return item


def update_item(item: Item, *, by, expected_version: int | None = None, **fields) -> Item:
    """Change the plan of *item* while proposed or planned; later only the implementation
    notes, the period after, the description and the internal notes."""
    refuse_unknown_fields(fields, EDITABLE | LATE_EDITABLE)
    if not fields:
        if expected_version is not None and expected_version != item.version:
            save_versioned(item, expected_version=expected_version, by=by)  # raises Conflict
        return item
    if item.status in EDITABLE_STATES:
        allowed = EDITABLE | LATE_EDITABLE
    elif item.status in LATE_STATES:
        allowed = LATE_EDITABLE
    else:
        allowed = frozenset()
    refused = sorted(
        name
        for name, value in fields.items()
        if name not in allowed and getattr(item, name) != value
    )
    if refused:
        raise InvalidTransition(
            _("This cannot be changed in the status “{status}”.").format(
                status=ItemStatus(item.status).label
            ),
            fields={name: [str(_("Not editable now."))] for name in refused},
        )
    fields = {name: value for name, value in fields.items() if name in allowed}
    if "owner" in fields:
        _check_owner(fields["owner"])
    if "customer" in fields:
        _check_customer(fields["customer"])
    if "change" in fields and fields["change"] != item.change:
        _check_change(by, fields["change"])
    if "kpi_id" in fields:
        fields["kpi_id"] = fields["kpi_id"] or ""
        _check_kpi(fields["kpi_id"])
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    measured = {"kpi_id", "before_start", "before_end", "after_start", "after_end"}
    for name, value in fields.items():
        setattr(item, name, value)
    if measured & set(fields):
        # a new KPI or period: the values measured before no longer apply
        item.before_value = item.after_value = None
    _clean(item)
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, by=by)
        record_event(item, "updated", by=by, data={"fields": sorted(fields)})
    return item


def _move(item: Item, target: str, *, by, note: str = "", expected_version=None, **fields) -> Item:
    for name, value in fields.items():
        setattr(item, name, value)
    source = item.status
    step = ensure_transition(item, target, by=by, machine=ITEM_MACHINE)
    item.status = target
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, by=by)
        record_event(item, step.name, by=by, note=note, data={"from": source, "to": target})
    return item


def approve(item: Item, *, by, note: str = "", expected_version=None) -> Item:
    """Approve a planned item — four eyes: never by its owner or the person who raised it; a
    linked change must be approved (scheduled or later)."""
    if by is not None and by.pk in {item.owner_id, item.raised_by_id}:
        raise Forbidden(_("Nobody approves an improvement item they own or raised."))
    change = item.change
    if change is not None:
        if change.status not in APPROVED_CHANGE_STATES:
            raise _error(
                "change",
                _("The change {number} is not approved yet.").format(number=change.number),
            )
    return _move(
        item,
        ItemStatus.APPROVED,
        by=by,
        note=note,
        expected_version=expected_version,
        approved_by=by,
        approved_at=timezone.now(),
    )


def day_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants of the days *start*..*end* (the end exclusive, local midnight)."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return first, after


def _value(measure) -> Decimal | None:
    return None if measure.value is None else Decimal(measure.value).quantize(Decimal("0.0001"))


def measure_effect(item: Item, *, by, expected_version: int | None = None) -> Item:
    """Compute the item's KPI for the period before and the period after (through the KPI
    registry, as *by* sees it, for the item's customer) and keep both values. The period after
    must be over."""
    if item.status not in (ItemStatus.IMPLEMENTING, ItemStatus.VERIFYING):
        raise InvalidTransition(
            _("The effect is measured once the work has started."),
            fields={"kpi_id": [str(_("Not in this status."))]},
        )
    kpi = registry.get(item.kpi_id) if item.kpi_id else None
    if kpi is None:
        raise _error("kpi_id", _("Choose the KPI that shows the effect."))
    missing = [
        name
        for name in ("before_start", "before_end", "after_start", "after_end")
        if getattr(item, name) is None
    ]
    if missing:
        raise ValidationFailed(
            _("Give the period before and the period after."),
            fields={
                name: [str(_("This field is required to measure the effect."))] for name in missing
            },
        )
    assert item.after_end is not None and item.after_start is not None  # for mypy
    assert item.before_end is not None and item.before_start is not None
    if item.after_end >= timezone.localdate():
        raise _error("after_end", _("The period after must be over before it is measured."))
    values = []
    for start, end in ((item.before_start, item.before_end), (item.after_start, item.after_end)):
        first, after = day_bounds(start, end)
        measure = kpi.compute(period_start=first, period_end=after, customer=item.customer, user=by)
        values.append(_value(measure))
    item.before_value, item.after_value = values
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, by=by)
        record_event(
            item,
            "effect_measured",
            by=by,
            data={
                "kpi": item.kpi_id,
                "before": None if values[0] is None else str(values[0]),
                "after": None if values[1] is None else str(values[1]),
            },
        )
    return item


def record_effect(item: Item, *, by, effect_note: str, expected_version: int | None = None) -> Item:
    """Record the verified effect of an item being verified: what changed, by whom, when.
    With a KPI, both values must have been measured first."""
    if item.status != ItemStatus.VERIFYING:
        raise InvalidTransition(
            _("The effect is recorded while the item is being verified."),
            fields={"effect_note": [str(_("Not in this status."))]},
        )
    effect_note = (effect_note or "").strip()
    if not effect_note:
        raise _error("effect_note", _("Describe the effect observed."))
    if item.kpi_id and (item.before_value is None or item.after_value is None):
        raise _error("kpi_id", _("Measure the KPI before and after first."))
    item.effect_note = effect_note
    item.verified_by = by
    item.verified_at = timezone.now()
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version, by=by)
        record_event(item, "effect_recorded", by=by, note=effect_note)
    return item


def move(item: Item, target: str, *, by, note: str = "", expected_version=None, **data) -> Item:
    """Make a lifecycle step of *item* (the pages' transition buttons and the API)."""
    if target == ItemStatus.APPROVED:
        return approve(item, by=by, note=note, expected_version=expected_version)
    fields: dict = {}
    if target == ItemStatus.VERIFYING and data.get("implementation_notes"):
        fields["implementation_notes"] = data["implementation_notes"]
    if target == ItemStatus.IMPLEMENTING and item.status == ItemStatus.VERIFYING:
        # not effective: the recorded effect no longer stands
        fields.update(effect_note="", verified_by=None, verified_at=None)
    if target in (ItemStatus.CLOSED, ItemStatus.REJECTED, ItemStatus.CANCELLED):
        fields["closed_at"] = timezone.now()
        if note:
            fields["closure_note"] = note
    if item.status not in OPEN_STATES:
        raise InvalidTransition(fields={"status": [str(_("Not allowed from the current status."))]})
    return _move(item, target, by=by, note=note, expected_version=expected_version, **fields)
