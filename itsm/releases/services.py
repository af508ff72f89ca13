"""Release management services (发布管理, R-REL) — the only writers of releases, their test
records and go/no-go decisions.

Rules:

- a release bundles changes the user may view that are not rejected, cancelled or failed; its
  customers (who sees it) are the customers of those changes;
- ``ci_versions`` names, for CIs of the bundled changes, the version each takes when the
  release is deployed;
- the lifecycle is ``choices.RELEASE_MACHINE``; which steps a release takes depends on its kind
  (``choices.KIND_STEPS``): major and minor releases are tested (planning → testing →
  go/no-go → ready), an emergency release is decided "go" straight from planning;
- a go/no-go decision is recorded with its comment; "go" needs every bundled change approved
  (scheduled or later), and, on the normal path, at least one test record with the newest
  record of each tested subject passed;
- deployment start records its time and starts the scheduled changes; success records the end,
  completes the changes, writes the new CI versions through the CMDB's services (authorised
  by the change that carries the CI) and puts a ``release_deployed`` row on each CI's history;
  a rollback records the outcome, fails the changes as rolled back and puts a
  ``release_rolled_back`` row on each CI's history. Both count in the release success rate.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.change import selectors as change_selectors
from itsm.change import services as change_services
from itsm.change.choices import ChangeStatus
from itsm.cmdb import selectors as cmdb_selectors
from itsm.cmdb import services as cmdb_services
from itsm.core import policy
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import Event, record_event, record_events
from itsm.core.writes import insert_record
from itsm.releases.choices import (
    DECISION_STEPS,
    EDITABLE_STATES,
    KIND_STEPS,
    RELEASE_MACHINE,
    TESTABLE_STATES,
    Decision,
    ReleaseKind,
    ReleaseStatus,
    TestResult,
)
from itsm.releases.models import Release, ReleaseDecision, ReleaseTest

NUMBER_PREFIX = "REL"

#: changes that can no longer be released
DEAD_CHANGE_STATES = (ChangeStatus.REJECTED, ChangeStatus.CANCELLED, ChangeStatus.FAILED)
#: changes approved for implementation (a "go" needs all bundled changes here)
APPROVED_CHANGE_STATES = (
    ChangeStatus.SCHEDULED,
    ChangeStatus.IMPLEMENTING,
    ChangeStatus.REVIEW,
    ChangeStatus.CLOSED,
)

EDITABLE = frozenset(
    {
        "title",
        "version_label",
        "description",
        "planned_at",
        "changes",
        "manager",
        "deployment_plan",
        "rollback_plan",
        "ci_versions",
        "internal_notes",
    }
)
VERSION_TEXT = re.compile(r"^\S(.{0,58}\S)?$")


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _check_changes(by, changes) -> list:
    """The bundled changes: visible to *by*, none rejected, cancelled or failed."""
    ids = sorted({getattr(c, "pk", c) for c in changes})
    if not ids:
        return []
    found = list(change_selectors.changes_for(by).filter(pk__in=ids).only("id", "number", "status"))
    if len(found) != len(ids):
        raise _error("changes", _("Choose changes you may view."))
    dead = [c.number for c in found if c.status in DEAD_CHANGE_STATES]
    if dead:
        raise _error(
            "changes",
            _("These changes were rejected, cancelled or failed: {numbers}.").format(
                numbers=", ".join(dead)
            ),
        )
    return found


def _check_ci_versions(ci_versions, change_ids) -> dict[str, str]:
    """``{CI id: version}`` for CIs of the bundled changes; each version a short text."""
    if ci_versions in (None, ""):
        return {}
    if not isinstance(ci_versions, dict):
        raise _error("ci_versions", _("Give each CI's version as CI id → version."))
    cleaned: dict[str, str] = {}
    for key, value in ci_versions.items():
        text = str(value or "").strip()
        if not VERSION_TEXT.match(text):
            raise _error("ci_versions", _("Give each CI a version of at most 60 characters."))
        try:
            cleaned[str(int(key))] = text
        except (TypeError, ValueError):
            raise _error("ci_versions", _("Give each CI's version as CI id → version.")) from None
    if cleaned:
        allowed = {str(pk) for pk in _change_ci_ids(change_ids)}
        stray = sorted(set(cleaned) - allowed, key=int)
        if stray:
            numbers = (
                list(
                    cmdb_selectors.all_cis()
                    .filter(pk__in=[int(k) for k in stray])
                    .values_list("number", flat=True)
                )
                or stray
            )
            raise _error(
                "ci_versions",
                _("Not a CI of the bundled changes: {cis}.").format(cis=", ".join(numbers)),
            )
        for ci in (
            cmdb_selectors.all_cis()
            .filter(pk__in=[int(k) for k in cleaned])
            .select_related("ci_class")
        ):
            try:
                cmdb_services.validate_attributes(
                    ci.ci_class, {**(ci.attributes or {}), "version": cleaned[str(ci.pk)]}
                )
            except ValidationFailed:
                raise _error(
                    "ci_versions",
                    _("{ci}: its class “{cls}” keeps no valid version.").format(
                        ci=ci.number, cls=ci.ci_class
                    ),
                ) from None
    return cleaned


def _change_ci_ids(change_ids) -> list[int]:
    model = _change_model()
    return list(
        model.cis.through.objects.filter(change_id__in=list(change_ids))
        .values_list("configurationitem_id", flat=True)
        .distinct()
    )


def _change_model():
    """The change model, read from the release's relation (no import of another app's
    models)."""
    return Release._meta.get_field("changes").related_model


def _check_manager(manager) -> None:
    if manager is not None and not policy.is_provider_staff(manager):
        raise _error("manager", _("Choose a member of the provider's staff."))


def _set_customers(release: Release) -> None:
    """Who sees the release: the customers of its changes."""
    model = _change_model()
    ids = set(
        model.customers.through.objects.filter(
            change_id__in=release.changes.values("pk")
        ).values_list("organisation_id", flat=True)
    )
    release.customers.set(sorted(ids))


def create_release(
    *,
    by,
    kind: str,
    title: str,
    version_label: str = "",
    description: str = "",
    planned_at: datetime | None = None,
    changes=(),
    manager=None,
    deployment_plan: str = "",
    rollback_plan: str = "",
    ci_versions: dict | None = None,
    internal_notes: str = "",
) -> Release:
    """Plan a release (status planning) with the next ``REL-`` number."""
    if kind not in ReleaseKind.values:
        raise _error("kind", _("Choose a major, minor or emergency release."))
    found = _check_changes(by, changes)
    manager = manager or by
    _check_manager(manager)
    versions = _check_ci_versions(ci_versions, [c.pk for c in found])
    release = Release(
        kind=kind,
        title=(title or "").strip(),
        version_label=(version_label or "").strip(),
        description=description or "",
        planned_at=planned_at,
        manager=manager,
        deployment_plan=deployment_plan or "",
        rollback_plan=rollback_plan or "",
        ci_versions=versions,
        internal_notes=internal_notes or "",
    )
    try:
        clean_record(release, exclude=("number",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error
    set_actor(release, by)
    with transaction.atomic():
        insert_record(release, by=by, number_prefix=NUMBER_PREFIX)
        release.changes.set(found)
        _set_customers(release)
    return release


def update_release(
    release: Release, *, by, expected_version: int | None = None, **fields
) -> Release:
    """Change the plan of *release* while it is planned or in testing."""
    refuse_unknown_fields(fields, EDITABLE)
    if not fields:
        # nothing changed (a form saved as it was): no new version; a stale form still conflicts
        if expected_version is not None and expected_version != release.version:
            save_versioned(release, expected_version=expected_version, by=by)  # raises Conflict
        return release
    if release.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("The release plan can be edited only while planning or testing."),
            fields={sorted(fields)[0] if fields else "status": [str(_("Not editable now."))]},
        )
    changes = fields.pop("changes", None)
    change_ids = (
        [c.pk for c in _check_changes(by, changes)]
        if changes is not None
        else list(release.changes.values_list("pk", flat=True))
    )
    if changes is not None or "ci_versions" in fields:
        fields["ci_versions"] = _check_ci_versions(
            fields.get("ci_versions", release.ci_versions), change_ids
        )
    if "manager" in fields:
        _check_manager(fields["manager"])
    for name in ("title", "version_label"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    for name, value in fields.items():
        setattr(release, name, value)
    try:
        clean_record(release, exclude=("number",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error
    with transaction.atomic():
        save_versioned(release, expected_version=expected_version, by=by)
        if changes is not None:
            release.changes.set(change_ids)
            _set_customers(release)
        changed = sorted({*fields, *(["changes"] if changes is not None else [])})
        record_event(release, "updated", by=by, data={"fields": changed})
    return release


def record_test(
    release: Release,
    *,
    by,
    subject: str,
    result: str,
    note: str = "",
    tested_at: datetime | None = None,
    tested_by=None,
) -> ReleaseTest:
    """Record a test of *release*: what was tested, the result, by whom, when."""
    if release.status not in TESTABLE_STATES:
        raise InvalidTransition(
            _("Tests are recorded before the deployment starts."),
            fields={"subject": [str(_("Not in this status."))]},
        )
    subject = (subject or "").strip()
    if not subject:
        raise _error("subject", _("Say what was tested."))
    if result not in TestResult.values:
        raise _error("result", _("Choose passed or failed."))
    tested_by = tested_by or by
    if not policy.is_provider_staff(tested_by):
        raise _error("tested_by", _("Choose a member of the provider's staff."))
    when = tested_at or timezone.now()
    if when > timezone.now():
        raise _error("tested_at", _("A test cannot be recorded in the future."))
    test = ReleaseTest(
        release=release,
        subject=subject,
        result=result,
        note=note or "",
        tested_by=tested_by,
        tested_at=when,
    )
    set_actor(test, by)
    with transaction.atomic():
        test.save()
        record_event(
            release,
            "tested",
            by=by,
            note=subject,
            data={"test": test.pk, "subject": subject, "result": result},
        )
    return test


def tests_passed(release: Release) -> bool:
    """At least one test, and the newest record of each tested subject passed."""
    newest: dict[str, str] = {}
    for subject, result in release.tests.order_by("tested_at", "id").values_list(
        "subject", "result"
    ):
        newest[subject.casefold()] = result
    return bool(newest) and all(r == TestResult.PASSED for r in newest.values())


def _step(release: Release, target: str, *, by):
    step = ensure_transition(release, target, by=by, machine=RELEASE_MACHINE)
    if step.name not in KIND_STEPS[release.kind]:
        raise InvalidTransition(
            _("A {kind} does not take this step.").format(
                kind=ReleaseKind(release.kind).label.lower()
            ),
            fields={"status": [str(_("Not allowed for this kind of release."))]},
        )
    return step


def _move(
    release: Release, target: str, *, by, note: str = "", expected_version=None, **fields
) -> Release:
    for name, value in fields.items():
        setattr(release, name, value)
    source = release.status
    step = _step(release, target, by=by)
    release.status = target
    save_versioned(release, expected_version=expected_version, by=by)
    record_event(release, step.name, by=by, note=note, data={"from": source, "to": target})
    return release


def _bundled(release: Release) -> list:
    return list(release.changes.all().order_by("id"))


def _require_changes(release: Release, *, approved: bool) -> list:
    bundled = _bundled(release)
    if not bundled:
        raise _error("changes", _("Bundle at least one change into the release."))
    if approved:
        waiting = [c.number for c in bundled if c.status not in APPROVED_CHANGE_STATES]
        if waiting:
            raise _error(
                "changes",
                _("These changes are not approved yet: {numbers}.").format(
                    numbers=", ".join(waiting)
                ),
            )
    return bundled


def start_testing(release: Release, *, by, note: str = "", expected_version=None) -> Release:
    with transaction.atomic():
        _require_changes(release, approved=False)
        return _move(
            release, ReleaseStatus.TESTING, by=by, note=note, expected_version=expected_version
        )


def request_decision(release: Release, *, by, note: str = "", expected_version=None) -> Release:
    """Testing is over: the release awaits its go/no-go (the tests must have passed)."""
    if not tests_passed(release):
        raise _error(
            "tests",
            _("Record at least one test; the newest test of each subject must have passed."),
        )
    with transaction.atomic():
        return _move(
            release, ReleaseStatus.DECISION, by=by, note=note, expected_version=expected_version
        )


def decide(
    release: Release, *, by, decision: str, comment: str, expected_version=None
) -> ReleaseDecision:
    """Record the go/no-go decision with its comment. Go (awaiting the decision, or an
    emergency release from planning) makes the release ready to deploy; no-go returns it to
    planning."""
    comment = (comment or "").strip()
    if not comment:
        raise _error("comment", _("Give the reason for the decision."))
    if decision not in Decision.values:
        raise _error("decision", _("Choose go or no-go."))
    if decision == Decision.NO_GO:
        target = ReleaseStatus.PLANNING
    else:
        target = ReleaseStatus.READY
    step = RELEASE_MACHINE.find(release.status, target)
    if step is None or step.name not in DECISION_STEPS:
        raise InvalidTransition(
            _("No go/no-go decision is due on this release now."),
            fields={"decision": [str(_("Not allowed from the current status."))]},
        )
    with transaction.atomic():
        if decision == Decision.GO:
            _require_changes(release, approved=True)
            if step.name == "go" and not tests_passed(release):
                raise _error("decision", _("The newest test of each subject must have passed."))
        _move(release, target, by=by, note=comment, expected_version=expected_version)
        row = ReleaseDecision(release=release, decision=decision, comment=comment, decided_by=by)
        set_actor(row, by)
        row.save()
        record_event(
            release, "decided", by=by, note=comment, data={"decision": decision, "step": step.name}
        )
    return row


def deploy(release: Release, *, by, note: str = "", expected_version=None) -> Release:
    """Start the deployment: its time is recorded and the scheduled changes start."""
    with transaction.atomic():
        bundled = _require_changes(release, approved=True)
        _move(
            release,
            ReleaseStatus.DEPLOYING,
            by=by,
            note=note,
            expected_version=expected_version,
            deploy_started_at=timezone.now(),
        )
        for change in bundled:
            if change.status == ChangeStatus.SCHEDULED:
                change_services.move(change, ChangeStatus.IMPLEMENTING, by=by, note=release.number)
    return release


def succeed(release: Release, *, by, note: str = "", expected_version=None) -> Release:
    """The deployment succeeded: the changes are implemented, the CMDB takes the CI versions
    and each CI's history shows the release."""
    now = timezone.now()
    with transaction.atomic():
        _move(
            release,
            ReleaseStatus.DEPLOYED,
            by=by,
            note=note,
            expected_version=expected_version,
            deploy_ended_at=now,
            closed_at=now,
            outcome_note=(note or release.outcome_note or "").strip(),
        )
        bundled = _bundled(release)
        for change in bundled:
            if change.status == ChangeStatus.IMPLEMENTING:
                change_services.move(change, ChangeStatus.REVIEW, by=by, note=release.number)
        _update_cmdb(release, bundled, by=by)
    return release


