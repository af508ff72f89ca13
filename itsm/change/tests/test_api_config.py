"""Change management API of the configuration and the CAB meetings: the shared endpoint tests
per endpoint, and a meeting's agenda and decisions through the API."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from itsm.change.choices import ChangeStatus
from itsm.change.models import AdvisoryBoard, CabMeeting, RiskQuestion, RiskThreshold
from itsm.change.services import assessment, changes, config, meetings
from itsm.change.tests.factories import at, ci, make_change
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
YES_NO = [{"label": "Yes", "weight": 0}, {"label": "No", "weight": 5}]


def _staff(username, *roles):
    from itsm.core.models import User
    from itsm.core.testing.factories import get_provider

    return User.objects.filter(username=username).first() or UserFactory(
        username=username, organisation=get_provider(), roles=roles
    )


class TestQuestionAPI(APIEndpointTests):
    model = RiskQuestion
    url_name = "api:change-api:question"
    tenancy = "staff"
    required_fields = ("text", "answers")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True

    def make_row(self, owner):
        return config.create_question(by=None, text=f"Question of {owner.code}", answers=YES_NO)

    def create_payload(self, env):
        return {"text": "Downtime?", "order": 3, "answers": YES_NO}

    def update_payload(self, env, row):
        return {"text": "Any downtime?"}


class TestThresholdAPI(APIEndpointTests):
    model = RiskThreshold
    url_name = "api:change-api:threshold"
    tenancy = "staff"
    required_fields = ("level", "min_score", "approval_path")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True
    # one threshold per risk level: two rows, then the third level
    query_count_rows = (0, 1)

    def make_row(self, owner):
        level = ("low", "medium", "high")[RiskThreshold.objects.count()]
        return config.create_threshold(
            by=None, level=level, min_score=next(_n) * 10, approval_path="change_manager"
        )

    def create_payload(self, env):
        return {"level": "high", "min_score": 999, "approval_path": "cab"}

    def update_payload(self, env, row):
        return {"min_score": 5000 + row.pk}


class TestBoardAPI(APIEndpointTests):
    model = AdvisoryBoard
    url_name = "api:change-api:board"
    tenancy = "staff"
    required_fields = ("code", "name")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)

    def make_row(self, owner):
        return config.create_board(by=None, code=f"cab-{next(_n)}", name=f"CAB {owner.code}")

    def create_payload(self, env):
        return {"code": "ecab", "name": "Emergency CAB", "is_emergency": True, "quorum": 1}

    def update_payload(self, env, row):
        return {"quorum": 3}


class TestMeetingAPI(APIEndpointTests):
    model = CabMeeting
    url_name = "api:change-api:meeting"
    tenancy = "staff"
    required_fields = ("board", "title", "starts_at", "ends_at")
    writer_roles = (Role.CHANGE_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)

    def _board(self):
        return AdvisoryBoard.objects.filter(code="cab").first() or config.create_board(
            by=None, code="cab", name="CAB"
        )

    def make_row(self, owner):
        return meetings.create_meeting(
            by=None,
            board=self._board(),
            title=f"CAB for {owner.code}",
            starts_at=at(9, 10),
            ends_at=at(9, 11),
        )

    def create_payload(self, env):
        return {
            "board": self._board().pk,
            "title": "Weekly CAB",
            "starts_at": at(16, 10).isoformat(),
            "ends_at": at(16, 11).isoformat(),
        }

    def update_payload(self, env, row):
        return {"location": "Room 3"}


def test_meeting_agenda_and_decision_through_the_api():
    manager = _staff("api-mgr", Role.CHANGE_MANAGER)
    requester = _staff("api-req", Role.ENGINEER_L2)
    members = [_staff(f"api-cab-{n}", Role.CAB_MEMBER) for n in range(2)]
    board = config.create_board(by=manager, code="cab", name="CAB", quorum=1, members=members)
    question = config.create_question(by=manager, text="Tested?", answers=YES_NO)
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="cab")
    change = changes.submit(make_change(requester, cis=[ci("api-app")]), by=requester)
    assessment.assess(change, by=requester, answers={str(question.pk): 0})
    assessment.request_approval(change, by=requester)
    meeting = meetings.create_meeting(
        by=manager, board=board, title="CAB", starts_at=at(9, 10), ends_at=at(9, 11)
    )
    url = reverse("api:change-api:meeting-detail", kwargs={"pk": meeting.pk})

    body = client_for(manager).post(url + "agenda/").json()
    assert [item["number"] for item in body["agenda"]] == [change.number]
    # an engineer may read the meeting but not build its agenda
    assert client_for(requester).post(url + "agenda/").status_code == 403

    refused = client_for(members[0]).post(
        url + "decide/", {"change": change.pk + 1000, "vote": "approve", "comment": "ok"}
    )
    assert_error(refused, 400, "validation", fields=("change",))
    decided = client_for(members[0]).post(
        url + "decide/", {"change": change.pk, "vote": "approve", "comment": "Tested."}
    )
    assert decided.status_code == 200
    change.refresh_from_db()
    assert change.status == ChangeStatus.SCHEDULED
    assert meeting.decisions.get().comment == "Tested."

    moved = client_for(manager).post(
        url + "transition/", {"to": "held", "version": meeting.version}
    )
    assert moved.json()["status"] == "held"
    unclosed = client_for(manager).post(
        url + "transition/", {"to": "closed", "version": moved.json()["version"]}
    )
    assert_error(unclosed, 400, "validation", fields=("minutes",))
