"""Requirements, review meetings and action items move only through their declared machines
(``REQUIREMENT_MACHINE``, ``REVIEW_MACHINE``, ``ACTION_MACHINE``): a refused move answers 422
``invalid_transition`` naming ``status`` in the API and a message on the page, and an
irreversible move asks for confirmation first."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from itsm.core.errors import InvalidTransition
from itsm.core.testing.api import client_for
from itsm.core.timeline import timeline_for
from itsm.slm.choices import ActionStatus, RequirementStatus, ReviewStatus
from itsm.slm.services import requirements, reviews
from itsm.slm.tests.factories import slm_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-manager")


@pytest.fixture
def requirement(manager, customer_a):
    return requirements.create_requirement(
        customer=customer_a, kind="availability", title="Online banking 99.9 %", by=manager
    )


def _refresh(obj):
    obj.refresh_from_db()
    return obj


def test_a_rejected_requirement_cannot_become_agreed(requirement, manager):
    requirements.review_requirement(requirement, by=manager, status=RequirementStatus.REJECTED)
    with pytest.raises(InvalidTransition) as exc:
        requirements.review_requirement(requirement, by=manager, status=RequirementStatus.AGREED)
    assert set(exc.value.fields) == {"status"}
    assert _refresh(requirement).status == RequirementStatus.REJECTED


def test_requirement_review_records_who_and_the_transition(requirement, manager):
    requirements.review_requirement(requirement, by=manager, status=RequirementStatus.REVIEWED)
    requirements.review_requirement(requirement, by=manager, status=RequirementStatus.AGREED)
    requirement = _refresh(requirement)
    assert (requirement.status, requirement.reviewed_by) == ("agreed", manager)
    verbs = [entry.verb for entry in timeline_for(requirement)]
    assert {"review", "agree"} <= set(verbs)


def test_api_refuses_rejected_to_agreed_with_422_naming_status(requirement, manager):
    client = client_for(manager)
    url = reverse("api:slm-api:requirement-review", kwargs={"pk": requirement.pk})
    assert client.post(url, {"status": "rejected"}, format="json").status_code == 200
    response = client.post(url, {"status": "agreed"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert list(body["fields"]) == ["status"]
    assert _refresh(requirement).status == RequirementStatus.REJECTED


def test_requirement_page_offers_the_machine_moves_and_confirms_irreversible_ones(
    requirement, manager, client
):
    client.force_login(manager)
    detail = client.get(reverse("slm:requirement_detail", args=[requirement.pk])).content.decode()
    for name in ("review", "agree", "reject"):
        assert f'data-transition="{name}"' in detail
    review = reverse("slm:requirement_review", args=[requirement.pk])
    asked = client.post(review, {"to": "rejected", "version": requirement.version})
    assert asked.status_code == 200  # the confirmation page: nothing written yet
    with translation.override("zh-hans"):  # the manager's language
        rejected = _(
            "The requirement is rejected for good: it can no longer be agreed; a changed need"
            " is recorded as a new requirement."
        )
        assert str(rejected) in asked.content.decode()
    assert _refresh(requirement).status == RequirementStatus.RECORDED
    done = client.post(
        review, {"to": "rejected", "version": requirement.version, "confirmed": "yes"}
    )
    assert done.status_code == 302
    assert _refresh(requirement).status == RequirementStatus.REJECTED
    detail = client.get(reverse("slm:requirement_detail", args=[requirement.pk])).content.decode()
    assert "data-transition=" not in detail  # a rejected requirement has no move left
    refused = client.post(review, {"to": "agreed", "confirmed": "yes"}, follow=True)
    with translation.override("zh-hans"):  # the manager's language
        assert str(_("Not allowed from the current status.")) in refused.content.decode()
    assert _refresh(requirement).status == RequirementStatus.REJECTED


def _meeting(manager):
    return reviews.create_review(
        kind="monthly_internal",
        title="Contract execution review",
        due_date=datetime.date(2026, 1, 12),
        by=manager,
    )


def test_a_cancelled_meeting_cannot_be_held(manager):
    meeting = _meeting(manager)
    reviews.update_review(meeting, by=manager, status=ReviewStatus.CANCELLED)
    with pytest.raises(InvalidTransition) as exc:
        reviews.record_meeting(
            meeting, by=manager, held_on=datetime.date(2026, 1, 12), minutes="Held after all."
        )
    assert set(exc.value.fields) == {"status"}
    assert _refresh(meeting).status == ReviewStatus.CANCELLED


def test_api_refuses_held_to_cancelled_with_422_naming_status(manager):
    meeting = _meeting(manager)
    reviews.record_meeting(meeting, by=manager, held_on=datetime.date(2026, 1, 12), minutes="Ok")
    url = reverse("api:slm-api:review-detail", kwargs={"pk": meeting.pk})
    response = client_for(manager).patch(
        url, {"status": "cancelled", "version": _refresh(meeting).version}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"
    assert list(response.json()["fields"]) == ["status"]


def test_cancelling_a_meeting_on_its_page_asks_first(manager, client):
    meeting = _meeting(manager)
    client.force_login(manager)
    url = reverse("slm:review_detail", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert 'value="cancelled"' in page and 'value="held"' in page
    data = {
        "title": meeting.title,
        "due_date": "2026-01-12",
        "status": "cancelled",
        "version": meeting.version,
    }
    asked = client.post(url, data)
    assert asked.status_code == 200
    with translation.override("zh-hans"):  # the manager's language
        cancelled = _("The meeting is cancelled for good: it can no longer be held.")
        assert str(cancelled) in asked.content.decode()
    assert _refresh(meeting).status == ReviewStatus.PLANNED
    assert client.post(url, data | {"confirmed": "yes"}).status_code == 302
    meeting = _refresh(meeting)
    assert meeting.status == ReviewStatus.CANCELLED
    page = client.get(url).content.decode()
    assert 'value="held"' not in page  # the form offers only what the machine allows


def test_action_items_follow_their_machine(manager):
    meeting = _meeting(manager)
    item = reviews.add_action_item(
        meeting=meeting,
        description="Tune alerts",
        owner=manager,
        due_date=datetime.date(2026, 2, 1),
        by=manager,
    )
    reviews.update_action_item(item, by=manager, status=ActionStatus.DONE)
    assert _refresh(item).completed_at is not None
    with pytest.raises(InvalidTransition) as exc:  # done → cancelled: reopen it first
        reviews.update_action_item(item, by=manager, status=ActionStatus.CANCELLED)
    assert set(exc.value.fields) == {"status"}
    reviews.update_action_item(item, by=manager, status=ActionStatus.OPEN)
    item = _refresh(item)
    assert (item.status, item.completed_at) == ("open", None)
    assert [e.verb for e in timeline_for(item)][-2:] in (
        ["complete", "reopen"],
        ["reopen", "complete"],
    )


def test_api_refuses_done_to_cancelled_action_with_422_naming_status(manager):
    item = reviews.add_action_item(
        meeting=_meeting(manager),
        description="Tune alerts",
        owner=manager,
        due_date=datetime.date(2026, 2, 1),
        by=manager,
    )
    reviews.update_action_item(item, by=manager, status=ActionStatus.DONE)
    url = reverse("api:slm-api:action-detail", kwargs={"pk": item.pk})
    response = client_for(manager).patch(
        url, {"status": "cancelled", "version": _refresh(item).version}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"
    assert list(response.json()["fields"]) == ["status"]
    assert _refresh(item).status == ActionStatus.DONE