def roll_back(
    release: Release, *, by, outcome_note: str, note: str = "", expected_version=None
) -> Release:
    """The deployment failed and was rolled back: the changes fail as rolled back."""
    now = timezone.now()
    with transaction.atomic():
        _move(
            release,
            ReleaseStatus.ROLLED_BACK,
            by=by,
            note=note,
            expected_version=expected_version,
            outcome_note=(outcome_note or "").strip(),
            deploy_ended_at=now,
            closed_at=now,
        )
        bundled = _bundled(release)
        for change in bundled:
            if change.status in (ChangeStatus.IMPLEMENTING, ChangeStatus.REVIEW):
                change_services.move(
                    change,
                    ChangeStatus.FAILED,
                    by=by,
                    note=release.number,
                    outcome_note=release.outcome_note,
                    rolled_back=True,
                )
        _record_on_cis(release, bundled, "release_rolled_back", by=by)
    return release


def cancel(release: Release, *, by, note: str = "", expected_version=None) -> Release:
    with transaction.atomic():
        return _move(
            release,
            ReleaseStatus.CANCELLED,
            by=by,
            note=note,
            expected_version=expected_version,
            closed_at=timezone.now(),
        )


def _ci_changes(bundled) -> dict[int, object]:
    """Each CI of the bundled changes → the (first) change that carries it."""
    model = _change_model()
    owners: dict[int, object] = {}
    by_id = {c.pk: c for c in bundled}
    for change_id, ci_id in (
        model.cis.through.objects.filter(change_id__in=list(by_id))
        .order_by("change_id", "configurationitem_id")
        .values_list("change_id", "configurationitem_id")
    ):
        owners.setdefault(ci_id, by_id[change_id])
    return owners


