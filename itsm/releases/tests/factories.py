"""Factories of the release tests: rows are created through the services."""

from __future__ import annotations

import itertools

from itsm.change.choices import ChangeKind, Vote
from itsm.change.services import approval, assessment, changes
from itsm.change.tests.factories import at, ci, make_change
from itsm.releases import services
from itsm.releases.choices import ReleaseKind

_codes = itertools.count(1)

__all__ = ["at", "ci", "approved_change", "implementing_change", "make_release"]


def approved_change(requester, manager, *, cis=(), kind=ChangeKind.NORMAL, **fields):
    """A change scheduled after the change manager's approval (no questionnaire: low risk)."""
    change = changes.submit(make_change(requester, cis=cis, kind=kind, **fields), by=requester)
    change = assessment.assess(change, by=requester, answers={})
    change = assessment.request_approval(change, by=requester)
    if kind == ChangeKind.EMERGENCY:
        return change  # the emergency CAB decides; callers arrange it
    return approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Go.")


def make_release(by, *, changes=(), kind=ReleaseKind.MINOR, **fields):
    fields.setdefault("planned_at", at(12, 22))
    fields.setdefault("deployment_plan", "Deploy the package.")
    fields.setdefault("rollback_plan", "Redeploy the previous package.")
    return services.create_release(
        by=by,
        kind=kind,
        title=fields.pop("title", f"Release {next(_codes)}"),
        changes=changes,
        **fields,
    )


def implementing_change(**fields):
    """A change being implemented: the authorising change a CMDB or agreement edit may name
    (``cmdb.services.authorised_change``)."""
    from itsm.change.services import changes as change_services
    from itsm.core.choices import Role
    from itsm.core.models import User
    from itsm.core.testing.factories import UserFactory, get_provider

    def person(username, *roles):
        return User.objects.filter(username=username).first() or UserFactory(
            username=username, organisation=get_provider(), roles=roles
        )

    engineer = person("authorising-engineer", Role.ENGINEER_L2)
    manager = person("authorising-manager", Role.CHANGE_MANAGER)
    change = approved_change(engineer, manager, **fields)
    return change_services.start(change, by=engineer)
