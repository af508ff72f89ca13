"""Fixtures of the release tests: people with the release roles."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.conftest import _user
from itsm.core.choices import Role


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def release_manager(provider):
    """Decides go/no-go (release manager) and approves changes (change manager)."""
    return _user("rel-manager", provider, Role.RELEASE_MANAGER, Role.CHANGE_MANAGER)


@pytest.fixture
def engineer(provider):
    return _user("rel-engineer", provider, Role.ENGINEER_L2)


@pytest.fixture
def browse():
    """A client signed in as *user*, its pages in *language*."""
    from django.test import Client

    def make(user, language="en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make
