"""Fixtures of the capacity tests: people with the capacity roles, English messages."""

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
def planner(provider):
    """Defines metrics, records samples and drafts plans."""
    return _user("cap-planner", provider, Role.ENGINEER_L2)


@pytest.fixture
def approver(provider):
    return _user("cap-approver", provider, Role.SERVICE_LEVEL_MANAGER)


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
