"""The change calendar (R-CHG-04): month and week views of scheduled and implementing changes
in the user's time zone, maintenance windows shaded and blackout windows marked, navigation,
the CI / service filter, tenancy."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.change.services import changes, config, meetings
from itsm.change.tests.factories import at, ci, make_change, make_template

pytestmark = pytest.mark.django_db


def scheduled(requester, manager, *, cis, start, hours=2, title="Patch"):
    change = make_change(
        requester,
        kind="standard",
        template=make_template(manager),
        cis=cis,
        start=start,
        hours=hours,
        title=title,
    )
    return changes.schedule_standard(change, by=requester)


def days_of(response) -> dict[str, dict]:
    """Each shown day: its changes' labels and its window kinds."""
    shown = {}
    for week in response.context["weeks"]:
        for day in week:
            shown[day.date.isoformat()] = {
                "changes": [entry.label for entry in day.changes],
                "windows": sorted({entry.kind for entry in day.windows}),
            }
    return shown


def test_month_view_places_changes_and_windows(requester, manager, browse):
    host = ci("db-01", "server")
    patch = scheduled(requester, manager, cis=[host], start=at(10, 22), title="DB patch")
    draft = make_change(requester, cis=[host], start=at(11, 22), title="Draft only")
    config.create_window(
        by=manager,
        kind="maintenance",
        name="Sunday nights",
        ci=host,
        weekdays=[6],
        start_time=time(1),
        end_time=time(5),
    )
    config.create_window(
        by=manager, kind="blackout", name="Freeze", starts_at=at(20, 0), ends_at=at(22, 0)
    )
    client = browse(manager)
    response = client.get(reverse("change:calendar"), {"date": "2031-03-15"})
    assert response.status_code == 200
    shown = days_of(response)
    # March 2031 starts on a Saturday: the grid starts on Monday 24 February
    assert min(shown) == "2031-02-24" and max(shown) == "2031-04-06"
    assert shown["2031-03-10"]["changes"] == [f"{patch.number} DB patch"]
    assert shown["2031-03-11"]["changes"] == []  # the 22:00–24:00 change ends at midnight
    assert draft.number not in str(shown)  # only scheduled and implementing changes
    assert shown["2031-03-16"]["windows"] == ["maintenance"]  # a Sunday
    assert shown["2031-03-17"]["windows"] == []
    assert shown["2031-03-20"]["windows"] == ["blackout"]
    assert shown["2031-03-21"]["windows"] == ["blackout"]
    assert shown["2031-03-22"]["windows"] == []
    page = response.content.decode()
    assert reverse("change:change_detail", args=[patch.pk]) in page
    assert 'data-date="2031-03-20" data-blackout="yes"' in page


def test_changes_are_shown_in_the_users_time_zone(requester, manager, browse):
    host = ci("web-01", "server")
    # 22:00–24:00 on the 10th in Shanghai is 07:00–09:00 the same day in Los Angeles (PDT)
    patch = scheduled(requester, manager, cis=[host], start=at(10, 22))
    type(manager).objects.filter(pk=manager.pk).update(time_zone="America/Los_Angeles")
    response = browse(manager).get(reverse("change:calendar"), {"date": "2031-03-10"})
    shown = days_of(response)
    assert shown["2031-03-10"]["changes"] == [f"{patch.number} {patch.title}"]
    assert response.context["time_zone"] == "America/Los_Angeles"
    assert response.context["weeks"][2][0].changes[0].starts.hour == 14  # UTC
    assert ">07:00 " in response.content.decode()


def test_week_view_and_navigation(requester, manager, browse):
    patch = scheduled(requester, manager, cis=[ci("app-01")], start=at(12, 22))
    client = browse(manager)
    response = client.get(reverse("change:calendar"), {"view": "week", "date": "2031-03-12"})
    shown = days_of(response)
    assert list(shown) == [f"2031-03-{day:02d}" for day in range(10, 17)]
    assert shown["2031-03-12"]["changes"] == [f"{patch.number} {patch.title}"]
    assert response.context["previous_url"] == "?view=week&date=2031-03-05"
    assert response.context["next_url"] == "?view=week&date=2031-03-19"
    month = client.get(reverse("change:calendar"), {"view": "month", "date": "2031-03-12"})
    assert month.context["previous_url"] == "?view=month&date=2031-02-01"
    assert month.context["next_url"] == "?view=month&date=2031-04-01"
    # a date that is no date, or an unknown view, shows this month rather than failing
    response = client.get(reverse("change:calendar"), {"view": "year", "date": "31/02"})
    assert response.status_code == 200 and response.context["view"] == "month"
    for far in ("9999-12-31", "0001-01-01"):
        response = client.get(reverse("change:calendar"), {"date": far})
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()


def test_filter_by_ci_and_service(requester, manager, browse):
    host, other = ci("db-01", "server"), ci("db-02", "server")
    on_host = scheduled(requester, manager, cis=[host], start=at(10, 22), title="On host")
    scheduled(requester, manager, cis=[other], start=at(10, 20), title="On other")
    config.create_window(
        by=manager,
        kind="blackout",
        name="Other freeze",
        ci=other,
        starts_at=at(3, 0),
        ends_at=at(4, 0),
    )
    config.create_window(
        by=manager, kind="blackout", name="Global", starts_at=at(5, 0), ends_at=at(6, 0)
    )
    client = browse(manager)
    response = client.get(reverse("change:calendar"), {"date": "2031-03-10", "ci": host.number})
    shown = days_of(response)
    assert shown["2031-03-10"]["changes"] == [f"{on_host.number} On host"]
    assert shown["2031-03-03"]["windows"] == []  # the other CI's freeze is left out
    assert shown["2031-03-05"]["windows"] == ["blackout"]  # a global one is not
    assert f"ci={host.number}" in response.context["next_url"]
    # an unknown CI is a translated field error, no rows, no 500
    response = client.get(reverse("change:calendar"), {"date": "2031-03-10", "ci": "CI-NOPE"})
    assert response.status_code == 200
    assert "ci" in response.context["form"].errors
    assert all(not day["changes"] for day in days_of(response).values())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_sees_own_changes_without_windows(
    requester, manager, customer_a, customer_user, browse, language
):
    own = scheduled(
        requester, manager, cis=[ci("erp", customer=customer_a)], start=at(10, 22), title="ERP"
    )
    scheduled(requester, manager, cis=[ci("internal")], start=at(10, 20), title="Internal")
    config.create_window(
        by=manager, kind="blackout", name="Freeze", starts_at=at(10, 0), ends_at=at(11, 0)
    )
    response = browse(customer_user, language).get(
        reverse("change:calendar"), {"date": "2031-03-10"}
    )
    assert response.status_code == 200
    shown = days_of(response)
    assert shown["2031-03-10"] == {"changes": [f"{own.number} ERP"], "windows": []}
    assert response.context["shows_windows"] is False
    assert response.context["shows_meetings"] is False


def test_cab_meetings_are_on_the_calendar(manager, requester, browse):
    board = config.create_board(by=manager, code="cab", name="CAB")
    meeting = meetings.create_meeting(
        by=manager, board=board, title="CAB weekly", starts_at=at(12, 10), ends_at=at(12, 11)
    )
    response = browse(requester).get(reverse("change:calendar"), {"date": "2031-03-12"})
    cell = next(d for w in response.context["weeks"] for d in w if d.date.day == 12)
    assert [(m.label, m.url) for m in cell.meetings] == [
        ("CAB weekly", reverse("change:meeting_detail", args=[meeting.pk]))
    ]
