"""API of business calendars: the shared endpoint tests plus compute, import, seed, confirm."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.core.calendars import services
from itsm.core.calendars.choices import DayKind
from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear
from itsm.core.calendars.tests.conftest import LUNCH_BREAK_5X8
from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    CreateDeleteAPIEndpointTests,
    assert_error,
    client_for,
)

_codes = itertools.count(1)


def _calendar(**extra) -> BusinessCalendar:
    n = next(_codes)
    return services.create_calendar(
        by=None,
        code=f"cal-{n}",
        name=f"Calendar {n}",
        holiday_region="CN",
        intervals=LUNCH_BREAK_5X8,
        **extra,
    )


class TestBusinessCalendarAPI(APIEndpointTests):
    model = BusinessCalendar
    url_name = "api:calendars-api:businesscalendar"
    tenancy = "provider"
    required_fields = ("code", "name")
    writer_roles = (Role.SERVICE_LEVEL_MANAGER,)
    invalid_filters = ()

    def make_row(self, owner):
        return _calendar()

    def create_payload(self, env):
        return {
            "code": "cn-24",
            "name": "China 7×24",
            "time_zone": "Asia/Shanghai",
            "holiday_region": "",
            "intervals": [{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
        }

    def update_payload(self, env, row):
        return {"name": "Renamed", "intervals": [{"weekday": 5, "start": "09:00", "end": "12:00"}]}


class TestCalendarDayAPI(CreateDeleteAPIEndpointTests):
    model = CalendarDay
    url_name = "api:calendars-api:calendarday"
    tenancy = "provider"
    required_fields = ("calendar", "date", "kind")
    deletable = True
    invalid_filters = ({"kind": "vacation"}, {"year": "abc"})

    def make_row(self, owner):
        calendar = _calendar()
        return services.add_day(
            calendar, date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", by=None
        )

    def create_payload(self, env):
        return {
            "calendar": env.row_a.calendar_id,
            "date": "2027-02-06",
            "kind": "holiday",
            "name": "春节",
        }

    def test_duplicate_date_and_hidden_calendar(self, api_env):
        client = client_for(api_env.writer)
        payload = {"calendar": api_env.row_a.calendar_id, "date": "2027-01-01", "kind": "holiday"}
        assert_error(
            client.post(self.list_url(), payload, format="json"),
            400,
            "validation",
            fields=("date",),
        )
        payload = {**payload, "calendar": 987654321}
        assert_error(
            client.post(self.list_url(), payload, format="json"),
            400,
            "validation",
            fields=("calendar",),
        )
        payload = {**payload, "calendar": api_env.row_a.calendar_id, "date": "0001-01-01"}
        assert_error(
            client.post(self.list_url(), payload, format="json"),
            400,
            "validation",
            fields=("date",),
        )


@pytest.fixture
def slm(provider):
    from itsm.core.testing.factories import UserFactory

    return UserFactory(username="slm", organisation=provider, roles=(Role.SERVICE_LEVEL_MANAGER,))


def _url(name, calendar):
    return reverse(f"api:calendars-api:businesscalendar-{name}", args=[calendar.pk])


def test_compute_returns_due_and_unconfirmed_years(china_5x8, agent):
    response = client_for(agent).post(
        _url("compute", china_5x8),
        {"start": "2026-12-31T17:30:00+08:00", "duration": "01:00:00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "start": "2026-12-31T17:30:00+08:00",
        "duration": "01:00:00",
        "due": "2027-01-01T09:30:00+08:00",
        "unconfirmed_years": [2027],
    }
    response = client_for(agent).post(
        _url("compute", china_5x8),
        {"start": "2026-02-13T17:00:00+08:00", "duration": "02:00:00"},
        format="json",
    )
    assert response.json()["due"] == "2026-02-14T10:00:00+08:00"
    assert response.json()["unconfirmed_years"] == []


def test_compute_errors_are_400_with_fields(china_5x8, agent):
    client = client_for(agent)
    url = _url("compute", china_5x8)
    body = assert_error(
        client.post(url, {}, format="json"), 400, "validation", fields=("start", "duration")
    )
    assert set(body["fields"]) == {"start", "duration"}
    assert_error(
        client.post(url, {"start": "yesterday", "duration": "-01:00:00"}, format="json"),
        400,
        "validation",
        fields=("start", "duration"),
    )
    assert_error(
        client.post(url, {"start": "0001-01-01T00:00:00Z", "duration": "01:00:00"}, format="json"),
        400,
        "validation",
        fields=("start",),
    )
    assert_error(
        client.post(
            url, {"start": "2026-01-01T00:00:00Z", "duration": "99999 00:00:00"}, format="json"
        ),
        400,
        "validation",
        fields=("duration",),
    )


def test_compute_on_calendar_without_hours_is_422(db, agent):
    empty = services.create_calendar(by=None, code="empty", name="Empty")
    response = client_for(agent).post(
        _url("compute", empty),
        {"start": "2026-01-01T09:00:00+08:00", "duration": "01:00:00"},
        format="json",
    )
    assert_error(response, 422, "no_working_time")


def test_compute_on_foreign_or_missing_calendar_is_404(china_5x8, customer_user, agent):
    payload = {"start": "2026-01-01T09:00:00+08:00", "duration": "01:00:00"}
    assert_error(
        client_for(customer_user).post(_url("compute", china_5x8), payload, format="json"),
        404,
        "not_found",
    )
    missing = reverse("api:calendars-api:businesscalendar-compute", args=[987654])
    assert_error(client_for(agent).post(missing, payload, format="json"), 404, "not_found")


def test_import_upload_and_errors(china_5x8, slm, agent):
    url = _url("import-year", china_5x8)
    good = SimpleUploadedFile(
        "2027.csv",
        "2027-02-06,holiday,春节\n2027-02-20,workday,春节\n".encode(),
        content_type="text/csv",
    )
    response = client_for(slm).post(url, {"year": 2027, "file": good}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"year": 2027, "rows": 2}
    bad = SimpleUploadedFile(
        "2027.csv", b"date,kind,name\n2027-02-06,holiday,x\nnope,??,y\n", content_type="text/csv"
    )
    body = assert_error(
        client_for(slm).post(url, {"year": 2027, "file": bad}, format="multipart"),
        400,
        "validation",
        fields=("rows.3",),
    )
    assert len(body["fields"]["rows.3"]) == 2
    assert CalendarDay.objects.filter(calendar=china_5x8, date__year=2027).count() == 2
    assert_error(
        client_for(slm).post(url, {"year": "x"}, format="multipart"),
        400,
        "validation",
        fields=("year", "file"),
    )
    assert_error(
        client_for(slm).post(url, {"year": 2027, "file": "x"}, format="json"),
        415,
        "unsupported_media_type",
    )
    assert_error(
        client_for(agent).post(url, {"year": 2027}, format="multipart"), 403, "permission_denied"
    )


def test_seed_and_confirm_actions(db, slm, customer_user):
    calendar = services.create_calendar(by=None, code="cn", name="CN", holiday_region="CN")
    client = client_for(slm)
    response = client.post(_url("seed", calendar), {"years": [2026]}, format="json")
    assert response.json() == {"years": [2026]}
    assert_error(
        client.post(_url("seed", calendar), {"years": [2027]}, format="json"),
        400,
        "validation",
        fields=("years",),
    )
    assert_error(
        client.post(_url("seed", calendar), {"years": "2027"}, format="json"),
        400,
        "validation",
        fields=("years",),
    )
    # a year without rows cannot be confirmed (issue 8, item 3)
    assert_error(
        client.post(_url("confirm-year", calendar), {"year": 2027}, format="json"),
        400,
        "year_without_rows",
        fields=("year",),
    )
    services.add_day(calendar, date=date(2027, 10, 1), kind=DayKind.HOLIDAY, name="x", by=None)
    response = client.post(_url("confirm-year", calendar), {"year": 2027}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["year"], response.json()["confirmed"], response.json()["status"]) == (
        2027,
        True,
        "confirmed",
    )
    row = CalendarYear.objects.get(calendar=calendar, year=2026)
    years_url = reverse("api:calendars-api:calendaryear-list")
    listed = client.get(years_url, {"calendar": calendar.pk}).json()["results"]
    assert {(r["year"], r["status"]) for r in listed} == {
        (2026, "provisional"),
        (2027, "confirmed"),
    }
    confirm = reverse("api:calendars-api:calendaryear-confirm", args=[row.pk])
    assert client.post(confirm).json()["status"] == "confirmed"
    assert_error(client_for(customer_user).post(confirm), 404, "not_found")
    assert_error(
        client.post(years_url, {"calendar": calendar.pk, "year": 2030}, format="json"),
        405,
        "method_not_allowed",
    )


def test_customer_users_cannot_see_or_edit_calendars(china_5x8, customer_user):
    client = client_for(customer_user)
    assert client.get(reverse("api:calendars-api:businesscalendar-list")).json()["results"] == []
    assert_error(
        client.post(
            reverse("api:calendars-api:businesscalendar-list"),
            {"code": "c", "name": "C"},
            format="json",
        ),
        403,
        "permission_denied",
    )
    # detail routes of rows a customer cannot see answer 404, whatever the method
    for name in ("confirm-year", "seed", "import-year", "compute"):
        assert_error(
            client.post(_url(name, china_5x8), {"year": 2027}, format="json"), 404, "not_found"
        )
    assert not CalendarYear.objects.filter(calendar=china_5x8, year=2027).exists()


def test_create_with_bad_intervals_names_the_fields(db, slm):
    response = client_for(slm).post(
        reverse("api:calendars-api:businesscalendar-list"),
        {
            "code": "x",
            "name": "X",
            "time_zone": "Nowhere/Land",
            "intervals": [{"weekday": 0, "start": "09:00", "end": "08:00"}],
        },
        format="json",
    )
    assert_error(response, 400, "validation", fields=("time_zone",))
    response = client_for(slm).post(
        reverse("api:calendars-api:businesscalendar-list"),
        {
            "code": "x",
            "name": "X",
            "intervals": [
                {"weekday": 0, "start": "09:00", "end": "10:00"},
                {"weekday": 8, "start": "25:00", "end": "08:00"},
            ],
        },
        format="json",
    )
    assert_error(response, 400, "validation", fields=("intervals.1.weekday", "intervals.1.start"))
    response = client_for(slm).post(
        reverse("api:calendars-api:businesscalendar-list"),
        {
            "code": "x",
            "name": "X",
            "intervals": [
                {"weekday": 0, "start": "09:00", "end": "08:00"},
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"},
            ],
        },
        format="json",
    )
    body = assert_error(
        response, 400, "validation", fields=("intervals.0.end", "intervals.2.start")
    )
    assert set(body["fields"]) == {"intervals.0.end", "intervals.2.start"}
    assert not BusinessCalendar.objects.exists()
