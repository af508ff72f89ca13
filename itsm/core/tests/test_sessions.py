"""Session pages read the session and the signed-in user in two statements
(``itsm.core.sessions``): the user comes with its organisation and roles, and signing out,
an expired session, a deactivated user or a changed password still end the session."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from itsm.core import services
from itsm.core.choices import Role
from itsm.core.sessions import SessionUserBackend, user_with_roles

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_user_comes_with_organisation_and_roles_in_one_statement(agent, django_assert_num_queries):
    services.set_roles(agent, roles={Role.SERVICE_DESK, Role.ENGINEER_L2})
    with django_assert_num_queries(1):
        user = user_with_roles(agent.pk)
        assert user.roles == {Role.SERVICE_DESK, Role.ENGINEER_L2}
        assert user.organisation_kind == "provider"
        assert user.username == agent.username


def test_user_without_roles_and_unknown_user(agent):
    services.set_roles(agent, roles=set())
    assert user_with_roles(agent.pk).roles == frozenset()
    assert user_with_roles(agent.pk + 1000) is None


def test_inactive_user_is_not_signed_in(agent):
    get_user_model().objects.filter(pk=agent.pk).update(is_active=False)
    assert SessionUserBackend().get_user(agent.pk) is None


def test_a_page_reads_session_and_user_once(agent, django_assert_num_queries):
    client = _signed_in(agent)
    client.get(reverse("ui:dashboard"))
    with django_assert_num_queries(2):  # the session; the user with organisation and roles
        assert client.get(reverse("core:organisation_list") + "?export=nope").status_code == 400


def test_role_change_is_seen_by_the_next_request(agent):
    client = _signed_in(agent)
    assert client.get(reverse("ui:dashboard")).wsgi_request.user.roles == {Role.SERVICE_DESK}
    services.set_roles(agent, roles={Role.ENGINEER_L2})
    assert client.get(reverse("ui:dashboard")).wsgi_request.user.roles == {Role.ENGINEER_L2}


def test_signing_out_expiry_and_password_change_end_the_session(agent):
    login = reverse("login")
    client = _signed_in(agent)
    client.post(reverse("logout"))
    assert client.get(reverse("ui:dashboard"))["Location"].startswith(login)

    client = _signed_in(agent)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("ui:dashboard"))["Location"].startswith(login)

    client = _signed_in(agent)
    agent.set_password("another-long-passphrase-42")
    agent.save()
    assert client.get(reverse("ui:dashboard"))["Location"].startswith(login)


def _fields(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def test_rows_are_built_as_the_orm_builds_them(agent, customer_user):
    """``UserRows`` writes its statement by hand: every column of the user, its organisation
    and (for a token) the token comes back as the ORM's ``select_related`` gives it, with the
    same types, and no related row is read again."""
    from itsm.core.api.authentication import _TOKEN_ROWS
    from itsm.core.models import ApiToken
    from itsm.core.tokens import create_token

    for person in (agent, customer_user):
        expected = get_user_model().objects.select_related("organisation").get(pk=person.pk)
        user = user_with_roles(person.pk)
        assert _fields(user) == _fields(expected)
        assert user._state.adding is False and user._state.db == "default"
        assert _fields(user.organisation) == _fields(expected.organisation)

        row, text = create_token(person, name="rows", days=1)
        [(token, roles, extra)] = _TOKEN_ROWS.read(row.token_key)
        orm = ApiToken.objects.select_related("user__organisation").get(pk=row.pk)
        assert _fields(token) == _fields(orm)
        assert _fields(token.user) == _fields(orm.user)
        assert _fields(token.user.organisation) == _fields(orm.user.organisation)
        assert roles - {None} == set(person.roles) and extra is None


def test_a_user_without_organisation(agent, django_assert_num_queries):
    get_user_model().objects.filter(pk=agent.pk).update(organisation=None)
    with django_assert_num_queries(1):
        user = user_with_roles(agent.pk)
        assert user.organisation is None
        assert user.organisation_kind is None
