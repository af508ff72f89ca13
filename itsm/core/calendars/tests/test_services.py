"""Services: validation, import all-or-nothing, seeding, confirmation, recomputers, alerts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from itsm.core.calendars import selectors, services
from itsm.core.calendars.businesstime import business_time_between, compute_deadline
from itsm.core.calendars.choices import DayKind, YearSource, YearStatus
from itsm.core.calendars.models import CalendarDay, CalendarYear
from itsm.core.errors import ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.stored_text import shown

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def recomputed():
    calls = []

    def recompute(calendar, years):
        calls.append((calendar.code, years))

    services.register_deadline_recomputer(recompute)
    yield calls
    services.unregister_deadline_recomputer(recompute)


def test_unknown_time_zone_and_bad_region_are_field_errors(db):
    with pytest.raises(ValidationFailed) as err:
        services.create_calendar(
            by=None, code="x", name="X", time_zone="Mars/Olympus", holiday_region="China"
        )
    assert set(err.value.fields) == {"time_zone", "holiday_region"}
    assert "Mars/Olympus" in err.value.fields["time_zone"][0]


def test_intervals_must_end_after_start_and_not_overlap(db):
    calendar = services.create_calendar(by=None, code="x", name="X")
    with pytest.raises(ValidationFailed) as err:
        services.set_weekly_intervals(
            calendar,
            by=None,
            intervals=[
                {"weekday": 0, "start": "09:00", "end": "12:00"},
                {"weekday": 0, "start": "11:00", "end": "13:00"},
                {"weekday": 1, "start": "18:00", "end": "09:00"},
                {"weekday": 2, "start": "9am", "end": "10:00"},
                {"weekday": 9, "start": "09:00", "end": "10:00"},
            ],
        )
    assert set(err.value.fields) == {
        "intervals.1.start",
        "intervals.2.end",
        "intervals.3.start",
        "intervals.4.weekday",
    }
    with pytest.raises(ValidationFailed) as err:
        services.set_weekly_intervals(
            calendar,
            by=None,
            intervals=[
                {"weekday": 0, "start": "09:00", "end": "12:00"},
                {"weekday": 0, "start": "11:00", "end": "13:00"},
            ],
        )
    assert err.value.fields == {
        "intervals.1.start": ["Overlaps another interval of the same weekday."]
    }
    # adjacent intervals and a midnight end are fine; nothing was written by the failures
    assert calendar.intervals.count() == 0
    rows = services.set_weekly_intervals(
        calendar,
        by=None,
        intervals=[
            {"weekday": 0, "start": "09:00", "end": "12:00"},
            {"weekday": 0, "start": "12:00", "end": "00:00"},
        ],
    )
    assert len(rows) == 2


CSV_2027 = "date,kind,name\n2027-02-06,holiday,春节\n2027-02-07,休,春节\n2027-02-20,workday,春节\n"


def test_import_replaces_the_year_and_calls_recomputers(china_5x8, admin_user, recomputed):
    services.add_day(china_5x8, date=date(2027, 5, 1), kind=DayKind.HOLIDAY, by=admin_user)
    recomputed.clear()
    rows = services.import_year(china_5x8, 2027, CSV_2027.encode("utf-8-sig"), by=admin_user)
    assert [(r.date, r.kind, r.name) for r in rows] == [
        (date(2027, 2, 6), "holiday", "春节"),
        (date(2027, 2, 7), "holiday", "春节"),
        (date(2027, 2, 20), "workday", "春节"),
    ]
    assert list(
        CalendarDay.objects.filter(calendar=china_5x8, date__year=2027).values_list(
            "date", flat=True
        )
    ) == [date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 20)]
    year = CalendarYear.objects.get(calendar=china_5x8, year=2027)
    assert (year.source, year.confirmed) == (YearSource.IMPORTED, False)
    assert recomputed == [("cn-5x8", (2027,))]
    # the engine sees the import at once
    start = datetime(2027, 2, 5, 17, tzinfo=TZ)
    assert compute_deadline(start, timedelta(hours=2), china_5x8).due == datetime(
        2027, 2, 8, 10, tzinfo=TZ
    )


def test_import_is_all_or_nothing_with_line_numbers(china_5x8, admin_user, recomputed):
    content = (
        "date,kind,name\n"
        "2027-02-06,holiday,春节\n"
        "2027-02-30,holiday,bad date\n"
        "2026-12-31,holiday,wrong year\n"
        "\n"
        "2027-03-01,vacation,unknown kind\n"
        "2027-02-06,workday,duplicate\n"
    )
    with pytest.raises(ValidationFailed) as err:
        services.import_year(china_5x8, 2027, content, by=admin_user)
    assert err.value.fields == {
        "rows.3": ["“2027-02-30” is not a date (YYYY-MM-DD)."],
        "rows.4": ["2026-12-31 is not in 2027."],
        "rows.6": ["Unknown kind “vacation” (use holiday or workday)."],
        "rows.7": ["2027-02-06 is already on line 2."],
    }
    assert not CalendarDay.objects.filter(calendar=china_5x8, date__year=2027).exists()
    assert not CalendarYear.objects.filter(calendar=china_5x8, year=2027).exists()
    assert recomputed == []


def test_import_of_rows_and_empty_or_binary_files(china_5x8, admin_user):
    rows = services.import_year(
        china_5x8,
        2027,
        [
            {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"},
            ("2027-10-09", "班", "国庆节"),
        ],
        by=admin_user,
    )
    assert [(r.date, r.kind) for r in rows] == [
        (date(2027, 10, 1), "holiday"),
        (date(2027, 10, 9), "workday"),
    ]
    with pytest.raises(ValidationFailed) as err:
        services.import_year(china_5x8, 2027, b"date,kind,name\n", by=admin_user)
    assert err.value.fields == {"file": ["The file contains no rows."]}
    with pytest.raises(ValidationFailed) as err:
        services.import_year(china_5x8, 2027, b"\xff\xfe\x00bad", by=admin_user)
    assert err.value.fields == {"file": ["The file is not a text file."]}
    with pytest.raises(ValidationFailed) as err:
        services.import_year(china_5x8, 2027, b"date,kind\n2027-10-01,\xb9\xfa\n", by=admin_user)
    assert err.value.fields == {"file": ["The file is not UTF-8 text."]}
    with pytest.raises(ValidationFailed) as err:
        services.import_year(china_5x8, "twenty", b"", by=admin_user)
    assert list(err.value.fields) == ["year"]


def test_seed_knows_2026_but_not_2027(db, admin_user):
    calendar = services.create_calendar(by=admin_user, code="cn", name="CN", holiday_region="cn")
    assert calendar.holiday_region == "CN"
    assert services.seed_from_chinese_calendar(calendar, [2026], by=admin_user) == [2026]
    assert (
        CalendarDay.objects.filter(calendar=calendar, date=date(2026, 2, 14)).get().kind
        == DayKind.WORKDAY
    )
    assert (
        CalendarDay.objects.filter(calendar=calendar, date=date(2026, 2, 17)).get().name == "春节"
    )
    assert CalendarDay.objects.filter(calendar=calendar, date__year=2026).count() == 39
    with pytest.raises(ValidationFailed) as err:
        services.seed_from_chinese_calendar(calendar, [2027], by=admin_user)
    assert "2027" in err.value.fields["years"][0]
    # years=None loads every year the package knows and the calendar lacks
    seeded = services.seed_from_chinese_calendar(calendar, by=admin_user)
    assert seeded[0] == 2004 and seeded[-1] == 2025 and 2026 not in seeded
    assert services.seed_from_chinese_calendar(calendar, by=admin_user) == []


def test_seed_refuses_a_calendar_without_region_cn(all_day):
    with pytest.raises(ValidationFailed) as err:
        services.seed_from_chinese_calendar(all_day, [2026])
    assert list(err.value.fields) == ["holiday_region"]


def test_confirming_a_year_without_rows_is_refused(china_5x8, admin_user, recomputed):
    """Confirming an empty year would switch off the "unconfirmed" flag of deadlines computed
    on weekly hours only (issue 8, item 3): refused with a field error, nothing written."""
    with pytest.raises(ValidationFailed) as err:
        services.confirm_year(china_5x8, 2027, by=admin_user)
    assert err.value.code == "year_without_rows"
    assert list(err.value.fields) == ["year"]
    assert "2027 has no holidays or adjusted working days yet" in err.value.fields["year"][0]
    assert not CalendarYear.objects.filter(calendar=china_5x8, year=2027).exists()
    assert recomputed == []


def test_confirm_year_marks_it_and_calls_recomputers(china_5x8, admin_user, recomputed):
    assert selectors.unconfirmed_years(china_5x8, [2025, 2026, 2027, 2028]) == [2027, 2028]
    services.add_day(china_5x8, date=date(2027, 10, 1), kind="holiday", name="国庆", by=None)
    recomputed.clear()
    row = services.confirm_year(china_5x8, 2027, by=admin_user)
    assert (row.confirmed, row.confirmed_by, row.source) == (True, admin_user, YearSource.MANUAL)
    assert recomputed == [("cn-5x8", (2027,))]
    assert selectors.unconfirmed_years(china_5x8, [2025, 2026, 2027, 2028]) == [2028]
    assert selectors.year_statuses(china_5x8, [2026, 2027, 2028]) == {
        2026: YearStatus.PROVISIONAL,
        2027: YearStatus.CONFIRMED,
        2028: YearStatus.UNCONFIRMED,
    }
    start = datetime(2027, 1, 4, 9, tzinfo=TZ)
    assert compute_deadline(start, timedelta(hours=1), china_5x8).unconfirmed_years == ()
    # new rows make a confirmed year provisional again
    services.add_day(china_5x8, date=date(2027, 1, 1), kind=DayKind.HOLIDAY, by=admin_user)
    assert CalendarYear.objects.get(calendar=china_5x8, year=2027).confirmed is False
    verbs = list(
        TimelineEntry.objects.filter(object_id=str(china_5x8.pk)).values_list("verb", flat=True)
    )
    assert verbs[-2:] == ["year_confirmed", "day_added"]


def test_add_day_refuses_duplicates(china_5x8, admin_user, recomputed):
    with pytest.raises(ValidationFailed) as err:
        services.add_day(china_5x8, date=date(2026, 2, 17), kind=DayKind.HOLIDAY, by=admin_user)
    assert list(err.value.fields) == ["date"]
    with pytest.raises(ValidationFailed) as err:
        services.add_day(china_5x8, date=date(2027, 2, 17), kind="bogus", by=admin_user)
    assert list(err.value.fields) == ["kind"]
    assert recomputed == []


def test_remove_day_and_interval_change_call_recomputers(china_5x8, admin_user, recomputed):
    day = CalendarDay.objects.get(calendar=china_5x8, date=date(2026, 10, 10))
    services.remove_day(day, by=admin_user)
    services.set_weekly_intervals(
        china_5x8, intervals=[{"weekday": 0, "start": "09:00", "end": "17:00"}], by=admin_user
    )
    this_year = datetime.now(TZ).year
    assert recomputed == [("cn-5x8", (2026,)), ("cn-5x8", (this_year, this_year + 1))]


def test_update_calendar_validates_and_bumps_version(china_5x8, admin_user):
    calendar = services.update_calendar(china_5x8, by=admin_user, expected_version=1, name="China")
    assert (calendar.name, calendar.version) == ("China", 2)
    with pytest.raises(ValidationFailed) as err:
        services.update_calendar(
            calendar, by=admin_user, expected_version=2, time_zone="Nowhere/Land"
        )
    assert list(err.value.fields) == ["time_zone"]


def test_computing_an_unconfirmed_deadline_has_no_side_effects(china_5x8, admin_user):
    from itsm.core.outbox.models import OutboxMessage

    start = datetime(2027, 3, 1, 9, tzinfo=TZ)
    assert compute_deadline(start, timedelta(hours=1), china_5x8).unconfirmed_years == (2027,)
    assert business_time_between(start, start + timedelta(days=1), china_5x8)
    assert not OutboxMessage.objects.exists()  # whoever stores the deadline alerts


def test_alert_about_an_unconfirmed_year_goes_once_per_calendar_and_year(
    china_5x8, all_day, admin_user
):
    from itsm.core.outbox.models import OutboxMessage

    assert services.alert_unconfirmed_year(china_5x8, 2027) == 1
    assert services.alert_unconfirmed_year(china_5x8, 2027) == 0
    assert services.alert_unconfirmed_year(china_5x8, 2028) == 1
    assert services.alert_unconfirmed_year(all_day, 2027) == 1
    messages = list(OutboxMessage.objects.order_by("id"))
    assert [m.target for m in messages] == [admin_user.email] * 3
    assert "2027" in messages[0].payload["subject"]


def test_periodic_job_checks_this_and_next_year(china_5x8, all_day, admin_user):
    from itsm.core.calendars import tasks
    from itsm.core.outbox.jobs import registry
    from itsm.core.outbox.models import OutboxMessage

    assert registry["calendars.unconfirmed_years"].fn is tasks.alert_unconfirmed_years
    now = datetime(2026, 6, 1, 12, tzinfo=TZ)
    with translation.override("en"):
        assert shown(tasks.alert_unconfirmed_years(now)) == "Unconfirmed: cn-5x8 2027"
        assert shown(tasks.alert_unconfirmed_years(now)) == "Unconfirmed: cn-5x8 2027"
    assert OutboxMessage.objects.count() == 1
    services.add_day(china_5x8, date=date(2027, 10, 1), kind="holiday", name="国庆", by=None)
    services.confirm_year(china_5x8, 2027, by=admin_user)
    with translation.override("en"):
        assert shown(tasks.alert_unconfirmed_years(now)) == "All calendar years confirmed"
    found = selectors.unconfirmed_calendar_years(date(2027, 1, 1))
    assert [(item.calendar.code, item.year) for item in found] == [("cn-5x8", 2028)]
    assert str(found[0]) == "China 5×8 2028"


def test_recomputer_registration_is_idempotent():
    def fn(calendar, years):
        return None

    services.register_deadline_recomputer(fn)
    services.register_deadline_recomputer(fn)
    assert services._RECOMPUTERS.count(fn) == 1
    services.unregister_deadline_recomputer(fn)
    assert fn not in services._RECOMPUTERS


def test_intervals_accept_time_objects(db):
    calendar = services.create_calendar(
        by=None, code="t", name="T", intervals=[{"weekday": 5, "start": time(10), "end": time(12)}]
    )
    assert [str(i) for i in calendar.intervals.all()] == ["Saturday 10:00–12:00"]