def _update_cmdb(release: Release, bundled, *, by) -> None:
    owners = _ci_changes(bundled)
    cis = {ci.pk: ci for ci in cmdb_selectors.all_cis().filter(pk__in=list(owners))}
    for key, version in sorted((release.ci_versions or {}).items()):
        ci = cis.get(int(key))
        if ci is None:
            continue
        attributes = {**(ci.attributes or {}), "version": version}
        try:
            cmdb_services.update_ci(
                ci,
                by=by,
                change_reference=owners[ci.pk].number,  # type: ignore[attr-defined]
                attributes=attributes,
            )
        except ValidationFailed as error:
            raise _error(
                "ci_versions",
                _("{ci}: the CMDB refused the version ({reason}).").format(
                    ci=ci.number,
                    reason="; ".join(str(m) for ms in (error.fields or {}).values() for m in ms),
                ),
            ) from error
    _record_on_cis(release, bundled, "release_deployed", by=by, cis=cis.values())


def _record_on_cis(release: Release, bundled, verb: str, *, by, cis=None) -> None:
    if cis is None:
        cis = cmdb_selectors.all_cis().filter(pk__in=list(_ci_changes(bundled)))
    versions = release.ci_versions or {}
    record_events(
        Event(
            ci,
            verb,
            by=by,
            note=release.number,
            data={
                "release": release.number,
                "release_id": release.pk,
                **({"version": versions[str(ci.pk)]} if str(ci.pk) in versions else {}),
            },
        )
        for ci in sorted(cis, key=lambda ci: ci.pk)
    )


