"""CAB meetings (R-CHG-03): the agenda built from the changes awaiting the board's approval,
reordered while planned; decisions at the meeting through the approval service (comment
required, nobody decides on their own change, only the board's members); the lifecycle
planned → held → closed (minutes) or cancelled; emergency CAB meetings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.change.choices import ChangeStatus, MeetingStatus
from itsm.change.models import AgendaItem, Approval, CabMeeting
from itsm.change.services import approval, assessment, changes, config, meetings
from itsm.change.tests.factories import at, ci, make_change
from itsm.core.errors import FourEyes, InvalidTransition, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(manager, cab_members):
    return config.create_board(by=manager, code="cab", name="CAB", quorum=2, members=cab_members)


@pytest.fixture
def ecab(manager, cab_members):
    return config.create_board(
        by=manager, code="ecab", name="ECAB", quorum=1, is_emergency=True, members=cab_members[:1]
    )


@pytest.fixture
def high_risk(manager):
    """A questionnaire and thresholds sending high-risk changes to the CAB."""
    question = config.create_question(
        by=manager,
        text="Tested?",
        answers=[{"label": "Yes", "weight": 0}, {"label": "No", "weight": 9}],
    )
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    config.set_threshold(by=manager, level="high", min_score=8, approval_path="cab")
    return {str(question.pk): 1}


def awaiting_cab(requester, answers, *, day: int, **fields):
    change = changes.submit(
        make_change(requester, cis=[ci(f"app-{day}")], start=at(day, 22), **fields), by=requester
    )
    assessment.assess(change, by=requester, answers=answers)
    return assessment.request_approval(change, by=requester)


def meeting_of(board, manager, **fields):
    fields.setdefault("title", "CAB weekly")
    return meetings.create_meeting(
        by=manager,
        board=board,
        starts_at=fields.pop("starts_at", at(9, 10)),
        ends_at=fields.pop("ends_at", at(9, 11)),
        **fields,
    )


def test_agenda_is_built_from_the_changes_awaiting_the_board(manager, requester, board, high_risk):
    later = awaiting_cab(requester, high_risk, day=14)
    sooner = awaiting_cab(requester, high_risk, day=12)
    low = changes.submit(make_change(requester, cis=[ci("low")]), by=requester)
    assessment.assess(low, by=requester, answers={key: 0 for key in high_risk})
    assessment.request_approval(low, by=requester)  # the change manager's, not the CAB's
    meeting = meeting_of(board, manager)

    added = meetings.generate_agenda(meeting, by=manager)

    assert [item.change for item in added] == [sooner, later]
    assert list(meeting.items.values_list("change_id", "position")) == [
        (sooner.pk, 1),
        (later.pk, 2),
    ]
    # generating again adds only what is new, at the end
    newest = awaiting_cab(requester, high_risk, day=11)
    assert [item.change for item in meetings.generate_agenda(meeting, by=manager)] == [newest]
    assert list(meeting.items.order_by("position").values_list("change_id", flat=True)) == [
        sooner.pk,
        later.pk,
        newest.pk,
    ]


def test_agenda_reorders_and_removes_while_planned(manager, requester, board, high_risk):
    first = awaiting_cab(requester, high_risk, day=12)
    second = awaiting_cab(requester, high_risk, day=13)
    meeting = meeting_of(board, manager)
    meetings.generate_agenda(meeting, by=manager)
    item = AgendaItem.objects.get(change=second)

    meetings.move_item(item, by=manager, up=True)
    assert list(meeting.items.order_by("position").values_list("change_id", flat=True)) == [
        second.pk,
        first.pk,
    ]
    meetings.move_item(item, by=manager, up=True)  # already first: nothing moves
    assert AgendaItem.objects.get(pk=item.pk).position == 1

    meetings.remove_item(AgendaItem.objects.get(change=first), by=manager)
    assert list(meeting.items.values_list("change_id", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert first.status == ChangeStatus.APPROVAL  # it keeps awaiting approval

    meetings.move_meeting(meeting, MeetingStatus.HELD, by=manager)
    with pytest.raises(InvalidTransition):
        meetings.generate_agenda(meeting, by=manager)
    with pytest.raises(InvalidTransition):
        meetings.remove_item(AgendaItem.objects.get(change=second), by=manager)


def test_decisions_at_the_meeting_follow_the_approval_rules(
    manager, requester, board, cab_members, high_risk
):
    change = awaiting_cab(requester, high_risk, day=12, owner=cab_members[2])
    other = awaiting_cab(requester, high_risk, day=13)
    meeting = meeting_of(board, manager)
    meetings.generate_agenda(meeting, by=manager)
    meetings.remove_item(AgendaItem.objects.get(change=other), by=manager)

    with pytest.raises(ValidationFailed) as error:
        meetings.decide_at(meeting, change, by=cab_members[0], vote="approve", comment=" ")
    assert error.value.fields == {"comment": ["This field is required."]}
    with pytest.raises(FourEyes):  # the change's owner sits on the board
        meetings.decide_at(meeting, change, by=cab_members[2], vote="approve", comment="Mine")
    with pytest.raises(ValidationFailed) as error:  # not on this agenda
        meetings.decide_at(meeting, other, by=cab_members[0], vote="approve", comment="OK")
    assert error.value.fields == {"change": ["The change is not on this meeting's agenda."]}

    meetings.decide_at(meeting, change, by=cab_members[0], vote="approve", comment="Tested.")
    meetings.decide_at(meeting, change, by=cab_members[1], vote="approve", comment="Fine.")

    change.refresh_from_db()
    assert change.status == ChangeStatus.SCHEDULED  # the quorum of two reached
    assert list(
        Approval.objects.filter(meeting=meeting).values_list("approver", "vote", "comment")
    ) == [
        (cab_members[0].pk, "approve", "Tested."),
        (cab_members[1].pk, "approve", "Fine."),
    ]
    # the other change, decided outside the meeting, is not the meeting's decision
    approval.decide(other, by=cab_members[0], vote="reject", comment="No.")
    assert meeting.decisions.count() == 2


def test_lifecycle_closing_needs_the_minutes(manager, board):
    meeting = meeting_of(board, manager)
    with pytest.raises(InvalidTransition):  # planned → closed is no declared move
        meetings.move_meeting(meeting, MeetingStatus.CLOSED, by=manager, minutes="x")
    meeting.refresh_from_db()
    meetings.move_meeting(meeting, MeetingStatus.HELD, by=manager)
    with pytest.raises(ValidationFailed):
        meetings.move_meeting(meeting, MeetingStatus.CLOSED, by=manager, minutes="  ")
    meetings.move_meeting(meeting, MeetingStatus.CLOSED, by=manager, minutes="Two approved.")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("closed", "Two approved.")
    with pytest.raises(InvalidTransition):
        meetings.update_meeting(meeting, by=manager, title="Changed")
    with pytest.raises(InvalidTransition):
        meetings.decide_at(meeting, None, by=manager, vote="approve", comment="late")


def test_meeting_times_and_board_are_checked(manager, board, requester, high_risk):
    with pytest.raises(ValidationFailed) as error:
        meeting_of(board, manager, starts_at=at(9, 10), ends_at=at(9, 9))
    assert error.value.fields == {"ends_at": ["The end must be after the start."]}
    config.update_board(board, by=manager, is_active=False)
    with pytest.raises(ValidationFailed) as error:
        meeting_of(board, manager)
    assert error.value.fields == {"board": ["This CAB is no longer active."]}


def test_emergency_cab_meeting(manager, requester, ecab, cab_members, high_risk):
    emergency = changes.create_change(
        by=requester,
        kind="emergency",
        title="Hotfix",
        implementation_plan="Patch",
        backout_plan="Revert",
        planned_start=at(5, 1),
        planned_end=at(5, 2),
        cis=[ci("core")],
    )
    changes.submit(emergency, by=requester)
    assessment.assess(emergency, by=requester, answers=high_risk)
    assessment.request_approval(emergency, by=requester)
    emergency.refresh_from_db()
    assert (emergency.approval_path, emergency.board) == ("emergency_cab", ecab)
    meeting = meeting_of(ecab, manager, title="ECAB hotfix")
    assert [item.change for item in meetings.generate_agenda(meeting, by=manager)] == [emergency]
    meetings.decide_at(meeting, emergency, by=cab_members[0], vote="approve", comment="Go")
    emergency.refresh_from_db()
    assert emergency.status == ChangeStatus.SCHEDULED


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_meeting_pages_journey(manager, requester, board, cab_members, high_risk, browse, language):
    change = awaiting_cab(requester, high_risk, day=12)
    client = browse(manager, language)
    response = client.post(
        reverse("change:meeting_create"),
        {
            "board": "cab",
            "title": "CAB 变更评审 Change review",
            "starts_at": "2031-03-09T10:00",
            "ends_at": "2031-03-09T11:00",
            "location": "3F",
            "online_link": "https://meet.example.com/cab",
            "attendees": ",".join(m.username for m in cab_members),
        },
    )
    assert response.status_code == 302
    meeting = CabMeeting.objects.get()
    assert set(meeting.attendees.all()) == set(cab_members)
    url = reverse("change:meeting_detail", args=[meeting.pk])
    assert response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="agenda-empty"' in page.content.decode()

    client.post(reverse("change:agenda_generate", args=[meeting.pk]))
    page = client.get(url).content.decode()
    assert f'data-change="{change.number}"' in page
    assert 'data-testid="agenda-decide"' not in page  # the manager is no member

    member = browse(cab_members[0], language)
    page = member.get(url).content.decode()
    assert 'data-testid="agenda-decide"' in page
    assert 'data-testid="agenda-generate"' not in page  # members do not edit the agenda
    response = member.post(
        reverse("change:meeting_decide", args=[meeting.pk]),
        {"change": change.pk, "vote": "approve", "comment": ""},
    )
    assert response.status_code == 302
    assert not Approval.objects.exists()  # the comment is required
    member.post(
        reverse("change:meeting_decide", args=[meeting.pk]),
        {"change": change.pk, "vote": "approve", "comment": "OK"},
    )
    assert Approval.objects.get().meeting == meeting
    page = member.get(url).content.decode()
    assert 'data-testid="voted"' in page
    # the change's page names the meeting it is on the agenda of, and where it was decided
    page = member.get(reverse("change:change_detail", args=[change.pk])).content.decode()
    assert 'data-testid="change-agendas"' in page and 'data-testid="decision-meeting"' in page

    # hold, then close with the minutes (after the confirmation)
    client.post(
        reverse("change:meeting_transition", args=[meeting.pk]),
        {"to": "held", "version": meeting.version},
    )
    meeting.refresh_from_db()
    close = {"to": "closed", "version": meeting.version, "minutes": "One approved."}
    response = client.post(reverse("change:meeting_transition", args=[meeting.pk]), close)
    assert response.status_code == 200  # the confirmation page
    client.post(
        reverse("change:meeting_transition", args=[meeting.pk]), {**close, "confirmed": "yes"}
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("closed", "One approved.")


def test_meeting_pages_refuse_customers_and_bad_input(
    manager, board, customer_user, requester, browse
):
    meeting = meeting_of(board, manager)
    customer = browse(customer_user)
    assert customer.get(reverse("change:meeting_list")).status_code == 403
    assert customer.get(reverse("change:meeting_detail", args=[meeting.pk])).status_code == 403
    engineer = browse(requester)
    assert engineer.get(reverse("change:meeting_detail", args=[meeting.pk])).status_code == 200
    assert engineer.get(reverse("change:meeting_create")).status_code == 403
    assert engineer.post(reverse("change:agenda_generate", args=[meeting.pk])).status_code == 403
    client = browse(manager)
    response = client.post(
        reverse("change:meeting_create"),
        {"board": "nope", "title": "X", "starts_at": "2031-03-09T10:00", "ends_at": "bad"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"board", "ends_at"}
    response = client.post(
        reverse("change:agenda_item", args=[meeting.pk]), {"item": "x", "action": "up"}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("change:meeting_decide", args=[meeting.pk]),
        {"change": 999999, "vote": "approve", "comment": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert list(Approval.objects.all()) == []


def test_emergency_meeting_form_preselects_the_emergency_cab(manager, ecab, board, browse):
    response = browse(manager).get(reverse("change:meeting_create"), {"emergency": "1"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"board": "ecab", "title": "Emergency CAB meeting"}
    assert 'value="ecab"' in response.content.decode()
    page = browse(manager).get(reverse("change:meeting_list")).content.decode()
    assert 'data-testid="meeting-create-emergency"' in page
