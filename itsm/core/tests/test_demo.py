import pytest
from django.contrib.auth import authenticate

from itsm.core.calendars.models import BusinessCalendar, CalendarYear
from itsm.core.choices import OrganisationKind
from itsm.core.demo import DEMO_LOGINS, DEMO_STEPS, load_demo
from itsm.core.models import Organisation, Team, User


@pytest.mark.django_db
def test_demo_is_idempotent_and_logins_work():
    first = load_demo()
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Team.objects.count(),
        BusinessCalendar.objects.count(),
    )
    assert load_demo() == 0
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Team.objects.count(),
        BusinessCalendar.objects.count(),
    ) == counts
    # the core steps come first; the domain apps' steps (CMDB, catalogue, SLM …) follow
    assert {step.__module__ for step in DEMO_STEPS[:3]} == {"itsm.core.demo"}
    assert first > sum(counts)
    assert Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).count() == 3
    assert set(Team.objects.values_list("code", flat=True)) == {
        "desktop",
        "server",
        "network",
        "database",
        "application",
    }
    for username, password, _role in DEMO_LOGINS:
        assert authenticate(username=username, password=password) is not None, username
    china = BusinessCalendar.objects.get(code="cn-5x8")
    assert set(
        CalendarYear.objects.filter(calendar=china, confirmed=True).values_list("year", flat=True)
    ) == {2025, 2026}


@pytest.mark.django_db
def test_error_pages_are_translated_and_in_the_shell(client, customer_user, provider):
    client.force_login(customer_user)  # zh-hans by default
    response = client.get("/core/organisations/add/")
    assert response.status_code == 403
    assert "权限不足" in response.content.decode()
    response = client.get("/core/organisations/999999/")
    assert response.status_code == 404
    assert "不存在" in response.content.decode()
