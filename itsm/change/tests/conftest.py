"""Fixtures of the change tests: people with the change roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from itsm.conftest import _user
from itsm.core.choices import Role


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    return _user("chg-manager", provider, Role.CHANGE_MANAGER)


@pytest.fixture
def manager2(provider):
    return _user("chg-manager2", provider, Role.CHANGE_MANAGER)


@pytest.fixture
def requester(provider):
    return _user("chg-requester", provider, Role.ENGINEER_L2)


@pytest.fixture
def implementer(provider):
    return _user("chg-implementer", provider, Role.ENGINEER_L2)


@pytest.fixture
def cab_members(provider):
    return [_user(f"cab-{n}", provider, Role.CAB_MEMBER) for n in range(3)]


@pytest.fixture
def browse():
    """A client signed in as *user*, its pages in *language*."""

    def make(user, language="en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make
