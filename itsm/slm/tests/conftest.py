"""Fixtures shared by the SLM tests."""

import pytest
from django.test import Client

from itsm.slm.tests.factories import slm_manager


@pytest.fixture
def manager(provider):
    """A service level manager of the provider (drafts, signs and reviews agreements)."""
    return slm_manager(username="slm-review")


@pytest.fixture
def signed_in():
    """Make a page client signed in as a user; a server error answers 500, not an exception."""

    def make(user) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return make
