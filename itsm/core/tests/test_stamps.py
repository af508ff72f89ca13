"""Configuration memos behind stamps (core.stamps): read once, read again after any write to
the watched tables — a save, a delete, a many-to-many change — and never across a rollback."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from itsm.core import services, stamps
from itsm.core.models import ConfigStamp, Team
from itsm.core.testing.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def team_names() -> tuple[list[str], list[int]]:
    """A memo of the team names (the "people" stamp, which core watches) and its loads."""
    loads: list[int] = []

    def read():
        loads.append(1)
        return sorted(Team.objects.values_list("name", flat=True))

    return read, loads


def test_read_once_until_a_watched_row_is_saved():
    read, loads = team_names()
    stamps.bump("people")
    first = stamps.memo(("people",), "names", read)
    assert stamps.memo(("people",), "names", read) == first
    assert len(loads) == 1
    TeamFactory(name="Night shift")
    assert "Night shift" in stamps.memo(("people",), "names", read)
    assert len(loads) == 2


def test_a_delete_and_a_membership_change_give_a_new_token():
    team = TeamFactory()
    token = ConfigStamp.objects.get(name="people").token
    services.set_team_members(team, members=[UserFactory(roles=("engineer_l1",))])
    after_members = ConfigStamp.objects.get(name="people").token
    assert after_members != token
    team.delete()
    assert ConfigStamp.objects.get(name="people").token != after_members


def test_a_rolled_back_change_is_not_served():
    read, loads = team_names()
    stamps.bump("people")
    before = stamps.memo(("people",), "names", read)
    with pytest.raises(RuntimeError), transaction.atomic():
        TeamFactory(name="Never committed")
        assert "Never committed" in stamps.memo(("people",), "names", read)
        raise RuntimeError
    assert stamps.memo(("people",), "names", read) == before
    assert len(loads) == 3


def test_a_stamp_without_a_row_is_never_memoised():
    read, loads = team_names()
    ConfigStamp.objects.filter(name="people").delete()
    stamps.memo(("people",), "names", read)
    stamps.memo(("people",), "names", read)
    assert len(loads) == 2


def test_migrate_gives_every_watched_stamp_a_token():
    names = set(ConfigStamp.objects.values_list("name", flat=True))
    assert {"people", "calendars", "desk.config", "slm.agreements", "catalog.services"} <= names


@override_settings(ITSM_STAMP_TTL=60)
def test_a_thread_trusts_its_reading_of_the_tokens_for_the_ttl_but_not_its_own_changes():
    read, loads = team_names()
    stamps.bump("people")
    stamps.memo(("people",), "names", read)
    with CaptureQueriesContext(connection) as captured:
        stamps.memo(("people",), "names", read)
    assert len(captured.captured_queries) == 0 and len(loads) == 1
    TeamFactory(name="Seen at once")
    assert "Seen at once" in stamps.memo(("people",), "names", read)
