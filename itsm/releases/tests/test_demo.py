"""The demo step: a deployed release whose CI takes the new version, an emergency release
rolled back and a major release in testing, made through the services; a second run adds
nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.demo import load_demo
from itsm.releases.models import Release

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_makes_releases_once():
    load_demo()
    statuses = dict(Release.objects.values_list("kind", "status"))
    assert statuses == {"minor": "deployed", "emergency": "rolled_back", "major": "testing"}
    app = cmdb_selectors.all_cis().get(identifier="hx-ebank-api")
    assert app.attributes["version"] == "5.2.1"
    newest = Release.objects.order_by("-id").first()
    assert newest is not None and newest.kind == "major"
    count = Release.objects.count()
    load_demo()
    assert Release.objects.count() == count
