import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    from itsm.problems.tests import factories

    return factories.person(username="pm")
