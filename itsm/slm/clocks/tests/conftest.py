"""Fixtures of the SLA clock tests: the China 5×8 calendar (lunch break, 2026 seeded from
chinese-calendar), a 7×24 calendar, and a record to hang clocks on."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.core.calendars import businesstime
from itsm.slm.clocks.tests.factories import make_all_day, make_cn_5x8


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_engines():
    """Engines are cached per process; ids repeat between tests on SQLite."""
    businesstime.invalidate()
    yield
    businesstime.invalidate()


@pytest.fixture
def cn_5x8(db):
    return make_cn_5x8()


@pytest.fixture
def all_day(db):
    return make_all_day()


@pytest.fixture
def record(customer_a):
    from itsm.core.testing.sample.services import create_sample_ticket

    return create_sample_ticket(title="Mail is down", customer=customer_a)
