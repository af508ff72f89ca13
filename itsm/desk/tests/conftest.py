"""Fixtures of the desk tests: an SLA of customer A on a 7×24 calendar with response and
resolution targets, an assignment group with two engineers, a category and the default
priority matrix."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.core.calendars import businesstime
from itsm.core.choices import Role
from itsm.desk.services import config
from itsm.desk.tests import factories


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_engines():
    businesstime.invalidate()
    yield
    businesstime.invalidate()


@pytest.fixture
def matrix(db):
    config.ensure_default_matrix()


@pytest.fixture
def sla(customer_a):
    from itsm.slm.clocks.tests.factories import make_all_day, signed_sla

    return signed_sla(customer_a, calendar=make_all_day())


@pytest.fixture
def service(sla):
    return sla.services.first()


@pytest.fixture
def engineers(provider):
    return [
        factories.person(provider, Role.ENGINEER_L2, username="eng-one"),
        factories.person(provider, Role.ENGINEER_L2, username="eng-two"),
    ]


@pytest.fixture
def leader(provider):
    return factories.person(provider, Role.GROUP_LEADER, username="leader")


@pytest.fixture
def group(engineers, leader):
    return factories.team(*engineers, leader=leader, code="server")


@pytest.fixture
def category(db):
    return factories.category("hardware")
