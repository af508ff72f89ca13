"""Fixtures of the objectives tests: the author and the approver of a plan, English messages."""

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
def author(provider):
    """Drafts plans and objectives, enters manual actuals."""
    return _user("obj-author", provider, Role.QUALITY_MANAGER)


@pytest.fixture
def approver(provider):
    """Approves plans (the management representative)."""
    return _user("obj-approver", provider, Role.MANAGEMENT_REPRESENTATIVE)
