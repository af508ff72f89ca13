"""Fixtures of the availability tests: messages in English, calendar engines rebuilt per test,
an 8×5 SLA on one service with a 99.9 % availability target."""

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


@pytest.fixture(autouse=True)
def _fresh_calendars():
    """Calendar engines are cached per calendar id: a test's calendar is read afresh."""
    from itsm.core.calendars.businesstime import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def slm_manager(provider):
    return _user("avail-slm", provider, Role.SERVICE_LEVEL_MANAGER)


@pytest.fixture
def sla(customer_a):
    from itsm.availability.tests.factories import sla_8x5

    return sla_8x5(customer_a)


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
