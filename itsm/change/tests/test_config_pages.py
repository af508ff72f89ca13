"""Configuration pages of change management: templates, the risk questionnaire (answers as
“answer | score” lines), thresholds, CABs (members by name), windows — create, edit (an
unchanged save keeps every value), delete with confirmation; only change managers."""

from __future__ import annotations

import html
from datetime import time
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from itsm.change.models import AdvisoryBoard, ChangeTemplate, RiskQuestion, RiskThreshold, Window
from itsm.change.services import assessment, changes, config, meetings
from itsm.change.tests.factories import at, ci, make_change, make_template

pytestmark = pytest.mark.django_db

YES_NO = [{"label": "Yes", "weight": 0}, {"label": "No", "weight": 5}]


class _Forms(HTMLParser):
    """The fields of each ``<form method=post>`` of a page, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.setdefault(name, []).append(a.get("value", default) or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._form.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self._form.setdefault(self._textarea, []).append(html.unescape(text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _initial_post(client, url: str) -> dict:
    """The edit form's fields as the page renders them (what a browser posts unchanged)."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _Forms()
    parser.feed(response.content.decode())
    form = next(f for f in parser.forms if "version" in f)
    return {name: values if len(values) > 1 else values[0] for name, values in form.items()}


def test_question_answers_are_lines_of_answer_and_score(manager, browse):
    client = browse(manager)
    response = client.post(
        reverse("change:question_create"),
        {
            "order": 5,
            "text": "Downtime?",
            "answers": "None | 0\nA few minutes | 2\n\nHours | 6",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    question = RiskQuestion.objects.get(text="Downtime?")
    assert question.answers == [
        {"label": "None", "weight": 0},
        {"label": "A few minutes", "weight": 2},
        {"label": "Hours", "weight": 6},
    ]
    # a line without a score is a field error naming the line, nothing saved
    response = client.post(
        reverse("change:question_create"),
        {"order": 6, "text": "Tested?", "answers": "Yes | 0\nNo", "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["answers"] == [
        "Line 2: write “answer | score” with a whole number as the score."
    ]
    assert not RiskQuestion.objects.filter(text="Tested?").exists()
    # one answer is refused by the service, on the form
    response = client.post(
        reverse("change:question_create"),
        {"order": 6, "text": "Tested?", "answers": "Yes | 0", "is_active": "on"},
    )
    assert response.context["form"].errors["answers"] == ["Give at least two answers."]


def test_edit_forms_saved_unchanged_keep_every_value(manager, browse, cab_members):
    client = browse(manager)
    template = make_template(manager, test_plan="Check it.")
    question = config.create_question(by=manager, order=1, text="Tested?", answers=YES_NO)
    threshold = config.create_threshold(by=manager, level="high", min_score=8, approval_path="cab")
    board = config.create_board(
        by=manager, code="cab", name="CAB", quorum=2, veto=True, members=cab_members[:2]
    )
    host = ci("db-01", "server")
    window = config.create_window(
        by=manager,
        kind="maintenance",
        name="Sunday",
        ci=host,
        weekdays=[5, 6],
        start_time=time(1),
        end_time=time(5),
        time_zone="Europe/Berlin",
        note="Night work",
    )
    meeting = meetings.create_meeting(
        by=manager,
        board=board,
        title="CAB 周例会 Weekly",
        starts_at=at(9, 10),
        ends_at=at(9, 11, 30),
        location="3F",
        online_link="https://meet.example.com/cab",
        attendees=cab_members,
        minutes="Agenda:\n1. Patch",
    )
    for name, row in [
        ("change:meeting_edit", meeting),
        ("change:template_edit", template),
        ("change:question_edit", question),
        ("change:threshold_edit", threshold),
        ("change:board_edit", board),
        ("change:window_edit", window),
    ]:
        before = type(row).objects.get(pk=row.pk)
        url = reverse(name, args=[row.pk])
        data = _initial_post(client, url)
        response = client.post(url, data)
        errors = response.context and response.context["form"].errors
        assert response.status_code == 302, (name, errors)
        after = type(row).objects.get(pk=row.pk)
        assert after.version == before.version, name  # nothing changed, nothing written
        for field in type(row)._meta.concrete_fields:
            assert getattr(after, field.attname) == getattr(before, field.attname), (name, field)
    assert sorted(board.members.values_list("pk", flat=True)) == sorted(
        m.pk for m in cab_members[:2]
    )
    assert sorted(meeting.attendees.values_list("pk", flat=True)) == sorted(
        m.pk for m in cab_members
    )


def test_board_members_are_picked_by_username(manager, browse, cab_members):
    client = browse(manager)
    response = client.post(
        reverse("change:board_create"),
        {
            "code": "ecab",
            "name": "Emergency CAB",
            "is_emergency": "on",
            "members": f"{cab_members[0].username}, {cab_members[1].username}",
            "quorum": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    board = AdvisoryBoard.objects.get(code="ecab")
    assert board.is_emergency and board.quorum == 1
    assert set(board.members.all()) == {cab_members[0], cab_members[1]}
    response = client.post(
        reverse("change:board_create"),
        {"code": "x", "name": "X", "members": "nobody-here", "quorum": 0, "is_active": "on"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"members"}
    response = client.post(
        reverse("change:board_create"),
        {"code": "x", "name": "X", "quorum": 0, "is_active": "on"},
    )
    assert response.context["form"].errors["quorum"] == ["At least one vote is needed."]


def test_window_form_weekly_and_one_off(manager, browse):
    client = browse(manager)
    host = ci("app-01", "server")
    response = client.post(
        reverse("change:window_create"),
        {
            "kind": "maintenance",
            "name": "Weekend",
            "ci": host.number,
            "weekdays": ["5", "6"],
            "start_time": "22:00",
            "end_time": "04:00",
            "time_zone": "Asia/Shanghai",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    window = Window.objects.get(name="Weekend")
    assert (window.ci, window.weekdays, window.start_time) == (host, [5, 6], time(22))
    # a one-off window without its end: the service's error on the field
    response = client.post(
        reverse("change:window_create"),
        {
            "kind": "blackout",
            "name": "Freeze",
            "starts_at": "2031-03-01T00:00",
            "time_zone": "Asia/Shanghai",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["A one-off window needs an end."]
    # an unknown time zone is a field error too, not a 500
    response = client.post(
        reverse("change:window_create"),
        {"kind": "blackout", "name": "F", "time_zone": "Mars/Olympus", "is_active": "on"},
    )
    assert response.status_code == 200 and "time_zone" in response.context["form"].errors


def test_delete_asks_first_and_refuses_a_used_template(manager, requester, browse):
    client = browse(manager)
    used = make_template(manager)
    unused = make_template(manager)
    changes.create_change(by=requester, kind="standard", template=used, title="Patch")
    url = reverse("change:template_delete", args=[unused.pk])
    response = client.post(url)
    assert response.status_code == 200  # the confirmation page
    assert ChangeTemplate.objects.filter(pk=unused.pk).exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not ChangeTemplate.objects.filter(pk=unused.pk).exists()
    response = client.post(
        reverse("change:template_delete", args=[used.pk]), {"confirmed": "yes"}, follow=True
    )
    assert ChangeTemplate.objects.filter(pk=used.pk).exists()
    assert "Changes were raised from this template: deactivate it instead." in [
        str(m) for m in response.context["messages"]
    ]


def test_answered_question_is_deactivated_not_deleted(manager, requester, browse):
    question = config.create_question(by=manager, text="Tested?", answers=YES_NO)
    change = changes.submit(make_change(requester, cis=[ci("erp")]), by=requester)
    assessment.assess(change, by=requester, answers={str(question.pk): 1})
    browse(manager).post(
        reverse("change:question_delete", args=[question.pk]), {"confirmed": "yes"}
    )
    assert RiskQuestion.objects.filter(pk=question.pk).exists()


def test_thresholds_are_unique_per_level_and_score(manager, browse):
    client = browse(manager)
    config.create_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    response = client.post(
        reverse("change:threshold_create"),
        {"level": "medium", "min_score": 0, "approval_path": "cab"},
    )
    assert response.context["form"].errors["min_score"] == [
        "Another risk level starts at this score."
    ]
    response = client.post(
        reverse("change:threshold_create"),
        {"level": "medium", "min_score": 4, "approval_path": "cab"},
    )
    assert response.status_code == 302
    medium = RiskThreshold.objects.get(level="medium")
    assert medium.approval_path == "cab"
    # the list links each threshold to its edit page
    page = client.get(reverse("change:threshold_list")).content.decode()
    assert reverse("change:threshold_edit", args=[medium.pk]) in page


def test_only_change_managers_configure(requester, manager, customer_user, browse):
    template = make_template(manager)
    engineer = browse(requester)
    for name, args in [
        ("change:template_create", []),
        ("change:template_edit", [template.pk]),
        ("change:question_create", []),
        ("change:threshold_create", []),
        ("change:board_create", []),
    ]:
        assert engineer.get(reverse(name, args=args)).status_code == 403, name
    assert (
        engineer.post(
            reverse("change:template_delete", args=[template.pk]), {"confirmed": "yes"}
        ).status_code
        == 403
    )
    # engineers read the lists, without links to the edit pages
    page = engineer.get(reverse("change:template_list"))
    assert page.status_code == 200
    assert reverse("change:template_edit", args=[template.pk]) not in page.content.decode()
    assert (
        reverse("change:template_edit", args=[template.pk])
        in browse(manager).get(reverse("change:template_list")).content.decode()
    )
    customer = browse(customer_user)
    for name in ("change:template_list", "change:question_list", "change:board_list"):
        assert customer.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_config_pages_render(manager, browse, language):
    client = browse(manager, language)
    board = config.create_board(by=manager, code="cab", name="CAB", quorum=1)
    window = config.create_window(
        by=manager, kind="blackout", name="Freeze", starts_at=at(1, 0), ends_at=at(2, 0)
    )
    for name, args in [
        ("change:question_list", []),
        ("change:question_create", []),
        ("change:threshold_list", []),
        ("change:threshold_create", []),
        ("change:board_list", []),
        ("change:board_create", []),
        ("change:board_edit", [board.pk]),
        ("change:template_list", []),
        ("change:template_create", []),
        ("change:window_list", []),
        ("change:window_create", []),
        ("change:window_edit", [window.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response.context["request"].LANGUAGE_CODE == language
