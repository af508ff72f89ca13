"""Change pages: list, detail (impact and conflicts before approval, the assistant's
proposal), create, edit and the actions through the forms; tenancy; the demo step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.change.choices import ChangeStatus
from itsm.change.models import CabMeeting, Change
from itsm.change.services import approval, assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change, relate

pytestmark = pytest.mark.django_db


def test_pages_render_for_staff(requester, manager, browse, customer_a):
    change = changes.submit(
        make_change(requester, cis=[ci("erp", customer=customer_a)]), by=requester
    )
    client = browse(manager)
    for name, args in [
        ("change:change_list", []),
        ("change:change_detail", [change.pk]),
        ("change:change_edit", [change.pk]),
        ("change:change_create", []),
        ("change:template_list", []),
        ("change:window_list", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    content = client.get(reverse("change:change_list")).content.decode()
    assert change.number in content


def test_create_through_the_form(requester, browse):
    app = ci("erp")
    response = browse(requester).post(
        reverse("change:change_create"),
        {
            "kind": "normal",
            "title": "Patch the ERP",
            "category": "software",
            "implementation_plan": "Patch.",
            "backout_plan": "Unpatch.",
            "planned_start": "2031-03-10T22:00",
            "planned_end": "2031-03-10T23:00",
            "cis": app.number,
        },
    )
    change = Change.objects.get(title="Patch the ERP")
    assert response.status_code == 302
    assert list(change.cis.all()) == [app]


def test_create_form_names_the_bad_field(requester, browse):
    response = browse(requester).post(
        reverse("change:change_create"),
        {
            "kind": "normal",
            "title": "Bad window",
            "category": "other",
            "planned_start": "2031-03-10T22:00",
            "planned_end": "2031-03-10T21:00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "planned_end": ["The planned end must be after the planned start."]
    }


def test_detail_shows_conflicts_and_accepting_the_proposal_clears_them(requester, manager, browse):
    app, vm, app2 = ci("erp"), ci("vm", "virtual_machine"), ci("crm")
    relate(app, vm, "runs_on")
    relate(app2, vm, "runs_on")
    booked = changes.submit(make_change(requester, cis=[app2], start=at(10, 22)), by=requester)
    config.create_window(
        by=manager, kind="blackout", name="Freeze", starts_at=at(10, 0), ends_at=at(11, 0)
    )
    mine = changes.submit(make_change(requester, cis=[app], start=at(10, 22)), by=requester)
    client = browse(requester)
    page = client.get(reverse("change:change_detail", args=[mine.pk]))
    content = page.content.decode()
    assert 'data-conflict="nearby_ci"' in content and booked.number in content
    assert 'data-conflict="blackout"' in content
    start, end = page.context["proposal"]
    response = client.post(
        reverse("change:change_reschedule", args=[mine.pk]),
        {
            "planned_start": start.isoformat(),
            "planned_end": end.isoformat(),
            "version": mine.version,
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.planned_start, mine.conflicts) == (start, [])


def test_assess_decide_implement_fail_through_the_pages(requester, manager, browse):
    change = changes.submit(make_change(requester, cis=[ci("erp")]), by=requester)
    client = browse(requester)
    client.post(reverse("change:change_assess", args=[change.pk]), {"version": change.version})
    change.refresh_from_db()
    assert change.risk_level == "low"
    client.post(
        reverse("change:change_transition", args=[change.pk]),
        {"to": "approval", "version": change.version},
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVAL
    # the requester is offered no decision form; the manager is
    assert (
        browse(requester)
        .get(reverse("change:change_detail", args=[change.pk]))
        .context["may_decide"]
        is False
    )
    manager_client = browse(manager)
    assert manager_client.get(reverse("change:change_detail", args=[change.pk])).context[
        "may_decide"
    ]
    manager_client.post(
        reverse("change:change_decide", args=[change.pk]), {"vote": "approve", "comment": "Go."}
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.SCHEDULED
    client.post(
        reverse("change:change_transition", args=[change.pk]),
        {"to": "implementing", "version": change.version},
    )
    change.refresh_from_db()
    response = client.post(
        reverse("change:change_transition", args=[change.pk]),
        {
            "to": "failed",
            "outcome_note": "Broke.",
            "rolled_back": "on",
            "version": change.version,
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.rolled_back) == (ChangeStatus.FAILED, True)


def test_customer_sees_own_changes_without_internal_notes(
    requester, customer_user, other_customer_user, customer_a, browse
):
    change = changes.submit(
        make_change(requester, cis=[ci("erp", customer=customer_a)], internal_notes="secret"),
        by=requester,
    )
    client = browse(customer_user)
    page = client.get(reverse("change:change_detail", args=[change.pk]))
    assert page.status_code == 200
    assert "secret" not in page.content.decode()
    assert 'data-testid="conflicts"' not in page.content.decode()
    assert client.get(reverse("change:change_edit", args=[change.pk])).status_code == 403
    other = browse(other_customer_user)
    assert other.get(reverse("change:change_detail", args=[change.pk])).status_code == 404
    assert other.get(reverse("change:template_list")).status_code == 403


def test_demo_step_is_idempotent_and_through_services():
    from itsm.change.demo import load_change
    from itsm.core.demo import DEMO_STEPS

    # the demo up to the change step (later apps' steps add changes of their own)
    for step in DEMO_STEPS[: DEMO_STEPS.index(load_change) + 1]:
        step()
    statuses = sorted(Change.objects.values_list("status", flat=True))
    assert statuses == ["approval", "closed", "draft", "failed", "scheduled"]
    approval_change = Change.objects.get(status="approval")
    assert approval_change.conflicts and approval_change.conflicts[0]["kind"] == "nearby_ci"
    assert load_change() == 0
    assert Change.objects.count() == 5
    # tomorrow's CAB meeting with the change awaiting the CAB on its agenda
    meeting = CabMeeting.objects.get()
    assert (meeting.status, meeting.board.code) == ("planned", "cab")
    assert list(meeting.items.values_list("change", flat=True)) == [approval_change.pk]
    assert meeting.attendees.count() == 3
    assert approval is not None and assessment is not None
