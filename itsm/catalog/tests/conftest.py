"""Fixtures of the catalogue tests."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.core import services as core_services
from itsm.core.choices import Role


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def slm(provider):
    """A service level manager: writes the catalogue and approves publication."""
    return core_services.create_user(
        username="slm",
        organisation=provider,
        password="Itsm-demo-2026!",
        roles=(Role.SERVICE_LEVEL_MANAGER,),
        email="slm@example.com",
    )


@pytest.fixture
def writer(provider):
    """An agreement maintainer: writes the catalogue, may submit but not publish."""
    return core_services.create_user(
        username="maintainer",
        organisation=provider,
        password="Itsm-demo-2026!",
        roles=(Role.AGREEMENT_MAINTAINER,),
        email="maintainer@example.com",
    )
