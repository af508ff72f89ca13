"""The desk's configuration pages: each one as a desk manager (it works and round-trips the
values), as an agent (403 where the policy refuses), as a customer (403), and bad input named on
its field with nothing written."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.core.choices import Role
from itsm.desk.choices import DEFAULT_PRIORITY_MATRIX, TicketStatus
from itsm.desk.models import (
    AgentPresence,
    CannedResponse,
    Category,
    ClockPolicy,
    DispatchRule,
    GroupSettings,
    PriorityRule,
)
from itsm.desk.services import config, dispatch, entries
from itsm.desk.tests import factories

pytestmark = pytest.mark.django_db


def login(user, language: str = "en") -> Client:
    """A browser signed in as *user*, whose saved language is *language*."""
    type(user).objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(user)
    return client


def picked(bound_field) -> list[str]:
    """The keys a picker field shows as chosen."""
    return [option["value"] for option in bound_field.value() or ()]


def field_errors(response, name: str) -> list[str]:
    """The messages shown under the field *name* of the page's form."""
    form = response.context["form"]
    return [str(message) for message in form.errors.get(name, [])]


def confirmed(data: dict | None = None) -> dict:
    return {**(data or {}), "confirmed": "yes"}


# --- categories -------------------------------------------------------------------------------


def test_manager_creates_edits_and_deletes_a_category_shown_in_the_tree(leader, category):
    client = login(leader)
    response = client.post(
        reverse("desk:category_create"),
        {
            "code": "hardware.pc",
            "name": "PC",
            "parent": category.pk,
            "kind": "incident",
            "order": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    child = Category.objects.get(code="hardware.pc")
    assert (child.name, child.parent, child.kind, child.order, child.is_active) == (
        "PC",
        category,
        "incident",
        5,
        True,
    )

    tree = client.get(reverse("desk:category_tree"))
    assert tree.status_code == 200
    nodes = [(row["category"].code, row["depth"]) for row in tree.context["tree"]]
    assert nodes == [("hardware", 0), ("hardware.pc", 1)]
    # a used category offers no delete button; the empty child does
    html = tree.content.decode()
    assert html.count('data-testid="category-delete"') == 1

    edit_url = reverse("desk:category_edit", args=[child.pk])
    page = client.get(edit_url)
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == child.version
    response = client.post(
        edit_url,
        {
            "version": child.version,
            "code": "hardware.laptop",
            "name": "Laptop",
            "parent": category.pk,
            "kind": "",
            "order": 7,
        },
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.code, child.name, child.kind, child.order, child.is_active) == (
        "hardware.laptop",
        "Laptop",
        "",
        7,
        False,
    )

    # the parent is used by its child: refused, the service's reason shown
    response = client.post(
        reverse("desk:category_delete", args=[category.pk]), confirmed(), follow=True
    )
    assert Category.objects.filter(pk=category.pk).exists()
    texts = [str(m) for m in response.context["messages"]]
    assert any("deactivate it instead" in text for text in texts), texts

    # the child: the confirmation page first, then deleted
    delete_url = reverse("desk:category_delete", args=[child.pk])
    ask = client.post(delete_url)
    assert ask.status_code == 200 and Category.objects.filter(pk=child.pk).exists()
    assert client.post(delete_url, confirmed()).status_code == 302
    assert not Category.objects.filter(pk=child.pk).exists()


def test_category_saved_unchanged_writes_nothing(admin_user, category):
    client = login(admin_user)
    url = reverse("desk:category_edit", args=[category.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["is_active"] = "on" if data.pop("is_active") else ""
    before = Category.objects.get(pk=category.pk)
    assert client.post(url, data).status_code == 302
    after = Category.objects.get(pk=category.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)


def test_category_bad_input_is_named_on_its_field(leader, category):
    client = login(leader)
    other = factories.category("software")
    child = factories.category("hardware.disk", parent=category)
    # a code another category has
    response = client.post(
        reverse("desk:category_create"), {"code": "software", "name": "Again", "order": 1}
    )
    assert response.status_code == 200
    assert field_errors(response, "code") == ["Another category has this code."]
    # inside itself (through its child)
    response = client.post(
        reverse("desk:category_edit", args=[category.pk]),
        {
            "version": category.version,
            "code": "hardware",
            "name": category.name,
            "parent": child.pk,
            "order": 100,
            "is_active": "on",
        },
    )
    assert field_errors(response, "parent") == ["A category cannot be inside itself."]
    # a stale version: form-wide conflict, nothing saved
    response = client.post(
        reverse("desk:category_edit", args=[other.pk]),
        {"version": other.version + 5, "code": "software", "name": "Renamed", "order": 1},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Category.objects.get(pk=other.pk).name != "Renamed"
    assert Category.objects.get(pk=category.pk).parent is None


def test_agents_and_customers_may_not_configure_categories(agent, customer_user, category):
    for user in (agent, customer_user):
        client = login(user)
        assert client.get(reverse("desk:category_create")).status_code == 403
        assert client.get(reverse("desk:category_edit", args=[category.pk])).status_code == 403
        response = client.post(reverse("desk:category_delete", args=[category.pk]), confirmed())
        assert response.status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()
    assert login(customer_user).get(reverse("desk:category_tree")).status_code == 403
    tree = login(agent).get(reverse("desk:category_tree"))
    assert tree.status_code == 200 and b'data-testid="category-edit"' not in tree.content


# --- the priority matrix ----------------------------------------------------------------------


def _matrix_data(**cells) -> dict:
    data = {f"cell_{i}_{u}": str(p) for (i, u), p in DEFAULT_PRIORITY_MATRIX.items()}
    data.update(cells)
    return data


def _stored_matrix() -> dict:
    return {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}


def test_matrix_shows_the_defaults_and_saves_every_cell_at_once(leader):
    client = login(leader)
    page = client.get(reverse("desk:matrix"))
    assert page.status_code == 200
    assert page.context["missing"] == 9
    assert page.context["form"]["cell_1_1"].value() == "p1"
    assert b'data-testid="matrix-missing"' in page.content
    assert 'class="form-select"' in str(page.context["form"]["cell_3_3"])

    response = client.post(reverse("desk:matrix"), _matrix_data(cell_1_1="p2", cell_3_3="p3"))
    assert response.status_code == 302
    expected = {key: str(value) for key, value in DEFAULT_PRIORITY_MATRIX.items()}
    expected.update({("1", "1"): "p2", ("3", "3"): "p3"})
    assert _stored_matrix() == expected
    again = client.get(reverse("desk:matrix"))
    assert again.context["missing"] == 0
    assert again.context["form"]["cell_1_1"].value() == "p2"
    assert b'data-testid="matrix-missing"' not in again.content

    # a wrong value: named on its cell, and no cell is saved
    response = client.post(reverse("desk:matrix"), _matrix_data(cell_1_1="p1", cell_2_2="p9"))
    assert response.status_code == 200
    assert field_errors(response, "cell_2_2")
    assert _stored_matrix() == expected

    # the shipped defaults again, after the confirmation
    assert client.post(reverse("desk:matrix_defaults")).status_code == 200
    assert _stored_matrix() == expected
    assert client.post(reverse("desk:matrix_defaults"), confirmed()).status_code == 302
    assert _stored_matrix() == {k: str(v) for k, v in DEFAULT_PRIORITY_MATRIX.items()}


def test_matrix_refused_to_agents_and_customers(agent, customer_user, matrix):
    for user in (agent, customer_user):
        client = login(user)
        assert client.get(reverse("desk:matrix")).status_code == 403
        assert client.post(reverse("desk:matrix"), _matrix_data(cell_1_1="p4")).status_code == 403
        response = client.post(reverse("desk:matrix_defaults"), confirmed())
        assert response.status_code == 403
    assert PriorityRule.objects.get(impact="1", urgency="1").priority == "p1"


# --- dispatch rules ---------------------------------------------------------------------------


@pytest.fixture
def ci(db):
    from itsm.cmdb.tests.factories import CIFactory

    return CIFactory(name="Mail server")


def _rule_data(group, **extra) -> dict:
    data = {
        "order": 10,
        "name": "Mail to server",
        "is_active": "on",
        "kind": "incident",
        "channel": "email",
        "team": group.pk,
        "assign_mode": "least_loaded",
    }
    data.update(extra)
    return data


def test_manager_creates_and_edits_a_dispatch_rule(
    leader, group, category, service, ci, customer_a
):
    client = login(leader)
    response = client.post(
        reverse("desk:rule_create"),
        _rule_data(
            group,
            category=category.pk,
            service=service.code,
            ci=ci.number,
            customer=customer_a.code,
            weekdays=["1", "3", "5"],
            time_from="08:30",
            time_to="17:30",
        ),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    rule = DispatchRule.objects.get(name="Mail to server")
    assert (rule.order, rule.kind, rule.channel, rule.team, rule.assign_mode) == (
        10,
        "incident",
        "email",
        group,
        "least_loaded",
    )
    assert (rule.category, rule.service, rule.ci, rule.customer) == (
        category,
        service,
        ci,
        customer_a,
    )
    assert rule.weekdays == [1, 3, 5]
    assert (rule.time_from, rule.time_to) == (datetime.time(8, 30), datetime.time(17, 30))

    # the edit form shows the stored values back
    url = reverse("desk:rule_edit", args=[rule.pk])
    form = client.get(url).context["form"]
    assert sorted(form["weekdays"].value()) == ["1", "3", "5"]
    html = str(form["time_from"])
    assert 'value="08:30"' in html and 'type="time"' in html
    assert (picked(form["service"]), picked(form["ci"]), picked(form["customer"])) == (
        [service.code],
        [ci.number],
        [customer_a.code],
    )
    response = client.post(
        url,
        _rule_data(
            group,
            version=rule.version,
            name="Mail, weekends",
            category=category.pk,
            weekdays=["6", "7"],
            assign_mode="round_robin",
        ),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Mail, weekends" and rule.weekdays == [6, 7]
    assert (rule.service, rule.ci, rule.customer, rule.time_from, rule.time_to) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert rule.assign_mode == "round_robin"


def test_dispatch_rule_bad_input_is_named_on_its_field(leader, group):
    client = login(leader)
    url = reverse("desk:rule_create")
    cases = [
        ({"time_from": "08:00"}, "time_to", "Give both times of day, or neither."),
        ({"service": "NO-SUCH-SERVICE"}, "service", None),
        ({"weekdays": ["9"]}, "weekdays", None),
        ({"team": ""}, "team", None),
        ({"time_from": "25:00", "time_to": "26:00"}, "time_from", None),
    ]
    for extra, name, text in cases:
        response = client.post(url, _rule_data(group, **extra))
        assert response.status_code == 200, extra
        errors = field_errors(response, name)
        assert errors, (extra, response.context["form"].errors)
        if text:
            assert errors == [text]
    assert not DispatchRule.objects.exists()


def test_dispatch_rule_delete_asks_first(leader, agent, customer_user, group):
    rule = config.create_dispatch_rule(by=None, name="All to server", team=group)
    url = reverse("desk:rule_delete", args=[rule.pk])
    for user in (agent, customer_user):
        assert login(user).post(url, confirmed()).status_code == 403
        assert login(user).get(reverse("desk:rule_edit", args=[rule.pk])).status_code == 403
        assert login(user).get(reverse("desk:rule_create")).status_code == 403
    client = login(leader)
    ask = client.post(url)
    assert ask.status_code == 200 and DispatchRule.objects.filter(pk=rule.pk).exists()
    assert client.post(url, confirmed()).status_code == 302
    assert not DispatchRule.objects.filter(pk=rule.pk).exists()


def test_rule_and_category_lists_offer_the_configuration_links(leader, agent):
    page = login(leader).get(reverse("desk:rule_list"))
    assert b'data-testid="rule-create"' in page.content
    page = login(agent).get(reverse("desk:rule_list"))
    assert page.status_code == 200 and b'data-testid="rule-create"' not in page.content
    page = login(leader).get(reverse("desk:category_list"))
    assert b'data-testid="category-create"' in page.content


# --- canned responses -------------------------------------------------------------------------


def test_canned_responses_list_create_edit_delete(leader, agent, group):
    client = login(agent)  # workers keep canned responses; deleting is for managers
    response = client.post(
        reverse("desk:canned_create"),
        {
            "title": "Password reset",
            "body": "Dear {contact},\nticket {number} …",
            "team": group.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    canned = CannedResponse.objects.get(title="Password reset")
    assert (canned.body, canned.team, canned.is_active) == (
        "Dear {contact},\nticket {number} …",
        group,
        True,
    )

    page = client.get(reverse("desk:canned_list"))
    assert page.status_code == 200
    assert [row.pk for row in page.context["object_list"]] == [canned.pk]
    html = page.content.decode()
    for name in entries.PLACEHOLDERS:
        assert "{" + name + "}" in html
    assert 'data-testid="canned-edit"' in html and 'data-testid="canned-delete"' not in html

    url = reverse("desk:canned_edit", args=[canned.pk])
    form = client.get(url).context["form"]
    assert form["body"].value() == canned.body
    response = client.post(
        url, {"version": canned.version, "title": "Password reset", "body": "Hello {contact}"}
    )
    assert response.status_code == 302
    canned.refresh_from_db()
    assert (canned.body, canned.team, canned.is_active) == ("Hello {contact}", None, False)

    delete_url = reverse("desk:canned_delete", args=[canned.pk])
    assert client.post(delete_url, confirmed()).status_code == 403
    manager = login(leader)
    assert b'data-testid="canned-delete"' in manager.get(reverse("desk:canned_list")).content
    assert manager.post(delete_url).status_code == 200  # the confirmation
    assert manager.post(delete_url, confirmed()).status_code == 302
    assert not CannedResponse.objects.filter(pk=canned.pk).exists()


def test_canned_response_bad_input_and_customers(leader, customer_user):
    client = login(leader)
    response = client.post(reverse("desk:canned_create"), {"title": "  ", "body": "Hello"})
    assert response.status_code == 200 and field_errors(response, "title")
    response = client.post(
        reverse("desk:canned_create"), {"title": "T", "body": "Hello", "team": 999999}
    )
    assert response.status_code == 200 and field_errors(response, "team")
    assert not CannedResponse.objects.exists()
    canned = entries.create_canned(by=None, title="Hello", body="Hi")
    customer = login(customer_user)
    assert customer.get(reverse("desk:canned_list")).status_code == 403
    assert customer.get(reverse("desk:canned_create")).status_code == 403
    assert customer.get(reverse("desk:canned_edit", args=[canned.pk])).status_code == 403


# --- presence ---------------------------------------------------------------------------------


@pytest.fixture
def shift(db):
    from itsm.core.calendars import services as calendar_services

    return calendar_services.create_calendar(
        by=None, code="day-shift", name="Day shift", time_zone="Asia/Shanghai"
    )


def test_manager_marks_a_person_away_and_the_list_shows_state_and_load(
    leader, engineers, group, customer_a, matrix, shift
):
    engineer = engineers[0]
    ticket = factories.ticket(customer_a, title="Disk full")
    dispatch.assign(ticket, by=leader, group=group, assignee=engineer)
    client = login(leader)
    url = reverse("desk:presence_edit") + f"?person={engineer.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"away": "on", "away_note": "Training", "shift": shift.pk})
    assert response.status_code == 302
    presence = AgentPresence.objects.get(user=engineer)
    assert (presence.away, presence.away_note, presence.shift) == (True, "Training", shift)
    # the form shows it back
    form = client.get(url).context["form"]
    assert (form["away"].value(), form["away_note"].value(), form["shift"].value()) == (
        True,
        "Training",
        shift.pk,
    )

    page = client.get(reverse("desk:presence"))
    rows = {row["person"].username: row for row in page.context["people"]}
    assert rows[engineer.username]["away"] is True
    assert rows[engineer.username]["load"] == 1
    assert rows[engineers[1].username]["load"] == 0 and rows[engineers[1].username]["away"] is False
    assert "leader" in rows and all(row["can_edit"] for row in rows.values())


def test_presence_as_agent_and_customer(agent, engineers, customer_user):
    client = login(agent)
    page = client.get(reverse("desk:presence"))
    assert page.status_code == 200
    rows = {row["person"].username: row for row in page.context["people"]}
    assert rows["agent"]["can_edit"] and not rows[engineers[0].username]["can_edit"]
    # oneself: yes (also without ?person); someone else: no; a customer's id: not a desk person
    assert client.get(reverse("desk:presence_edit")).status_code == 200
    response = client.post(reverse("desk:presence_edit"), {"away": "on", "away_note": "Leave"})
    assert response.status_code == 302
    assert AgentPresence.objects.get(user=agent).away is True
    other = reverse("desk:presence_edit") + f"?person={engineers[0].pk}"
    assert client.post(other, {"away": "on"}).status_code == 403
    assert not AgentPresence.objects.filter(user=engineers[0]).exists()
    customer_url = reverse("desk:presence_edit") + f"?person={customer_user.pk}"
    assert client.get(customer_url).status_code == 404
    assert client.get(reverse("desk:presence_edit") + "?person=x").status_code == 404
    customer = login(customer_user)
    assert customer.get(reverse("desk:presence")).status_code == 403
    assert customer.get(reverse("desk:presence_edit")).status_code == 403


def test_presence_bad_input(leader, engineers):
    client = login(leader)
    url = reverse("desk:presence_edit") + f"?person={engineers[0].pk}"
    response = client.post(url, {"away": "on", "away_note": "x" * 201, "shift": 999999})
    assert response.status_code == 200
    assert field_errors(response, "away_note") and field_errors(response, "shift")
    assert not AgentPresence.objects.exists()


# --- group settings ---------------------------------------------------------------------------


def test_manager_sets_a_groups_settings(leader, group, engineers):
    second = factories.team(engineers[1], code="network")
    client = login(leader)
    url = reverse("desk:group_edit") + f"?team={group.pk}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["team"].value() == group.pk
    response = client.post(
        url,
        {
            "team": group.pk,
            "next_line": second.pk,
            "manager": leader.username,
            "chat_channel": "server-oncall",
        },
    )
    assert response.status_code == 302
    row = GroupSettings.objects.get(team=group)
    assert (row.next_line, row.manager, row.chat_channel) == (second, leader, "server-oncall")
    form = client.get(url).context["form"]
    assert (form["next_line"].value(), picked(form["manager"]), form["chat_channel"].value()) == (
        second.pk,
        [leader.username],
        "server-oncall",
    )
    listing = client.get(reverse("desk:group_list"))
    shown = {row["team"].pk: row["settings"] for row in listing.context["groups"]}
    assert shown[group.pk] == row and shown[second.pk] is None


def test_group_settings_bad_input_and_access(leader, agent, customer_user, group):
    client = login(leader)
    url = reverse("desk:group_edit")
    response = client.post(url, {"team": group.pk, "next_line": group.pk})
    assert field_errors(response, "next_line") == ["A group cannot be its own next line."]
    response = client.post(url, {"team": group.pk, "chat_channel": "not a slug!"})
    assert field_errors(response, "chat_channel")
    response = client.post(url, {"team": group.pk, "manager": "nobody-by-that-name"})
    assert field_errors(response, "manager")
    assert not GroupSettings.objects.exists()
    assert login(agent).get(reverse("desk:group_list")).status_code == 200
    assert login(agent).get(url).status_code == 403
    assert login(agent).post(url, {"team": group.pk}).status_code == 403
    assert login(customer_user).get(reverse("desk:group_list")).status_code == 403
    assert not GroupSettings.objects.exists()


# --- clock pause rules ------------------------------------------------------------------------


def test_manager_sets_an_agreements_pause_states(leader, sla):
    client = login(leader)
    listing = client.get(reverse("desk:pause_list"))
    row = next(r for r in listing.context["rows"] if r["agreement"].pk == sla.pk)
    assert row["default"] is True and row["states"] == [str(TicketStatus.PENDING_CUSTOMER.label)]
    url = reverse("desk:pause_edit") + f"?agreement={sla.pk}"
    form = client.get(url).context["form"]
    assert form["pause_states"].value() == ["pending_customer"]
    states = ["pending_customer", "pending_supplier"]
    response = client.post(url, {"agreement": sla.pk, "pause_states": states})
    assert response.status_code == 302
    assert ClockPolicy.objects.get(agreement=sla).pause_states == states
    assert client.get(url).context["form"]["pause_states"].value() == states
    # none ticked: the clocks run in every pending state
    client.post(url, {"agreement": sla.pk})
    assert ClockPolicy.objects.get(agreement=sla).pause_states == []


def test_pause_rule_bad_input_and_access(leader, agent, customer_user, sla):
    client = login(leader)
    url = reverse("desk:pause_edit")
    response = client.post(url, {"agreement": sla.pk, "pause_states": ["in_progress"]})
    assert response.status_code == 200 and field_errors(response, "pause_states")
    response = client.post(url, {"agreement": 999999})
    assert field_errors(response, "agreement")
    assert not ClockPolicy.objects.exists()
    assert login(agent).get(url).status_code == 403
    assert login(agent).get(reverse("desk:pause_list")).status_code == 200
    assert login(customer_user).get(reverse("desk:pause_list")).status_code == 403


# --- the index, both languages ----------------------------------------------------------------


def test_index_shows_the_sections_each_user_may_open(leader, agent, customer_user):
    sections = login(leader).get(reverse("desk:config")).context["sections"]
    assert len(sections) == 7
    labels = {str(s["label"]) for s in login(agent).get(reverse("desk:config")).context["sections"]}
    assert "Priority matrix" not in labels and "Canned responses" in labels
    assert login(customer_user).get(reverse("desk:config")).status_code == 403


def test_every_page_opens_in_zh_hans(leader, group, category, sla, matrix):
    rule = config.create_dispatch_rule(by=None, name="All to server", team=group)
    canned = entries.create_canned(by=None, title="Hello", body="Hi {contact}")
    client = login(leader, "zh-hans")
    urls = [
        reverse("desk:config"),
        reverse("desk:category_tree"),
        reverse("desk:category_create"),
        reverse("desk:category_edit", args=[category.pk]),
        reverse("desk:matrix"),
        reverse("desk:rule_create"),
        reverse("desk:rule_edit", args=[rule.pk]),
        reverse("desk:canned_list"),
        reverse("desk:canned_create"),
        reverse("desk:canned_edit", args=[canned.pk]),
        reverse("desk:presence"),
        reverse("desk:presence_edit"),
        reverse("desk:group_list"),
        reverse("desk:group_edit") + f"?team={group.pk}",
        reverse("desk:pause_list"),
        reverse("desk:pause_edit") + f"?agreement={sla.pk}",
    ]
    with translation.override("zh-hans"):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert re.search(r'<html[^>]* lang="zh-hans"', html), url
    # a field label translated from the shared vocabulary
    page = client.get(reverse("desk:group_edit"))
    assert "保存" in page.content.decode()


def test_agent_can_open_what_the_policy_allows(agent, engineer):
    client = login(agent)
    assert client.get(reverse("desk:canned_create")).status_code == 200
    assert client.get(reverse("desk:presence")).status_code == 200
    assert client.get(reverse("desk:category_tree")).status_code == 200
    for name in ("desk:matrix", "desk:category_create", "desk:rule_create", "desk:group_edit"):
        assert client.get(reverse(name)).status_code == 403, name


def test_roles_of_desk_managers(provider, group):
    """A process owner configures the desk like a group leader."""
    owner = factories.person(provider, Role.PROCESS_OWNER, username="owner")
    assert login(owner).get(reverse("desk:matrix")).status_code == 200


# --- statements -------------------------------------------------------------------------------


def _statements(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_presence_and_group_pages_read_the_same_statements_for_more_people(
    leader, provider, shift, customer_a, matrix
):
    """No statement per person or group: twice the people, shifts and groups, the same count."""
    client = login(leader)
    pages = (reverse("desk:presence"), reverse("desk:group_list"), reverse("desk:canned_list"))

    def grow():
        person = factories.person(provider, Role.ENGINEER_L1)
        config.set_presence(person, by=None, away=False, shift=shift)
        team = factories.team(person)
        config.set_group_settings(team, by=None, manager=leader, chat_channel="c")
        entries.create_canned(by=None, title=f"T{person.pk}", body="b", team=team)
        ticket = factories.ticket(customer_a)
        dispatch.assign(ticket, by=leader, group=team, assignee=person)

    grow()
    for url in pages:  # warm the per-process caches (menu, calendars) once
        _statements(client, url)
    before = [_statements(client, url) for url in pages]
    for _ in range(3):
        grow()
    assert [_statements(client, url) for url in pages] == before
