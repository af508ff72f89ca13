"""The configuration of change management: standard change templates, the risk questionnaire
and its thresholds, CABs, maintenance and blackout windows. The only writers of those rows."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import ApprovalPath, WindowKind
from itsm.change.models import (
    AdvisoryBoard,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.core.errors import ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.timeline import record_event

TEMPLATE_FIELDS = frozenset(
    {
        "code",
        "name",
        "category",
        "description",
        "implementation_plan",
        "backout_plan",
        "test_plan",
        "duration_minutes",
        "is_active",
    }
)
QUESTION_FIELDS = frozenset({"order", "text", "answers", "is_active"})
THRESHOLD_FIELDS = frozenset({"level", "min_score", "approval_path"})
BOARD_FIELDS = frozenset({"code", "name", "is_emergency", "quorum", "veto", "is_active"})
WINDOW_FIELDS = frozenset(
    {
        "kind",
        "name",
        "ci",
        "service",
        "agreement",
        "starts_at",
        "ends_at",
        "weekdays",
        "start_time",
        "end_time",
        "time_zone",
        "note",
        "is_active",
    }
)


def _clean(obj) -> None:
    try:
        clean_record(obj)
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error


def _create(obj, *, by, check=None):
    if check:
        check(obj)
    _clean(obj)
    set_actor(obj, by)
    with transaction.atomic():
        obj.save()
        record_event(obj, "created", by=by)
    return obj


def _update(obj, fields: dict, allowed, *, by, expected_version=None, check=None):
    refuse_unknown_fields(fields, allowed)
    for name, value in fields.items():
        setattr(obj, name, value)
    if check:
        check(obj)
    with transaction.atomic():
        save_versioned(obj, expected_version=expected_version, by=by)
        record_event(obj, "updated", by=by, data={"fields": sorted(fields)})
    return obj


def _delete(obj, *, by) -> None:
    with transaction.atomic():
        record_event(obj, "deleted", by=by, data={"name": str(obj)})
        obj.delete()


# --- templates ------------------------------------------------------------------------------------


def create_template(*, by, **fields) -> ChangeTemplate:
    """Add a pre-approved standard change to the catalogue."""
    refuse_unknown_fields(fields, TEMPLATE_FIELDS)
    return _create(ChangeTemplate(**fields), by=by)


def update_template(template: ChangeTemplate, *, by, expected_version=None, **fields):
    return _update(template, fields, TEMPLATE_FIELDS, by=by, expected_version=expected_version)


def delete_template(template: ChangeTemplate, *, by) -> None:
    """Remove a template no change was raised from (a used one is deactivated instead)."""
    if Change.objects.filter(template=template).exists():
        raise ValidationFailed(
            _("Changes were raised from this template: deactivate it instead."),
            fields={"is_active": [str(_("Untick “active” to withdraw the template."))]},
        )
    _delete(template, by=by)


# --- risk questionnaire ---------------------------------------------------------------------------


def _check_question(question: RiskQuestion) -> None:
    answers = question.answers
    if not isinstance(answers, list) or len(answers) < 2:
        raise ValidationFailed(fields={"answers": [str(_("Give at least two answers."))]})
    cleaned = []
    for index, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict) or not str(answer.get("label", "")).strip():
            raise ValidationFailed(
                fields={"answers": [str(_("Answer {n}: give a label.")).format(n=index)]}
            )
        try:
            weight = int(answer.get("weight", 0))
        except (TypeError, ValueError):
            weight = -1
        if weight < 0:
            raise ValidationFailed(
                fields={
                    "answers": [
                        str(_("Answer {n}: the weight is a whole number, 0 or more.")).format(
                            n=index
                        )
                    ]
                }
            )
        cleaned.append({"label": str(answer["label"]).strip(), "weight": weight})
    question.answers = cleaned


def create_question(*, by, **fields) -> RiskQuestion:
    """Add a question (with weighted answers) to the risk questionnaire."""
    refuse_unknown_fields(fields, QUESTION_FIELDS)
    return _create(RiskQuestion(**fields), by=by, check=_check_question)


def update_question(question: RiskQuestion, *, by, expected_version=None, **fields):
    return _update(
        question,
        fields,
        QUESTION_FIELDS,
        by=by,
        expected_version=expected_version,
        check=_check_question,
    )


def delete_question(question: RiskQuestion, *, by) -> None:
    """Remove a question no change was assessed with (an answered one is deactivated)."""
    if Change.objects.filter(risk_answers__has_key=str(question.pk)).exists():
        raise ValidationFailed(
            _("Changes were assessed with this question: deactivate it instead."),
            fields={"is_active": [str(_("Untick “active” to leave the question out."))]},
        )
    _delete(question, by=by)


def _check_threshold(threshold: RiskThreshold) -> None:
    if threshold.approval_path not in ApprovalPath.values:
        raise ValidationFailed(fields={"approval_path": [str(_("Choose an approval path."))]})
    others = RiskThreshold.objects.exclude(pk=threshold.pk)
    if others.filter(level=threshold.level).exists():
        raise ValidationFailed(
            fields={"level": [str(_("This risk level already has a threshold."))]}
        )
    if others.filter(min_score=threshold.min_score).exists():
        raise ValidationFailed(
            fields={"min_score": [str(_("Another risk level starts at this score."))]}
        )


def create_threshold(*, by, **fields) -> RiskThreshold:
    """Add the score from which a change has a risk level and its approval path."""
    refuse_unknown_fields(fields, THRESHOLD_FIELDS)
    return _create(RiskThreshold(**fields), by=by, check=_check_threshold)


def update_threshold(threshold: RiskThreshold, *, by, expected_version=None, **fields):
    return _update(
        threshold,
        fields,
        THRESHOLD_FIELDS,
        by=by,
        expected_version=expected_version,
        check=_check_threshold,
    )


def delete_threshold(threshold: RiskThreshold, *, by) -> None:
    """Remove a threshold (the changes assessed already keep their level)."""
    _delete(threshold, by=by)


def set_threshold(*, by, level: str, min_score: int, approval_path: str) -> RiskThreshold:
    """Set the score from which a change has *level* and takes *approval_path*."""
    existing = RiskThreshold.objects.filter(level=level).first()
    if existing is None:
        return _create(
            RiskThreshold(level=level, min_score=min_score, approval_path=approval_path), by=by
        )
    return _update(
        existing,
        {"min_score": min_score, "approval_path": approval_path},
        THRESHOLD_FIELDS,
        by=by,
    )


# --- CABs -----------------------------------------------------------------------------------------


def _check_board(board: AdvisoryBoard) -> None:
    if board.quorum < 1:
        raise ValidationFailed(fields={"quorum": [str(_("At least one vote is needed."))]})


def create_board(*, by, members=(), **fields) -> AdvisoryBoard:
    """Set up a CAB (or the emergency CAB) with its members and quorum rule."""
    refuse_unknown_fields(fields, BOARD_FIELDS)
    with transaction.atomic():
        board = _create(AdvisoryBoard(**fields), by=by, check=_check_board)
        board.members.set(list(members))
    return board


def update_board(board: AdvisoryBoard, *, by, expected_version=None, members=None, **fields):
    with transaction.atomic():
        _update(
            board,
            fields,
            BOARD_FIELDS,
            by=by,
            expected_version=expected_version,
            check=_check_board,
        )
        if members is not None:
            board.members.set(list(members))
    return board


# --- windows --------------------------------------------------------------------------------------


def _check_window(window: Window) -> None:
    if window.kind not in WindowKind.values:
        raise ValidationFailed(fields={"kind": [str(_("Choose maintenance or blackout."))]})
    if sum(x is not None for x in (window.ci_id, window.service_id, window.agreement_id)) > 1:
        raise ValidationFailed(
            fields={"ci": [str(_("A window is on one CI, one service, one agreement or global."))]}
        )
    if window.agreement_id and window.kind != WindowKind.MAINTENANCE:
        raise ValidationFailed(
            fields={"agreement": [str(_("An agreement allows planned interruptions only."))]}
        )
    try:
        zoneinfo.ZoneInfo(window.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(fields={"time_zone": [str(_("Unknown time zone."))]}) from None
    weekdays = window.weekdays or []
    if not isinstance(weekdays, list) or any(
        not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays
    ):
        raise ValidationFailed(fields={"weekdays": [str(_("Give weekdays from 0 to 6."))]})
    window.weekdays = sorted(set(weekdays))
    if weekdays:
        if window.start_time is None:
            raise ValidationFailed(
                fields={"start_time": [str(_("A weekly window needs a start."))]}
            )
        if window.end_time is None:
            raise ValidationFailed(fields={"end_time": [str(_("A weekly window needs an end."))]})
    else:
        if window.starts_at is None:
            raise ValidationFailed(
                fields={"starts_at": [str(_("A one-off window needs a start."))]}
            )
        if window.ends_at is None:
            raise ValidationFailed(fields={"ends_at": [str(_("A one-off window needs an end."))]})
    if window.starts_at and window.ends_at and window.ends_at <= window.starts_at:
        raise ValidationFailed(fields={"ends_at": [str(_("The end must be after the start."))]})


def create_window(*, by, **fields) -> Window:
    """Add a maintenance or blackout window (one-off or weekly)."""
    refuse_unknown_fields(fields, WINDOW_FIELDS)
    return _create(Window(**fields), by=by, check=_check_window)


def update_window(window: Window, *, by, expected_version=None, **fields) -> Window:
    return _update(
        window,
        fields,
        WINDOW_FIELDS,
        by=by,
        expected_version=expected_version,
        check=_check_window,
    )


def delete_window(window: Window, *, by) -> None:
    _delete(window, by=by)
