"""Change management API: the shared endpoint tests per endpoint, and the journey through the
actions (assess, decide, reschedule, conflicts, propose, transition) with tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from itsm.change.choices import ChangeStatus, WindowKind
from itsm.change.models import Approval, Change, ChangeTemplate, Window
from itsm.change.services import approval, assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change, make_template, relate
from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    ReadOnlyAPIEndpointTests,
    assert_error,
    client_for,
)
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGE_URL = "api:change-api:change"


def _staff(username, *roles):
    from itsm.core.testing.factories import get_provider

    return UserFactory(username=username, organisation=get_provider(), roles=roles)


def _requester():
    from itsm.core.models import User

    return User.objects.filter(username="chg-req").first() or _staff("chg-req", Role.ENGINEER_L2)


def _visible_change(owner):
    """A submitted change on a CI of customer *owner* (customers never see drafts)."""
    requester = _requester()
    return changes.submit(
        make_change(requester, cis=[ci(f"app of {owner.code}", customer=owner)]), by=requester
    )


class TestChangeAPI(APIEndpointTests):
    model = Change
    url_name = CHANGE_URL
    tenancy = "customer"
    required_fields = ("kind", "title")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"kind": "urgent"}, {"starts_after": "yesterday"})

    def make_row(self, owner):
        return _visible_change(owner)

    def create_payload(self, env):
        return {
            "kind": "normal",
            "title": "Upgrade the ERP",
            "category": "application",
            "implementation_plan": "Rolling upgrade.",
            "backout_plan": "Roll back.",
            "cis": [ci("erp", customer=env.customer_a).pk],
        }

    def update_payload(self, env, row):
        return {"title": "Upgrade the ERP to 2.0", "reason": "End of support."}


class TestTemplateAPI(APIEndpointTests):
    model = ChangeTemplate
    url_name = "api:change-api:template"
    tenancy = "staff"
    required_fields = ("code", "name", "implementation_plan", "backout_plan")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)

    def make_row(self, owner):
        return make_template(name=f"Template of {owner.code}")

    def create_payload(self, env):
        return {
            "code": "db-restart",
            "name": "Database restart",
            "implementation_plan": "Restart the instance.",
            "backout_plan": "None needed.",
            "duration_minutes": 15,
        }

    def update_payload(self, env, row):
        return {"name": "Renamed template"}


class TestWindowAPI(APIEndpointTests):
    model = Window
    url_name = "api:change-api:window"
    tenancy = "staff"
    required_fields = ("kind", "name")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True
    invalid_filters = ({"kind": "holiday"},)

    def make_row(self, owner):
        return config.create_window(
            by=None,
            kind=WindowKind.BLACKOUT,
            name=f"Freeze for {owner.code}",
            starts_at=at(1, 0),
            ends_at=at(2, 0),
        )

    def create_payload(self, env):
        return {
            "kind": "maintenance",
            "name": "Sunday nights",
            "weekdays": [6],
            "start_time": "01:00:00",
            "end_time": "05:00:00",
        }

    def update_payload(self, env, row):
        return {"name": "Year-end freeze"}


class TestApprovalAPI(ReadOnlyAPIEndpointTests):
    model = Approval
    url_name = "api:change-api:approval"
    tenancy = "staff"
    invalid_filters = ({"vote": "maybe"},)

    def make_row(self, owner):
        from itsm.core.models import User

        manager = User.objects.filter(username="chg-mgr").first() or _staff(
            "chg-mgr", Role.CHANGE_MANAGER
        )
        change = _visible_change(owner)
        change = assessment.assess(change, by=manager, answers={})
        change = assessment.request_approval(change, by=manager)
        approval.decide(change, by=manager, vote="approve", comment="Fine.")
        return Approval.objects.get(change=change)


# --- the journey through the API ------------------------------------------------------------------


def _post(client, change, action, body):
    return client.post(
        reverse(f"{CHANGE_URL}-{action}", kwargs={"pk": change.pk}), body, format="json"
    )


def test_journey_conflict_proposal_approval_implementation(provider, customer_a, customer_user):
    requester = _staff("req", Role.ENGINEER_L2)
    manager = _staff("mgr", Role.CHANGE_MANAGER)
    app, vm, app2 = ci("erp", customer=customer_a), ci("vm", "virtual_machine"), ci("crm")
    relate(app, vm, "runs_on")
    relate(app2, vm, "runs_on")
    booked = changes.submit(make_change(requester, cis=[app2], start=at(10, 22)), by=requester)
    client = client_for(requester)
    created = client.post(
        reverse(f"{CHANGE_URL}-list"),
        {
            "kind": "normal",
            "title": "Patch the ERP",
            "implementation_plan": "Patch.",
            "backout_plan": "Unpatch.",
            "planned_start": at(10, 23).isoformat(),
            "planned_end": at(11, 1).isoformat(),
            "cis": [app.pk],
            "internal_notes": "Vendor ticket 42",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    change = Change.objects.get(pk=created.json()["id"])
    moved = _post(client, change, "transition", {"to": "assessment", "version": change.version})
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert [(c["kind"], c["change_number"], c["depth"]) for c in body["conflicts"]] == [
        ("nearby_ci", booked.number, 2)
    ]
    # the reason is in the user's language (zh-Hans by default): it names the other change first
    assert body["conflicts"][0]["reason"].startswith(booked.number)
    # the assistant proposes the next free window; accepting it clears the conflict
    proposal = client.post(reverse(f"{CHANGE_URL}-propose", kwargs={"pk": change.pk})).json()
    assert proposal["planned_start"] is not None
    change.refresh_from_db()
    rescheduled = _post(
        client,
        change,
        "reschedule",
        {"version": change.version, **proposal},
    )
    assert rescheduled.status_code == 200, rescheduled.json()
    assert rescheduled.json()["conflicts"] == []
    change.refresh_from_db()
    assessed = _post(client, change, "assess", {"version": change.version, "answers": {}})
    assert assessed.status_code == 200, assessed.json()
    assert assessed.json()["risk_level"] == "low"
    assert [c["name"] for c in assessed.json()["impact"]["customers"]] == ["Customer A"]
    change.refresh_from_db()
    _post(client, change, "transition", {"to": "approval", "version": change.version})
    # the requester cannot approve; the decision needs a comment
    assert_error(
        _post(client, change, "decide", {"vote": "approve", "comment": "ok"}), 403, "four_eyes"
    )
    manager_client = client_for(manager)
    assert_error(
        _post(manager_client, change, "decide", {"vote": "approve", "comment": ""}),
        400,
        "validation",
        fields=("comment",),
    )
    decided = _post(manager_client, change, "decide", {"vote": "approve", "comment": "Go."})
    assert decided.json()["status"] == ChangeStatus.SCHEDULED
    change.refresh_from_db()
    started = _post(client, change, "transition", {"to": "implementing", "version": change.version})
    assert started.json()["status"] == ChangeStatus.IMPLEMENTING
    change.refresh_from_db()
    refused = _post(client, change, "transition", {"to": "failed", "version": change.version})
    assert_error(refused, 400, "validation", fields=("outcome_note",))
    failed = _post(
        client,
        change,
        "transition",
        {"to": "failed", "version": change.version, "outcome_note": "Broke.", "rolled_back": True},
    )
    assert (failed.json()["status"], failed.json()["rolled_back"]) == ("failed", True)
    # the customer sees the change, without the internal fields
    seen = client_for(customer_user).get(reverse(f"{CHANGE_URL}-detail", kwargs={"pk": change.pk}))
    assert seen.status_code == 200
    assert "internal_notes" not in seen.json() and "conflicts" not in seen.json()
    assert seen.json()["cis"] == [app.pk]


def test_bad_window_names_the_field(provider):
    requester = _staff("req", Role.ENGINEER_L2)
    response = client_for(requester).post(
        reverse(f"{CHANGE_URL}-list"),
        {
            "kind": "normal",
            "title": "x",
            "planned_start": at(10, 23).isoformat(),
            "planned_end": (at(10, 23) - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert_error(response, 400, "validation", fields=("planned_end",))