def move(release: Release, target: str, *, by, note: str = "", expected_version=None, **data):
    """Dispatch a move to its service function (the API's transition action and the pages)."""
    if target == ReleaseStatus.TESTING:
        return start_testing(release, by=by, note=note, expected_version=expected_version)
    if target == ReleaseStatus.DECISION:
        return request_decision(release, by=by, note=note, expected_version=expected_version)
    if target in (ReleaseStatus.READY, ReleaseStatus.PLANNING) and release.status in (
        ReleaseStatus.DECISION,
        ReleaseStatus.PLANNING,
    ):
        decide(
            release,
            by=by,
            decision=Decision.GO if target == ReleaseStatus.READY else Decision.NO_GO,
            comment=note,
            expected_version=expected_version,
        )
        return release
    if target == ReleaseStatus.DEPLOYING:
        return deploy(release, by=by, note=note, expected_version=expected_version)
    if target == ReleaseStatus.DEPLOYED:
        return succeed(release, by=by, note=note, expected_version=expected_version)
    if target == ReleaseStatus.ROLLED_BACK:
        return roll_back(
            release,
            by=by,
            note=note,
            expected_version=expected_version,
            outcome_note=data.get("outcome_note", ""),
        )
    if target == ReleaseStatus.CANCELLED:
        return cancel(release, by=by, note=note, expected_version=expected_version)
    raise InvalidTransition(fields={"status": [str(_("Not allowed from the current status."))]})


# --- the change that authorises a CMDB or agreement modification -----------------------------


def check_change_reference(reference: str, *, field: str = "change_reference") -> str:
    """The number of the approved change *reference* names, if that change is in its window:
    being implemented, or scheduled with the present inside its planned window. Registered with
    the CMDB (``cmdb.services.register_change_authority``) in ``ReleasesConfig.ready``."""
    number = (reference or "").strip().upper()
    change = _change_model().objects.filter(number=number).first()
    if change is None:
        raise _error(
            field,
            _("No change {number}: give the number of an approved change.").format(
                number=reference.strip()
            ),
        )
    now = timezone.now()
    in_window = change.status == ChangeStatus.IMPLEMENTING or (
        change.status == ChangeStatus.SCHEDULED
        and change.planned_start is not None
        and change.planned_end is not None
        and change.planned_start <= now <= change.planned_end
    )
    if not in_window:
        raise _error(
            field,
            _(
                "{number} is not an approved change in its window (status “{status}”): "
                "start implementing it, or work inside its planned window."
            ).format(number=change.number, status=change.get_status_display()),
        )
    return change.number
