"""Pages of business calendars: list, detail banners, forms calling the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear


@pytest.fixture
def browser():
    def make(user):
        # pages follow the user's language (zh-Hans by default); assert English texts
        type(user).objects.filter(pk=user.pk).update(language="en")
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


def test_list_and_detail_show_unconfirmed_years(china_5x8, agent, browser):
    client = browser(agent)
    page = client.get(reverse("calendars:list"))
    assert page.status_code == 200
    assert b"China 5\xc3\x97" in page.content
    detail = client.get(reverse("calendars:detail", args=[china_5x8.pk]), {"year": 2027})
    assert detail.status_code == 200
    assert b'data-testid="unconfirmed-banner"' in detail.content
    assert b'data-year-status="provisional"' in detail.content  # 2026: seeded, not confirmed
    assert b'data-testid="confirm-year"' not in detail.content  # agents may not change it
    spring = client.get(reverse("calendars:detail", args=[china_5x8.pk]), {"year": 2026})
    assert "春节".encode() in spring.content
    computed = client.get(
        reverse("calendars:detail", args=[china_5x8.pk]),
        {"year": 2026, "start": "2026-12-31T17:30", "hours": "1"},
    )
    assert b'data-testid="deadline"' in computed.content
    assert b"2027" in computed.content


def test_customer_sees_no_calendar(china_5x8, customer_user, browser):
    # calendars are provider-internal: 403 on every calendar page, not an empty list (issue 8 #2)
    client = browser(customer_user)
    assert client.get(reverse("calendars:list")).status_code == 403
    assert client.get(reverse("calendars:detail", args=[china_5x8.pk])).status_code == 403
    response = client.post(reverse("calendars:confirm", args=[china_5x8.pk]), {"year": 2027})
    assert response.status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_agent_cannot_post_forms(china_5x8, agent, browser):
    client = browser(agent)
    response = client.post(
        reverse("calendars:day_add", args=[china_5x8.pk]), {"date": "2027-01-01", "kind": "holiday"}
    )
    assert response.status_code == 403
    assert client.get(reverse("calendars:create")).status_code == 403


def test_admin_adds_day_confirms_and_seeds(china_5x8, admin_user, browser):
    client = browser(admin_user)
    detail = client.get(reverse("calendars:detail", args=[china_5x8.pk]))
    assert b'data-testid="confirm-year"' in detail.content
    client.post(
        reverse("calendars:day_add", args=[china_5x8.pk]),
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    )
    assert CalendarDay.objects.filter(calendar=china_5x8, date=date(2027, 1, 1)).exists()
    response = client.post(
        reverse("calendars:day_add", args=[china_5x8.pk]),
        {"date": "2027-01-01", "kind": "holiday"},
        follow=True,
    )
    assert b"already has a row" in response.content
    confirm = reverse("calendars:confirm", args=[china_5x8.pk])
    client.post(confirm, {"year": 2027, "confirmed": "yes"})
    assert CalendarYear.objects.get(calendar=china_5x8, year=2027).confirmed
    response = client.post(
        reverse("calendars:seed", args=[china_5x8.pk]), {"years": "2027"}, follow=True
    )
    assert b"no data for 2027" in response.content
    day = CalendarDay.objects.get(calendar=china_5x8, date=date(2027, 1, 1))
    client.post(reverse("calendars:day_remove", args=[china_5x8.pk, day.pk]), {"confirmed": "yes"})
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_an_empty_year_offers_no_confirm_and_is_refused(china_5x8, admin_user, browser):
    """A year without holidays or adjusted working days cannot be confirmed (item 3): the
    button is offered only for a year with rows, and a hand-made POST gets the field error."""
    client = browser(admin_user)
    detail = client.get(reverse("calendars:detail", args=[china_5x8.pk]), {"year": 2027})
    body = detail.content.decode()
    rows = body.split('data-testid="year-table"')[1].split("</table>")[0].split("<tr")
    year_2026 = next(row for row in rows if ">2026<" in row)
    year_2027 = next(row for row in rows if ">2027<" in row)
    assert 'data-testid="confirm-year"' in year_2026  # seeded rows: may be confirmed
    assert 'data-testid="confirm-year"' not in year_2027  # no rows: nothing to confirm
    response = client.post(
        reverse("calendars:confirm", args=[china_5x8.pk]),
        {"year": 2027, "confirmed": "yes"},
        follow=True,
    )
    assert "2027 has no holidays or adjusted working days yet" in response.content.decode()
    assert not CalendarYear.objects.filter(calendar=china_5x8, year=2027, confirmed=True).exists()


def test_import_page_lists_line_errors_and_imports(china_5x8, admin_user, browser):
    client = browser(admin_user)
    url = reverse("calendars:import", args=[china_5x8.pk])
    assert client.get(url, {"year": 2027}).status_code == 200
    bad = SimpleUploadedFile("x.csv", b"2027-02-06,holiday,a\n2027-13-01,holiday,b\n")
    response = client.post(url, {"year": 2027, "file": bad})
    assert response.status_code == 200
    assert b'data-testid="import-errors"' in response.content
    assert b"Line 2" in response.content
    assert not CalendarDay.objects.filter(calendar=china_5x8, date__year=2027).exists()
    good = SimpleUploadedFile("x.csv", b"2027-02-06,holiday,a\n")
    response = client.post(url, {"year": 2027, "file": good})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(calendar=china_5x8, date__year=2027).count() == 1


def test_create_and_edit_calendar(db, admin_user, browser):
    client = browser(admin_user)
    response = client.post(
        reverse("calendars:create"),
        {
            "code": "hk",
            "name": "Hong Kong",
            "time_zone": "Asia/Hong_Kong",
            "holiday_region": "",
            "is_active": "on",
            "day_0": "09:00-12:00, 13:00-18:00",
            "day_5": "09:00-13:00",
        },
    )
    calendar = BusinessCalendar.objects.get(code="hk")
    assert response.status_code == 302
    assert [(i.weekday, f"{i.start:%H:%M}-{i.end:%H:%M}") for i in calendar.intervals.all()] == [
        (0, "09:00-12:00"),
        (0, "13:00-18:00"),
        (5, "09:00-13:00"),
    ]
    response = client.post(
        reverse("calendars:edit", args=[calendar.pk]),
        {
            "code": "hk",
            "name": "HK",
            "time_zone": "Asia/Hong_Kong",
            "holiday_region": "",
            "is_active": "on",
            "day_0": "09:00-12:00, 11:00-13:00",
            "version": calendar.version,
        },
    )
    assert response.status_code == 200
    assert b"Overlaps" in response.content
    response = client.post(
        reverse("calendars:edit", args=[calendar.pk]),
        {
            "code": "hk",
            "name": "HK",
            "time_zone": "Asia/Hong_Kong",
            "holiday_region": "",
            "is_active": "on",
            "day_0": "9:00-24:00",
            "version": calendar.version,
        },
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.name == "HK"
    assert calendar.intervals.count() == 1
    response = client.post(
        reverse("calendars:create"),
        {"code": "bad", "name": "Bad", "time_zone": "Nowhere", "day_1": "nine to five"},
    )
    assert response.status_code == 200
    assert not BusinessCalendar.objects.filter(code="bad").exists()
