"""UI pages of organisations, users and teams: policy (403), tenancy (404), forms, history."""

import pytest
from django.urls import reverse

from itsm.core import services
from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation, Team, User
from itsm.core.timeline import timeline_for


def _rows(response):
    return list(response.context["object_list"])


# --- lists and tenancy ----------------------------------------------------------------------


def test_customer_lists_show_only_their_organisation(
    client, provider, customer_a, customer_b, admin_user, customer_user, other_customer_user
):
    client.force_login(customer_user)
    orgs = client.get(reverse("core:organisation_list"))
    assert [o.code for o in _rows(orgs)] == ["cust-a"]
    users = client.get(reverse("core:user_list"))
    assert [u.username for u in _rows(users)] == ["cust-a-user"]
    html = users.content.decode()
    assert "cust-b-user" not in html
    assert ">admin<" not in html
    # the organisation filter offers only what the user may see
    choices = users.context["filterset"].form.fields["organisation"].queryset
    assert [o.code for o in choices] == ["cust-a"]
    # teams are provider-internal: 403, not an empty list (issue 8 #2)
    assert client.get(reverse("core:team_list")).status_code == 403


def test_staff_lists_are_filtered_with_the_filtersets(
    client, provider, customer_a, customer_b, admin_user, agent, customer_user
):
    client.force_login(agent)
    orgs = client.get(reverse("core:organisation_list"), {"kind": "customer"})
    assert [o.code for o in _rows(orgs)] == ["cust-a", "cust-b"]
    users = client.get(reverse("core:user_list"), {"role": Role.SERVICE_DESK})
    assert [u.username for u in _rows(users)] == ["agent"]
    users = client.get(reverse("core:user_list"), {"organisation": customer_a.pk})
    assert [u.username for u in _rows(users)] == ["cust-a-user"]


def test_user_list_query_count_does_not_grow_with_rows(
    client, provider, admin_user, django_assert_max_num_queries
):
    for n in range(15):
        services.create_user(
            username=f"u{n}", organisation=provider, roles=(Role.ENGINEER_L1, Role.ENGINEER_L2)
        )
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("core:user_list"))
    assert len(_rows(response)) == 16
    assert response.content.decode().count("badge bg-azure-lt") == 31  # 15×2 + admin's one


def test_foreign_ids_answer_404(
    client, provider, customer_a, customer_b, customer_user, other_customer_user
):
    client.force_login(customer_user)
    assert client.get(reverse("core:organisation_detail", args=[customer_b.pk])).status_code == 404
    assert client.get(reverse("core:organisation_detail", args=[provider.pk])).status_code == 404
    assert client.get(reverse("core:user_detail", args=[other_customer_user.pk])).status_code == 404
    assert client.get(reverse("core:organisation_detail", args=[customer_a.pk])).status_code == 200
    assert client.get(reverse("core:user_detail", args=[customer_user.pk])).status_code == 200


def test_pages_need_login(client, customer_a):
    response = client.get(reverse("core:organisation_detail", args=[customer_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["core:organisation_add", "core:user_add", "core:team_add"],
)
def test_only_administrators_may_add(client, admin_user, agent, customer_user, name):
    client.force_login(customer_user)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(agent)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {"code": "x", "name": "X"}).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse(name)).status_code == 200


def test_buttons_follow_policy(client, provider, admin_user, agent):
    client.force_login(agent)
    assert (
        reverse("core:organisation_add")
        not in client.get(reverse("core:organisation_list")).content.decode()
    )
    detail = client.get(reverse("core:organisation_detail", args=[provider.pk])).content.decode()
    assert reverse("core:organisation_edit", args=[provider.pk]) not in detail
    assert client.get(reverse("core:organisation_edit", args=[provider.pk])).status_code == 403
    client.force_login(admin_user)
    assert (
        reverse("core:organisation_add")
        in client.get(reverse("core:organisation_list")).content.decode()
    )
    detail = client.get(reverse("core:organisation_detail", args=[provider.pk])).content.decode()
    assert reverse("core:organisation_edit", args=[provider.pk]) in detail


# --- forms ----------------------------------------------------------------------------------


def test_create_organisation_through_the_service(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:organisation_add"),
        {"code": "acme", "name": "ACME", "kind": OrganisationKind.CUSTOMER, "notes": ""},
    )
    org = Organisation.objects.get(code="acme")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organisation_detail", args=[org.pk])
    assert [(e.verb, e.actor_id) for e in timeline_for(org)] == [("created", admin_user.pk)]


def test_second_provider_is_a_field_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:organisation_add"),
        {"code": "p2", "name": "Another", "kind": OrganisationKind.PROVIDER},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "kind" in form.errors
    assert Organisation.objects.filter(code="p2").exists() is False
    assert "invalid-feedback" in response.content.decode()


def test_missing_and_duplicate_fields_are_field_errors(client, admin_user, customer_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:organisation_add"), {"code": "cust-a", "name": "", "kind": "customer"}
    )
    form = response.context["form"]
    assert set(form.errors) == {"code", "name"}


