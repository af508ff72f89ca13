"""Login protection (issue 8, item 17): failed sign-ins lock the account and the address."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOCKED = (
    "Too many failed sign-in attempts for this account or from this address. "
    "Try again in 15 minutes, or ask an administrator to unlock it."
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _sign_in(client, username, password, address="10.1.1.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_account_is_locked_after_five_failures_even_with_the_right_password(
    client, agent, settings
):
    for _attempt in range(4):
        response = _sign_in(client, "agent", "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = _sign_in(client, "agent", "wrong")  # the fifth failure locks
    assert response.status_code == 429
    response = _sign_in(client, "agent", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # the lock is per account: from another address the account stays locked …
    assert _sign_in(client, "agent", PASSWORD, address="10.9.9.9").status_code == 429


def test_address_is_locked_after_five_failures_over_several_accounts(client, agent, engineer):
    for username in ("nobody", "someone", "agent", "x", "y"):
        _sign_in(client, username, "wrong", address="10.2.2.2")
    response = _sign_in(client, "engineer", PASSWORD, address="10.2.2.2")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # … and the other account signs in from elsewhere
    response = _sign_in(client, "engineer", PASSWORD, address="10.3.3.3")
    assert (response.status_code, response.url) == (302, "/")


def test_a_success_resets_the_count(client, agent):
    for _attempt in range(4):
        _sign_in(client, "agent", "wrong")
    assert _sign_in(client, "agent", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert _sign_in(client, "agent", "wrong").status_code == 200
    assert _sign_in(client, "agent", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client, agent):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _attempt in range(5):
        _sign_in(client, "agent", "wrong")
    assert _sign_in(client, "agent", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )
    assert _sign_in(client, "agent", PASSWORD).status_code == 302


def test_lockout_message_is_translated(client, agent):
    for _attempt in range(5):
        _sign_in(client, "agent", "wrong")
    response = client.post(
        LOGIN,
        {"username": "agent", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    assert 'data-testid="lockout"' in response.content.decode()
