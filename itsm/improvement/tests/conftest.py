"""Fixtures of the improvement tests: people with the improvement roles."""

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
def process_owner(provider):
    """Raises, plans, implements and verifies items."""
    return _user("imp-owner", provider, Role.PROCESS_OWNER)


@pytest.fixture
def quality_manager(provider):
    """Approves items (and may write them)."""
    return _user("imp-quality", provider, Role.QUALITY_MANAGER)


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
