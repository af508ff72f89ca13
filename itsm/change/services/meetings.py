"""CAB meetings (R-CHG-03): a board's meeting, its agenda built from the changes awaiting the
board's approval, the decisions taken there (through ``approval.decide``) and its lifecycle
(``MEETING_MACHINE``: planned → held → closed, or cancelled). The only writers of meetings and
agenda items.

- the agenda is generated from the changes awaiting approval by the meeting's board (those
  already on it stay where they are; new ones are added at the end) and stays editable while
  the meeting is planned: an item moves up or down, or leaves the agenda;
- a decision at the meeting is a decision of the approval service, recorded with the meeting;
  only a change on the agenda, only while the meeting is planned or held; the four-eyes and
  membership rules are the approval service's.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import (
    AGENDA_EDITABLE_STATES,
    DECIDING_STATES,
    ApprovalPath,
    ChangeStatus,
    MeetingStatus,
)
from itsm.change.models import AgendaItem, CabMeeting, Change
from itsm.change.services import approval
from itsm.core import services as core_services
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.timeline import record_event

MEETING_FIELDS = frozenset(
    {"board", "title", "starts_at", "ends_at", "location", "online_link", "minutes"}
)


def _check(meeting: CabMeeting) -> None:
    if meeting.board_id and not meeting.board.is_active:
        raise ValidationFailed(fields={"board": [str(_("This CAB is no longer active."))]})
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        raise ValidationFailed(fields={"ends_at": [str(_("The end must be after the start."))]})
    try:
        clean_record(meeting)
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error


def create_meeting(*, by, attendees=(), **fields) -> CabMeeting:
    """Plan a meeting of a CAB (an emergency CAB's meeting is an emergency meeting)."""
    refuse_unknown_fields(fields, MEETING_FIELDS)
    meeting = CabMeeting(**fields)
    _check(meeting)
    set_actor(meeting, by)
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set(list(attendees))
        record_event(meeting, "created", by=by)
    return meeting


def update_meeting(
    meeting: CabMeeting, *, by, expected_version=None, attendees=None, **fields
) -> CabMeeting:
    """Edit a meeting (its board only while nothing was decided at it)."""
    refuse_unknown_fields(fields, MEETING_FIELDS)
    if meeting.status == MeetingStatus.CLOSED:
        raise InvalidTransition(
            _("A closed meeting is not edited."),
            fields={"status": [str(_("Not allowed from the current status."))]},
        )
    if (
        "board" in fields
        and fields["board"] != meeting.board
        and (meeting.items.exists() or meeting.decisions.exists())
    ):
        raise ValidationFailed(
            fields={"board": [str(_("The agenda is the board's: empty it to change the CAB."))]}
        )
    for name, value in fields.items():
        setattr(meeting, name, value)
    _check(meeting)
    with transaction.atomic():
        if fields:
            save_versioned(meeting, expected_version=expected_version, by=by)
            record_event(meeting, "updated", by=by, data={"fields": sorted(fields)})
        if attendees is not None:
            meeting.attendees.set(list(attendees))
    return meeting


def move_meeting(
    meeting: CabMeeting, to: str, *, by, note: str = "", expected_version=None, **fields
) -> CabMeeting:
    """Move the meeting along ``MEETING_MACHINE`` (closing needs the minutes)."""
    refuse_unknown_fields(fields, {"minutes"})
    if "minutes" in fields:
        fields["minutes"] = (fields["minutes"] or "").strip() or meeting.minutes
    return core_services.transition(
        meeting, to, by=by, note=note, expected_version=expected_version, **fields
    )


# --- the agenda -----------------------------------------------------------------------------------


def _editable(meeting: CabMeeting) -> None:
    if meeting.status not in AGENDA_EDITABLE_STATES:
        raise InvalidTransition(
            _("The agenda is fixed once the meeting is held."),
            fields={"status": [str(_("Not allowed from the current status."))]},
        )


def awaiting(meeting: CabMeeting):
    """The changes awaiting the approval of the meeting's board, oldest window first."""
    paths = (ApprovalPath.CAB, ApprovalPath.EMERGENCY_CAB)
    return Change.objects.filter(
        status=ChangeStatus.APPROVAL, approval_path__in=paths, board=meeting.board_id
    ).order_by("planned_start", "id")


def generate_agenda(meeting: CabMeeting, *, by) -> list[AgendaItem]:
    """Add the changes awaiting the board's approval that are not on the agenda yet, at its
    end (earliest planned start first); return the items added."""
    _editable(meeting)
    with transaction.atomic():
        locked = CabMeeting.objects.select_for_update().get(pk=meeting.pk)
        on_agenda = set(locked.items.values_list("change_id", flat=True))
        last = locked.items.aggregate(last=Max("position"))["last"] or 0
        added = []
        for change in awaiting(locked):
            if change.pk in on_agenda:
                continue
            last += 1
            item = AgendaItem(meeting=locked, change=change, position=last)
            set_actor(item, by)
            item.save()
            added.append(item)
        record_event(
            meeting,
            "agenda_generated",
            by=by,
            data={"added": [item.change.number for item in added]},
        )
    return added


def move_item(item: AgendaItem, *, by, up: bool) -> AgendaItem:
    """Swap *item* with the one before it (*up*) or after it on the agenda."""
    _editable(item.meeting)
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting=item.meeting_id)
            .order_by("position", "id")
        )
        index = next(i for i, row in enumerate(items) if row.pk == item.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(items):
            return item
        items[index], items[other] = items[other], items[index]
        for position, row in enumerate(items, start=1):
            if row.position != position:
                row.position = position
                save_versioned(row, expected_version=None, by=by)
        record_event(
            item.meeting,
            "agenda_changed",
            by=by,
            data={"order": [row.change_id for row in items]},
        )
    item.refresh_from_db()
    return item


def remove_item(item: AgendaItem, *, by) -> None:
    """Take a change off the agenda (it keeps awaiting approval)."""
    _editable(item.meeting)
    with transaction.atomic():
        record_event(item.meeting, "agenda_changed", by=by, data={"removed": item.change.number})
        item.delete()


def decide_at(meeting: CabMeeting, change: Change, *, by, vote: str, comment: str) -> Change:
    """*by*'s decision on *change*, taken at *meeting* (the approval service's rules)."""
    if meeting.status not in DECIDING_STATES:
        raise InvalidTransition(
            _("Decisions are taken at a planned or held meeting."),
            fields={"status": [str(_("Not allowed from the current status."))]},
        )
    if not meeting.items.filter(change=change).exists():
        raise ValidationFailed(
            fields={"change": [str(_("The change is not on this meeting's agenda."))]}
        )
    return approval.decide(change, by=by, vote=vote, comment=comment, meeting=meeting)
