"""Approval of changes (R-CHG-03): the change manager, or a CAB whose members vote.

- every decision is an ``Approval`` row with its comment (required) and a ``decision``
  timeline row; nobody decides on a change they requested or own (``FourEyes``);
- change manager path: one decision by a change manager — approve schedules the change,
  reject rejects it (abstaining is not a decision);
- CAB and emergency CAB paths: only the board's members vote, once per approval round; once
  ``quorum`` votes (abstentions included) are in, the change is scheduled when more members
  approved than rejected, else rejected; with ``veto`` a single rejection rejects at once;
- a new round starts when approval is requested again or the window moves while awaiting
  approval (the votes of the old round stay on record).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import ApprovalPath, ChangeStatus, Vote
from itsm.change.models import Approval, Change
from itsm.change.services.changes import _move
from itsm.core.choices import Role
from itsm.core.errors import Forbidden, FourEyes, InvalidTransition, ValidationFailed
from itsm.core.timeline import record_event


def _refuse_own(change: Change, by) -> None:
    if by is not None and by.pk in {change.requester_id, change.owner_id}:
        raise FourEyes(_("Nobody approves a change they requested or own."))


def _is_change_manager(user) -> bool:
    return bool(user.is_superuser or Role.CHANGE_MANAGER.value in user.roles)


def decide(change: Change, *, by, vote: str, comment: str, meeting=None) -> Change:
    """Record *by*'s decision on *change* (see the module docstring); *meeting*: the CAB
    meeting it was taken in (``meetings.decide_at`` checks the change is on its agenda)."""
    if change.status != ChangeStatus.APPROVAL:
        raise InvalidTransition(
            _("The change is not awaiting approval."),
            fields={"status": [str(_("Not allowed from the current status."))]},
        )
    if vote not in Vote.values:
        raise ValidationFailed(fields={"vote": [str(_("Choose approve, reject or abstain."))]})
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(
            _("Every decision is recorded with its comment."),
            fields={"comment": [str(_("This field is required."))]},
        )
    _refuse_own(change, by)
    if change.approval_path in (ApprovalPath.CAB, ApprovalPath.EMERGENCY_CAB):
        return _vote(change, by=by, vote=vote, comment=comment, meeting=meeting)
    if not _is_change_manager(by):
        raise Forbidden(_("Only a change manager decides on this change."))
    if vote == Vote.ABSTAIN:
        raise ValidationFailed(fields={"vote": [str(_("Approve or reject the change."))]})
    with transaction.atomic():
        _record(change, by=by, vote=vote, comment=comment, board=None, meeting=meeting)
        target = ChangeStatus.SCHEDULED if vote == Vote.APPROVE else ChangeStatus.REJECTED
        _move(change, target, by=by, note=comment)
    return change


def decide_as_manager(change: Change, *, by, vote: str, comment: str) -> Change:
    """The approve / reject transitions of the pages and the API: a decision by *by*."""
    return decide(change, by=by, vote=vote, comment=comment)


def _record(change: Change, *, by, vote: str, comment: str, board, meeting=None) -> Approval:
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                change=change,
                approver=by,
                board=board,
                meeting=meeting,
                round=change.approval_round,
                vote=vote,
                comment=comment,
            )
    except IntegrityError:
        raise ValidationFailed(
            _("You have already decided in this approval round."),
            fields={"vote": [str(_("Already decided."))]},
        ) from None
    record_event(
        change, "decision", by=by, note=comment, data={"vote": vote, "round": change.approval_round}
    )
    return approval


def _vote(change: Change, *, by, vote: str, comment: str, meeting=None) -> Change:
    board = change.board
    if board is None or not board.members.filter(pk=by.pk).exists():
        raise Forbidden(_("Only the members of the change's CAB vote on it."))
    with transaction.atomic():
        locked = Change.objects.select_for_update().get(pk=change.pk)
        if locked.status != ChangeStatus.APPROVAL or locked.approval_round != change.approval_round:
            raise InvalidTransition(
                _("The change is no longer awaiting this approval round."),
                fields={"status": [str(_("Not allowed from the current status."))]},
            )
        _record(change, by=by, vote=vote, comment=comment, board=board, meeting=meeting)
        votes = list(
            Approval.objects.filter(change=change, round=change.approval_round).values_list(
                "vote", flat=True
            )
        )
        approvals, rejections = votes.count(Vote.APPROVE), votes.count(Vote.REJECT)
        target = None
        if board.veto and rejections:
            target = ChangeStatus.REJECTED
        elif len(votes) >= board.quorum:
            target = ChangeStatus.SCHEDULED if approvals > rejections else ChangeStatus.REJECTED
        if target is not None:
            note = str(
                _("CAB decision: {approve} approve, {reject} reject, {abstain} abstain.")
            ).format(approve=approvals, reject=rejections, abstain=votes.count(Vote.ABSTAIN))
            _move(change, target, by=by, note=note, roles_checked=True)
    return change


def votes_of(change: Change):
    """The decisions of the change's current round."""
    return (
        Approval.objects.filter(change=change, round=change.approval_round)
        .select_related("approver")
        .order_by("id")
    )
