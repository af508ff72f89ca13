"""Actions that cannot be undone ask first (issue 8, item 3): a POST without ``confirmed=yes``
answers a confirmation page that says what will happen and changes nothing; the same POST with
the confirmation does the work. Declared on the state machines (``Transition.confirm``) and in
the delete/remove views, through ``itsm.core.confirm``."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.catalog.models import Service
from itsm.cmdb import services as cmdb
from itsm.cmdb.choices import CI_MACHINE
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.core.calendars import services as calendars
from itsm.core.calendars.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(admin_user) -> Client:
    from itsm.core.models import User

    cmdb.ensure_builtins()
    User.objects.filter(pk=admin_user.pk).update(language="en")
    client = Client()
    client.force_login(admin_user)
    return client


def _confirmation(response) -> str:
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "core/confirm.html"
    return response.content.decode()


def test_cancelling_a_planned_ci_is_labelled_and_confirmed(client):
    ci = cmdb.create_ci(name="spare switch", ci_class=cmdb.get_class("application"), by=None)
    cancel = CI_MACHINE.by_name("cancel")
    assert str(cancel.label) == "Retire without putting in use"
    detail = client.get(reverse("cmdb:ci_detail", args=[ci.pk])).content.decode()
    assert "Retire without putting in use…" in detail
    assert 'data-testid="transition-commission">Put in use<' in detail  # reversible: no step

    url = reverse("cmdb:ci_transition", args=[ci.pk])
    page = _confirmation(client.post(url, {"to": "retired", "version": ci.version}))
    assert "cannot be put in use later" in page
    assert 'name="confirmed" value="yes"' in page
    assert 'name="to" value="retired"' in page
    assert f'href="{reverse("cmdb:ci_detail", args=[ci.pk])}"' in page  # cancel goes back
    ci.refresh_from_db()
    assert ci.status == "planned"

    done = client.post(url, {"to": "retired", "version": ci.version, "confirmed": "yes"})
    assert done.status_code == 302
    ci.refresh_from_db()
    assert ci.status == "retired"


def test_a_reversible_transition_needs_no_confirmation(client):
    ci = cmdb.create_ci(name="app", ci_class=cmdb.get_class("application"), by=None)
    url = reverse("cmdb:ci_transition", args=[ci.pk])
    assert client.post(url, {"to": "in_use", "version": ci.version}).status_code == 302
    assert ConfigurationItem.objects.get(pk=ci.pk).status == "in_use"


def test_relation_removal_is_confirmed(client):
    app = cmdb.create_ci(name="crm", ci_class=cmdb.get_class("application"), by=None)
    vm = cmdb.create_ci(name="vm-1", ci_class=cmdb.get_class("virtual_machine"), by=None)
    relation = cmdb.create_relation(
        source=app, target=vm, type=cmdb.get_relation_type("runs_on"), by=None
    )
    url = reverse("cmdb:relation_remove", args=[app.pk, relation.pk])
    page = _confirmation(client.post(url))
    assert "vm-1" in page and "crm" in page
    assert Relation.objects.filter(pk=relation.pk).exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not Relation.objects.filter(pk=relation.pk).exists()


def test_draft_delete_is_confirmed(client):
    from itsm.catalog import services as catalog

    category = catalog.create_category(code="98", name="Tests", by=None)
    draft = catalog.create_service(code="SVC-X", name="Draft X", category=category, by=None)
    url = reverse("catalog:service_delete", args=[draft.pk])
    _confirmation(client.post(url))
    assert Service.objects.filter(pk=draft.pk).exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not Service.objects.filter(pk=draft.pk).exists()


def test_agreement_terminate_is_confirmed(customer_a):
    from itsm.slm.models import Agreement
    from itsm.slm.tests.factories import make_signed_sla, slm_manager

    manager = slm_manager(language="en")
    agreement = make_signed_sla(customer_a, by=manager)
    client = Client()
    client.force_login(manager)
    url = reverse("slm:agreement_transition", args=[agreement.pk])
    page = _confirmation(client.post(url, {"to": "terminated", "version": agreement.version}))
    assert "configuration item is retired" in page
    assert Agreement.objects.get(pk=agreement.pk).status == "active"
    client.post(url, {"to": "terminated", "version": agreement.version, "confirmed": "yes"})
    assert Agreement.objects.get(pk=agreement.pk).status == "terminated"


def test_holiday_removal_and_year_confirmation_are_confirmed(client):
    calendar = calendars.create_calendar(
        by=None,
        code="cn",
        name="China",
        holiday_region="CN",
        intervals=[{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)],
    )
    day = calendars.add_day(
        calendar, by=None, date=datetime.date(2031, 10, 1), kind="holiday", name="National Day"
    )
    remove = reverse("calendars:day_remove", args=[calendar.pk, day.pk])
    assert "National Day" in _confirmation(client.post(remove))
    assert CalendarDay.objects.filter(pk=day.pk).exists()

    confirm = reverse("calendars:confirm", args=[calendar.pk])
    assert "complete and correct" in _confirmation(client.post(confirm, {"year": 2031}))
    assert not CalendarYear.objects.filter(calendar=calendar, year=2031, confirmed=True).exists()
    assert client.post(confirm, {"year": 2031, "confirmed": "yes"}).status_code == 302
    assert CalendarYear.objects.get(calendar=calendar, year=2031).confirmed is True

    assert client.post(remove, {"confirmed": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