def test_create_user_with_roles(client, admin_user, customer_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:user_add"),
        {
            "username": "zhang",
            "organisation": customer_a.pk,
            "display_name": "张三",
            "email": "zhang@example.com",
            "language": "zh-hans",
            "roles": [Role.CUSTOMER_CONTACT, Role.CUSTOMER_USER],
            "password": "a-Long-enough-pass-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhang")
    assert user.organisation == customer_a
    assert user.roles == {Role.CUSTOMER_CONTACT, Role.CUSTOMER_USER}
    assert user.check_password("a-Long-enough-pass-42")


def test_role_not_allowed_for_organisation_is_a_field_error(client, admin_user, customer_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:user_add"),
        {
            "username": "li",
            "organisation": customer_a.pk,
            "language": "zh-hans",
            "roles": [Role.SERVICE_DESK],
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["roles"]
    assert not User.objects.filter(username="li").exists()


def test_edit_user_roles_and_fields(client, admin_user, agent):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:user_edit", args=[agent.pk]),
        {
            "version": agent.version,
            "display_name": "Agent Wang",
            "email": agent.email,
            "phone": "",
            "language": "zh-hans",
            "is_active": "on",
            "roles": [Role.SERVICE_DESK, Role.GROUP_LEADER],
        },
    )
    assert response.status_code == 302
    agent = User.objects.get(pk=agent.pk)
    assert agent.display_name == "Agent Wang"
    assert agent.roles == {Role.SERVICE_DESK, Role.GROUP_LEADER}
    assert agent.version == 2


def test_stale_version_shows_a_conflict(client, admin_user, customer_a):
    services.set_language(admin_user, language="en")
    services.update_record(customer_a, by=admin_user, expected_version=1, name="Renamed")
    client.force_login(admin_user)
    response = client.post(
        reverse("core:organisation_edit", args=[customer_a.pk]),
        {"version": 1, "name": "Mine", "notes": "", "is_active": "on"},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "The record was changed by someone else; reload it and try again." in errors
    assert Organisation.objects.get(pk=customer_a.pk).name == "Renamed"


def test_edit_with_current_version_saves(client, admin_user, customer_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:organisation_edit", args=[customer_a.pk]),
        {"version": 1, "name": "Customer A Ltd", "notes": "key account", "is_active": "on"},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(pk=customer_a.pk)
    assert (org.name, org.notes, org.version) == ("Customer A Ltd", "key account", 2)


def test_team_create_and_edit_members(client, provider, admin_user, agent, engineer):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:team_add"),
        {
            "code": "srv",
            "name": "Servers",
            "organisation": provider.pk,
            "leader": engineer.pk,
            "members": [engineer.pk],
            "email": "",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(code="srv")
    assert list(team.members.all()) == [engineer]
    response = client.post(
        reverse("core:team_edit", args=[team.pk]),
        {
            "version": team.version,
            "name": "Servers",
            "leader": engineer.pk,
            "members": [engineer.pk, agent.pk],
            "email": "srv@example.com",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert set(team.members.all()) == {engineer, agent}
    assert team.email == "srv@example.com"


def test_team_organisation_must_be_the_provider(client, provider, customer_a, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:team_add"),
        {"code": "x", "name": "X", "organisation": customer_a.pk},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors


# --- history --------------------------------------------------------------------------------


def _history_url(obj):
    return reverse("core:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


def test_history_shows_field_change_and_events(client, admin_user, customer_a):
    services.set_language(admin_user, language="en")
    services.update_record(customer_a, by=admin_user, expected_version=1, name="Customer A Ltd")
    client.force_login(admin_user)
    detail = client.get(reverse("core:organisation_detail", args=[customer_a.pk]))
    assert _history_url(customer_a) in detail.content.decode()
    response = client.get(_history_url(customer_a))
    assert response.status_code == 200
    changes = [c for item in response.context["items"] for c in item.changes]
    assert ("name", "Customer A", "Customer A Ltd") in changes
    kinds = [(item.kind, item.verb) for item in response.context["items"]]
    assert kinds == [("created", "created"), ("changed", "changed"), ("event", "updated")]
    html = response.content.decode()
    assert "Customer A Ltd" in html and 'class="history-old">Customer A<' in html


def test_history_is_read_only(client, admin_user, customer_a):
    client.force_login(admin_user)
    url = _history_url(customer_a)
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_history_respects_tenancy(client, customer_a, customer_b, customer_user):
    client.force_login(customer_user)
    assert client.get(_history_url(customer_b)).status_code == 404
    assert client.get(_history_url(customer_a)).status_code == 200
    assert client.get(_history_url(customer_user)).status_code == 200


def test_history_of_unknown_or_unprotected_models_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/core/history/core/nosuchmodel/1/").status_code == 404
    # a model without a ModelPolicy is never exposed
    assert client.get("/core/history/contenttypes/contenttype/1/").status_code == 404
    assert client.get("/core/history/core/organisation/not-a-number/").status_code == 404


def test_every_detail_page_links_to_history(client, provider, admin_user, agent):
    team = services.create_team(code="t", name="T", organisation=provider)
    client.force_login(admin_user)
    for name, obj in [
        ("core:organisation_detail", provider),
        ("core:user_detail", agent),
        ("core:team_detail", team),
    ]:
        html = client.get(reverse(name, args=[obj.pk])).content.decode()
        assert _history_url(obj) in html, name


def test_history_shows_choice_and_transition_labels(client, admin_user, engineer, customer_a):
    from itsm.core.testing.sample.services import create_sample_ticket

    services.set_language(admin_user, language="en")
    ticket = create_sample_ticket(title="Printer", customer=customer_a, by=admin_user)
    services.transition(ticket, "in_progress", by=engineer, expected_version=1)
    client.force_login(admin_user)
    response = client.get(_history_url(ticket))
    changes = [c for item in response.context["items"] for c in item.changes]
    # the status shows its label, not the stored value
    assert ("status", "New", "In progress") in changes
    labels = [item.label for item in response.context["items"] if item.kind != "changed"]
    assert labels == ["Created", "Start"]
