"""Requests for change: create, edit, reschedule, check conflicts and move along the declared
lifecycle (R-CHG-01, R-CHG-04, R-CHG-05).

Rules:

- a standard change comes from an active template of the catalogue: its plans are copied
  (unless given) and its end defaults to the start plus the template's usual duration; it is
  scheduled straight from draft (pre-approved, no assessment, no CAB);
- normal and emergency changes are submitted for assessment (implementation and back-out plans
  and the planned window required), assessed (``services.assessment``), then approved along
  the path their risk selects (``services.approval``);
- the planned window ends after it starts; it may move while the change is draft, in
  assessment, awaiting approval or scheduled: every move re-checks the conflicts and is
  recorded as ``rescheduled`` (a move while awaiting approval starts a new approval round);
- conflicts are checked (and stored on the change with the time of the check) when the change
  is submitted, before approval is requested, when a standard change is scheduled and at every
  reschedule. They are warnings for the approvers and the scheduler, never a silent block;
- a change's customers (who sees it) are the customers of its CIs and services and those the
  assessment found in the CMDB;
- starting implementation records the actual start and a ``change_started`` row on each CI's
  timeline; completing it records the actual end; a failed change records its outcome and
  whether it was rolled back (``rolled_back``: the change success rate counts it); closing
  needs the post-implementation review.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors as catalog_selectors
from itsm.change import conflicts as conflict_checks
from itsm.change.choices import (
    EDITABLE_STATES,
    RESCHEDULABLE_STATES,
    ApprovalPath,
    ChangeCategory,
    ChangeKind,
    ChangeStatus,
)
from itsm.change.models import Change, ChangeTemplate
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core import policy
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import Event, record_event, record_events
from itsm.core.writes import insert_record

NUMBER_PREFIX = "CHG"

#: fields the edit form and PATCH may change (content: draft and assessment only)
CONTENT_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "reason",
        "implementation_plan",
        "backout_plan",
        "test_plan",
        "cis",
        "services",
        "owner",
        "implementer",
        "internal_notes",
    }
)
WINDOW_FIELDS = frozenset({"planned_start", "planned_end"})
EDITABLE = CONTENT_FIELDS | WINDOW_FIELDS


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise _error(
            "planned_end" if end is None else "planned_start",
            _("Give both the planned start and the planned end."),
        )
    if start is not None and end is not None and end <= start:
        raise _error("planned_end", _("The planned end must be after the planned start."))


def _check_people(**people) -> None:
    for name, person in people.items():
        if person is not None and not policy.is_provider_staff(person):
            raise _error(name, _("Choose a member of the provider's staff."))


def _check_related(by, cis, services) -> None:
    """The CIs and services must be ones *by* may view (a picker offers no others)."""
    if by is None:
        return
    ci_ids = {getattr(ci, "pk", ci) for ci in cis}
    if ci_ids and cmdb_selectors.cis_for(by).filter(pk__in=ci_ids).count() != len(ci_ids):
        raise _error("cis", _("Choose configuration items you may view."))
    service_ids = {getattr(s, "pk", s) for s in services}
    if service_ids and (
        catalog_selectors.visible_services(by).filter(pk__in=service_ids).count()
        != len(service_ids)
    ):
        raise _error("services", _("Choose services you may view."))


def create_change(
    *,
    by,
    kind: str,
    title: str,
    description: str = "",
    category: str = ChangeCategory.OTHER,
    reason: str = "",
    template: ChangeTemplate | None = None,
    implementation_plan: str = "",
    backout_plan: str = "",
    test_plan: str = "",
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    cis=(),
    services=(),
    owner=None,
    implementer=None,
    internal_notes: str = "",
    requester=None,
) -> Change:
    """Raise a request for change (draft) with the next ``CHG-`` number."""
    if kind not in ChangeKind.values:
        raise _error("kind", _("Choose standard, normal or emergency."))
    if kind == ChangeKind.STANDARD:
        if template is None:
            raise _error("template", _("A standard change comes from a template."))
        if not template.is_active:
            raise _error("template", _("This template is no longer offered."))
        implementation_plan = implementation_plan or template.implementation_plan
        backout_plan = backout_plan or template.backout_plan
        test_plan = test_plan or template.test_plan
        category = category if category != ChangeCategory.OTHER else template.category
        if planned_start is not None and planned_end is None:
            planned_end = planned_start + timedelta(minutes=template.duration_minutes)
    elif template is not None:
        raise _error("template", _("Only a standard change comes from a template."))
    _check_window(planned_start, planned_end)
    requester = requester or by
    _check_people(requester=requester, owner=owner, implementer=implementer)
    cis, services = list(cis), list(services)
    _check_related(by, cis, services)
    change = Change(
        kind=kind,
        title=(title or "").strip(),
        description=description or "",
        category=category,
        reason=reason or "",
        template=template,
        implementation_plan=implementation_plan or "",
        backout_plan=backout_plan or "",
        test_plan=test_plan or "",
        planned_start=planned_start,
        planned_end=planned_end,
        requester=requester,
        owner=owner or by,
        implementer=implementer,
        internal_notes=internal_notes or "",
        approval_path=ApprovalPath.NONE if kind == ChangeKind.STANDARD else "",
    )
    try:
        clean_record(change, exclude=("number",))
    except Exception as error:  # Django's ValidationError: the fields named
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise ValidationFailed.from_django(error) from error
        raise
    set_actor(change, by)
    with transaction.atomic():
        insert_record(change, by=by, number_prefix=NUMBER_PREFIX)
        change.cis.set(cis)
        change.services.set(services)
        _set_customers(change)
    return change


def _set_customers(change: Change) -> None:
    """Who sees the change: the customers of its CIs and services and of its assessed impact."""
    ids = set(change.cis.exclude(customer__isnull=True).values_list("customer_id", flat=True))
    ids.update(
        change.services.through.objects.filter(change_id=change.pk).values_list(
            "service__customers", flat=True
        )
    )
    ids.update(c["id"] for c in (change.impact or {}).get("customers", []))
    ids.discard(None)
    change.customers.set(sorted(ids))


def update_change(change: Change, *, by, expected_version: int | None = None, **fields) -> Change:
    """Change the content (draft, assessment) or the planned window (until scheduled) of
    *change*; a new window re-checks the conflicts."""
    refuse_unknown_fields(fields, EDITABLE)
    content = set(fields) & CONTENT_FIELDS
    if content and change.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("The request can be edited only while it is a draft or in assessment."),
            fields={sorted(content)[0]: [str(_("Not editable in this status."))]},
        )
    window = {k: fields.pop(k) for k in list(fields) if k in WINDOW_FIELDS}
    moved = any(getattr(change, k) != v for k, v in window.items())
    if window and moved and change.status not in RESCHEDULABLE_STATES:
        raise InvalidTransition(
            _("The window can no longer be moved."),
            fields={"planned_start": [str(_("Not editable in this status."))]},
        )
    cis = fields.pop("cis", None)
    services = fields.pop("services", None)
    _check_related(by, cis or (), services or ())
    _check_people(
        **{k: fields[k] for k in ("owner", "implementer") if k in fields and fields[k] is not None}
    )
    old_window = (change.planned_start, change.planned_end)
    if moved and change.status == ChangeStatus.APPROVAL:
        change.approval_round += 1  # the votes were given for the old window: a new round
    for name, value in {**fields, **window}.items():
        setattr(change, name, value)
    _check_window(change.planned_start, change.planned_end)
    with transaction.atomic():
        save_versioned(change, expected_version=expected_version, by=by)
        if cis is not None:
            change.cis.set(list(cis))
        if services is not None:
            change.services.set(list(services))
        if cis is not None or services is not None:
            _set_customers(change)
        changed = sorted(
            {
                *fields,
                *window,
                *(["cis"] if cis is not None else []),
                *(["services"] if services is not None else []),
            }
        )
        record_event(change, "updated", by=by, data={"fields": changed})
        if moved:
            _rescheduled(change, by=by, old=old_window)
        elif (cis is not None or "implementer" in fields) and change.status != ChangeStatus.DRAFT:
            check_conflicts(change, by=by)
    return change


def _rescheduled(change: Change, *, by, old) -> None:
    data = {
        "from": [v.isoformat() if v else None for v in old],
        "to": [
            change.planned_start.isoformat() if change.planned_start else None,
            change.planned_end.isoformat() if change.planned_end else None,
        ],
    }
    record_event(change, "rescheduled", by=by, data=data)
    check_conflicts(change, by=by)


def reschedule(
    change: Change,
    *,
    by,
    planned_start: datetime,
    planned_end: datetime,
    expected_version: int | None = None,
) -> Change:
    """Move the planned window (accepting the assistant's proposal is one such move)."""
    return update_change(
        change,
        by=by,
        expected_version=expected_version,
        planned_start=planned_start,
        planned_end=planned_end,
    )


def check_conflicts(change: Change, *, by=None, depth: int | None = None) -> list[dict]:
    """Detect the conflicts of the change's window now and store them on the change."""
    found = conflict_checks.detect(
        conflict_checks.Subject.of(change), depth=depth or conflict_checks.DEFAULT_DEPTH
    )
    items = [c.as_dict() for c in found]
    change.conflicts = items
    change.conflicts_checked_at = timezone.now()
    set_actor(change, by)
    Change.objects.filter(pk=change.pk).update(
        conflicts=items, conflicts_checked_at=change.conflicts_checked_at
    )
    record_event(change, "conflicts_checked", by=by, data={"count": len(items)})
    return items


# --- lifecycle ------------------------------------------------------------------------------------


def _move(
    change: Change,
    target: str,
    *,
    by,
    note: str = "",
    expected_version=None,
    roles_checked: bool = False,
    **fields,
):
    """Move *change* to *target* through ``CHANGE_MACHINE`` (the fields set first);
    *roles_checked*: the caller has checked who may make the move (a CAB's member)."""
    machine = type(change).state_machine
    for name, value in fields.items():
        setattr(change, name, value)
    source = change.status
    step = ensure_transition(change, target, by=None if roles_checked else by, machine=machine)
    change.status = target
    save_versioned(change, expected_version=expected_version, by=by)
    record_event(change, step.name, by=by, note=note, data={"from": source, "to": target})
    return change


def submit(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    """Submit a normal or emergency change for assessment (conflicts checked)."""
    if change.kind == ChangeKind.STANDARD:
        raise InvalidTransition(
            _("A standard change is pre-approved: schedule it instead."),
            fields={"kind": [str(_("Standard changes are not assessed."))]},
        )
    with transaction.atomic():
        _move(change, ChangeStatus.ASSESSMENT, by=by, note=note, expected_version=expected_version)
        check_conflicts(change, by=by)
    return change


def schedule_standard(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    """Schedule a pre-approved standard change (conflicts checked and shown)."""
    if change.kind != ChangeKind.STANDARD:
        raise InvalidTransition(
            _("Only a standard change is scheduled without approval."),
            fields={"kind": [str(_("Not a standard change."))]},
        )
    with transaction.atomic():
        _move(
            change,
            ChangeStatus.SCHEDULED,
            by=by,
            note=note,
            expected_version=expected_version,
            approval_path=ApprovalPath.NONE,
        )
        check_conflicts(change, by=by)
    return change


def return_to_draft(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    with transaction.atomic():
        return _move(
            change, ChangeStatus.DRAFT, by=by, note=note, expected_version=expected_version
        )


def start(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    """Start implementing; each CI's timeline shows the change."""
    with transaction.atomic():
        _move(
            change,
            ChangeStatus.IMPLEMENTING,
            by=by,
            note=note,
            expected_version=expected_version,
            actual_start=timezone.now(),
        )
        _record_on_cis(change, "change_started", by=by)
    return change


def complete(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    """Implemented and verified: the post-implementation review follows."""
    with transaction.atomic():
        _move(
            change,
            ChangeStatus.REVIEW,
            by=by,
            note=note,
            expected_version=expected_version,
            actual_end=timezone.now(),
        )
        _record_on_cis(change, "change_implemented", by=by)
    return change


def fail(
    change: Change,
    *,
    by,
    outcome_note: str,
    rolled_back: bool,
    note: str = "",
    expected_version=None,
) -> Change:
    """The change failed (while implementing or at review): its outcome and whether the
    back-out plan rolled it back are recorded; it counts against the success rate."""
    with transaction.atomic():
        _move(
            change,
            ChangeStatus.FAILED,
            by=by,
            note=note,
            expected_version=expected_version,
            outcome_note=(outcome_note or "").strip(),
            rolled_back=bool(rolled_back),
            actual_end=change.actual_end or timezone.now(),
            closed_at=timezone.now(),
        )
        _record_on_cis(change, "change_rolled_back" if rolled_back else "change_failed", by=by)
    return change


def close(change: Change, *, by, review_note: str, note: str = "", expected_version=None):
    """Close after the post-implementation review."""
    with transaction.atomic():
        return _move(
            change,
            ChangeStatus.CLOSED,
            by=by,
            note=note,
            expected_version=expected_version,
            review_note=(review_note or "").strip(),
            closed_at=timezone.now(),
        )


def cancel(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    with transaction.atomic():
        return _move(
            change,
            ChangeStatus.CANCELLED,
            by=by,
            note=note,
            expected_version=expected_version,
            closed_at=timezone.now(),
        )


def _record_on_cis(change: Change, verb: str, *, by) -> None:
    """A row on the timeline of each CI of the change (the CI's history shows the change)."""
    record_events(
        Event(
            ci,
            verb,
            by=by,
            note=f"{change.number} {change.title}",  # the CI's history names the change
            data={"change": change.number, "change_id": change.pk},
        )
        for ci in change.cis.all()
    )


#: what ``move`` offers for a target state (the API's and the pages' transitions)
def move(change: Change, target: str, *, by, note: str = "", expected_version=None, **data):
    """Dispatch a move to its service function (the API's transition action and the pages)."""
    from itsm.change.services import approval, assessment

    if target == ChangeStatus.ASSESSMENT:
        return submit(change, by=by, note=note, expected_version=expected_version)
    if target == ChangeStatus.SCHEDULED and change.status == ChangeStatus.DRAFT:
        return schedule_standard(change, by=by, note=note, expected_version=expected_version)
    if target == ChangeStatus.APPROVAL:
        return assessment.request_approval(
            change, by=by, note=note, expected_version=expected_version
        )
    if target == ChangeStatus.DRAFT:
        return return_to_draft(change, by=by, note=note, expected_version=expected_version)
    if target in (ChangeStatus.SCHEDULED, ChangeStatus.REJECTED):
        return approval.decide_as_manager(
            change,
            by=by,
            vote="approve" if target == ChangeStatus.SCHEDULED else "reject",
            comment=note,
        )
    if target == ChangeStatus.IMPLEMENTING:
        return start(change, by=by, note=note, expected_version=expected_version)
    if target == ChangeStatus.REVIEW:
        return complete(change, by=by, note=note, expected_version=expected_version)
    if target == ChangeStatus.FAILED:
        return fail(
            change,
            by=by,
            note=note,
            expected_version=expected_version,
            outcome_note=data.get("outcome_note", ""),
            rolled_back=bool(data.get("rolled_back", False)),
        )
    if target == ChangeStatus.CLOSED:
        return close(
            change,
            by=by,
            note=note,
            expected_version=expected_version,
            review_note=data.get("review_note", ""),
        )
    if target == ChangeStatus.CANCELLED:
        return cancel(change, by=by, note=note, expected_version=expected_version)
    raise InvalidTransition(fields={"status": [str(_("Not allowed from the current status."))]})
