"""Users manage their own API tokens (issue 8, item 18): named, expiring, shown once, stored
as digests, revoked by the user and by any password change; bad tokens are throttled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from itsm.conftest import PASSWORD
from itsm.core.models import ApiToken
from itsm.core.testing.api import assert_error
from itsm.core.testing.api import client_for as _client_for
from itsm.core.tokens import create_token

TOKENS = "/api/core/tokens/"
ME = "/api/core/me/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user):
    """An API client of *user*, answering in English (the user's saved language wins)."""
    user.language = "en"
    user.save(update_fields=["language"])
    client = _client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _as_token(token: str, address: str = "10.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_create_list_use_and_revoke_through_the_api(agent):
    client = client_for(agent)
    response = client.post(TOKENS, {"name": "monitoring", "expires_in_days": 30}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == {"id", "name", "token_key", "created", "expiry", "token"}
    assert created["token"].startswith("itsm_") and len(created["token"]) == 69
    assert created["token_key"] == created["token"][:15]
    row = ApiToken.objects.get(pk=created["id"])
    assert created["token"] not in (row.digest, row.token_key)  # only the digest is stored
    assert row.expiry - timezone.now() > timedelta(days=29, hours=23)

    listed = client.get(TOKENS).json()
    assert [(t["id"], t["name"]) for t in listed] == [(created["id"], "monitoring")]
    assert "token" not in listed[0]

    assert _as_token(created["token"]).get(ME).json()["username"] == "agent"

    assert client.delete(f"{TOKENS}{created['id']}/").status_code == 204
    assert_error(_as_token(created["token"]).get(ME), 401, "authentication_failed")
    assert client.get(TOKENS).json() == []


def test_a_user_neither_sees_nor_revokes_another_users_tokens(agent, engineer):
    row, _text = create_token(agent, name="agent's", days=7)
    other = client_for(engineer)
    assert other.get(TOKENS).json() == []
    assert_error(other.delete(f"{TOKENS}{row.pk}/"), 404, "not_found")
    assert ApiToken.objects.filter(pk=row.pk).exists()


def test_name_and_expiry_are_required_and_bounded(agent, settings):
    client = client_for(agent)
    assert_error(client.post(TOKENS, {}, format="json"), 400, "validation", fields=("name",))
    settings.ITSM_API_TOKEN_MAX_DAYS = 90
    body = assert_error(
        client.post(TOKENS, {"name": "long", "expires_in_days": 91}, format="json"),
        400,
        "validation",
        fields=("expires_in_days",),
    )
    assert body["fields"]["expires_in_days"] == ["Enter a number of days from 1 to 90."]
    create_token(agent, name="twice", days=1)
    assert_error(
        client.post(TOKENS, {"name": "twice", "expires_in_days": 1}, format="json"),
        400,
        "validation",
        fields=("name",),
    )


def test_an_expired_token_answers_401_and_is_deleted(agent):
    row, text = create_token(agent, name="old", days=1)
    other, _other_text = create_token(agent, name="current", days=30)
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert_error(_as_token(text).get(ME), 401, "authentication_failed")
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert ApiToken.objects.filter(pk=other.pk).exists()


def test_an_administrator_setting_a_password_revokes_the_users_tokens(admin_user, agent):
    _row, text = create_token(agent, name="script", days=30)
    response = client_for(admin_user).patch(
        f"/api/core/users/{agent.pk}/",
        {"password": "Another-pass-2026!", "version": agent.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert_error(_as_token(text).get(ME), 401, "authentication_failed")
    assert not ApiToken.objects.filter(user=agent).exists()


def test_changing_ones_own_password_revokes_ones_tokens(client, agent, engineer):
    _row, text = create_token(agent, name="script", days=30)
    _other, other_text = create_token(engineer, name="script", days=30)
    client.force_login(agent)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2026!",
            "new_password2": "Another-pass-2026!",
        },
    )
    assert (response.status_code, response.url) == (302, "/accounts/tokens/")
    assert_error(_as_token(text).get(ME), 401, "authentication_failed")
    assert _as_token(other_text).get(ME).status_code == 200  # others keep theirs


def test_a_deactivated_users_token_answers_401(agent):
    _row, text = create_token(agent, name="script", days=30)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert_error(_as_token(text).get(ME), 401, "authentication_failed")


def test_guessing_tokens_locks_the_address(agent):
    _row, text = create_token(agent, name="script", days=30)
    for attempt in range(4):  # four failures: each refused as a bad token
        response = _as_token(f"itsm_{attempt:064x}", address="10.6.6.6").get(ME)
        assert_error(response, 401, "authentication_failed")
    # the fifth failure reaches the limit: refused as locked out
    assert_error(_as_token(f"itsm_{4:064x}", address="10.6.6.6").get(ME), 429, "throttled")
    body = assert_error(_as_token(text, address="10.6.6.6").get(ME), 429, "throttled")
    assert body["detail"].startswith("Too many failed sign-in attempts")
    assert _as_token(text, address="10.7.7.7").get(ME).status_code == 200


def test_token_page_creates_shows_once_lists_and_revokes_with_confirmation(client, agent):
    client.force_login(agent)
    response = client.post("/accounts/tokens/", {"name": "backup job", "expires_in_days": "7"})
    assert response.status_code == 200
    text = response.context["new_token"]
    assert text.startswith("itsm_") and text in response.content.decode()
    page = client.get("/accounts/tokens/").content.decode()
    assert "backup job" in page and text not in page
    row = ApiToken.objects.get(user=agent)
    first = client.post(f"/accounts/tokens/{row.pk}/revoke/")
    assert first.templates[0].name == "core/confirm.html"
    assert ApiToken.objects.filter(pk=row.pk).exists()
    done = client.post(f"/accounts/tokens/{row.pk}/revoke/", {"confirmed": "yes"})
    assert (done.status_code, done.url) == (302, "/accounts/tokens/")
    assert not ApiToken.objects.filter(pk=row.pk).exists()


def test_token_page_refuses_another_users_token(client, agent, engineer):
    row, _text = create_token(engineer, name="engineer's", days=7)
    client.force_login(agent)
    response = client.post(f"/accounts/tokens/{row.pk}/revoke/", {"confirmed": "yes"})
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=row.pk).exists()


def test_token_page_needs_a_sign_in(client, db):
    response = client.get("/accounts/tokens/")
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/accounts/tokens/")


@pytest.mark.parametrize(
    "roles", [[], ["service_desk"], ["service_desk", "engineer_l2", "cab_member"]]
)
def test_a_token_brings_every_role_of_its_user(agent, roles):
    """The token's query reads the user's roles with it (one row per role): none, one or
    several, each role once, and ``/me`` shows them without reading them again."""
    from itsm.core.models import RoleAssignment

    RoleAssignment.objects.filter(user=agent).delete()
    for role in roles:
        RoleAssignment.objects.create(user=agent, role=role)
    _row, text = create_token(agent, name="roles", days=1)
    response = _as_token(text).get(ME)
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == sorted(roles)
