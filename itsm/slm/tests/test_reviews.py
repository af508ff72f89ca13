"""Review schedule of seed 003 §5.2 (dates, holiday postponement, idempotency), meetings and
action items."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from itsm.core.errors import ValidationFailed
from itsm.core.stored_text import shown
from itsm.slm import tasks
from itsm.slm.choices import ActionStatus, ReviewKind, ReviewStatus
from itsm.slm.models import ReviewMeeting
from itsm.slm.services import reviews
from itsm.slm.tests.factories import calendar_cn, make_signed_sla, slm_manager

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-manager")


def test_due_dates_2026_with_holiday_postponement(db):
    calendar = calendar_cn()
    monthly = reviews.review_due_dates(ReviewKind.MONTHLY_INTERNAL, 2026, calendar)
    assert monthly == [
        D(2026, 1, 12),  # 10 Jan is a Saturday → Monday
        D(2026, 2, 10),  # a Tuesday before the Spring Festival (15–23 Feb)
        D(2026, 3, 10),
        D(2026, 4, 10),
        D(2026, 5, 11),  # 10 May is a Sunday
        D(2026, 6, 10),
        D(2026, 7, 10),
        D(2026, 8, 10),
        D(2026, 9, 10),
        D(2026, 10, 10),  # a Saturday, but an adjusted working day (调休) after National Day
        D(2026, 11, 10),
        D(2026, 12, 10),
    ]
    assert reviews.review_due_dates(ReviewKind.HALF_YEARLY_CUSTOMER, 2026, calendar) == [
        D(2026, 1, 15),
        D(2026, 7, 15),
    ]
    assert reviews.review_due_dates(ReviewKind.ANNUAL, 2026, calendar) == [D(2026, 1, 20)]
    # National Day: 1–7 Oct 2026 are holidays (chinese-calendar); the next working day is 8 Oct
    assert reviews.next_working_day(D(2026, 10, 1), calendar) == D(2026, 10, 8)
    # Spring Festival: 16 Feb 2026 (a Monday) is a holiday until 23 Feb
    assert reviews.next_working_day(D(2026, 2, 16), calendar) == D(2026, 2, 24)


def test_generate_schedule_for_an_sla_is_idempotent(manager, customer_a):
    calendar_cn()
    sla = make_signed_sla(customer_a, by=manager)  # 7×24 hours: postponed by the China calendar
    with translation.override("zh-hans"):  # the worker's language (texts are stored in it)
        created = reviews.generate_review_schedule(sla, year=2026, by=manager)
    assert len(created) == 12 + 2 + 1
    assert reviews.generate_review_schedule(sla, year=2026, by=manager) == []
    meetings = ReviewMeeting.objects.filter(agreement=sla)
    assert meetings.count() == 15
    internal = meetings.filter(kind=ReviewKind.MONTHLY_INTERNAL)
    assert internal.filter(customer__isnull=True).count() == 12
    assert internal.get(due_date__month=1).due_date == D(2026, 1, 12)
    half = meetings.filter(kind=ReviewKind.HALF_YEARLY_CUSTOMER).order_by("due_date")
    assert [m.due_date for m in half] == [D(2026, 1, 15), D(2026, 7, 15)]
    assert {m.customer_id for m in half} == {customer_a.pk}
    annual = meetings.get(kind=ReviewKind.ANNUAL)
    assert annual.due_date == D(2026, 1, 20)
    assert "服务级别协议/支持合同年度回顾" in annual.agenda
    # nothing for 2027: the SLA is valid until 31 Dec 2026
    assert reviews.generate_review_schedule(sla, year=2027) == []


def test_periodic_job_plans_current_and_next_year(manager, customer_a):
    calendar_cn()
    sla = make_signed_sla(customer_a, by=manager)
    message = tasks.plan_reviews(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    with translation.override("en"):
        assert shown(message) == "15 meetings planned"
        assert shown(tasks.plan_reviews(datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC))) == (
            "0 meetings planned"
        )
    assert ReviewMeeting.objects.filter(agreement=sla).count() == 15


def test_draft_agreement_gets_no_meetings(manager, customer_a):
    from itsm.slm.tests.factories import make_sla

    assert reviews.generate_review_schedule(make_sla(customer_a, by=manager), year=2026) == []


def test_meeting_minutes_and_action_items(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    meeting = reviews.generate_review_schedule(sla, year=2026)[0]
    with pytest.raises(ValidationFailed) as exc:
        reviews.record_meeting(meeting, by=manager, held_on=D(2026, 1, 12), minutes=" ")
    assert set(exc.value.fields) == {"minutes"}
    reviews.record_meeting(
        meeting,
        by=manager,
        held_on=D(2026, 1, 12),
        minutes="All targets met.",
        attendees=[manager],
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == (ReviewStatus.HELD, D(2026, 1, 12))
    assert list(meeting.attendees.all()) == [manager]
    item = reviews.add_action_item(
        meeting=meeting,
        description="Tune alerts",
        owner=manager,
        due_date=D(2026, 2, 1),
        by=manager,
    )
    assert item.status == ActionStatus.OPEN
    reviews.update_action_item(item, by=manager, status=ActionStatus.DONE)
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.completed_at is not None
    reviews.update_action_item(item, by=manager, status=ActionStatus.OPEN)
    item.refresh_from_db()
    assert item.completed_at is None
    with pytest.raises(ValidationFailed) as exc:
        reviews.update_action_item(item, by=manager, status="bogus")
    assert set(exc.value.fields) == {"status"}


def test_generated_titles_and_agendas_are_shown_in_the_readers_language(manager, customer_a):
    """Issue 8 item 6: the schedule stores its text in the language it ran in (zh-Hans for
    the worker); an English reader sees it in English, an edited title as typed."""
    calendar_cn()
    sla = make_signed_sla(customer_a, by=manager)
    with translation.override("zh-hans"):
        reviews.generate_review_schedule(sla, year=2026, by=manager)
    annual = ReviewMeeting.objects.get(agreement=sla, kind=ReviewKind.ANNUAL)
    monthly = ReviewMeeting.objects.get(
        agreement=sla, kind=ReviewKind.MONTHLY_INTERNAL, due_date__month=3
    )
    with translation.override("en"):
        assert annual.shown_title == f"Annual agreement review 2026 {sla.number}"
        assert monthly.shown_title == f"Contract execution review 2026-03 {sla.number}"
        assert str(monthly) == monthly.shown_title
        assert annual.shown_agenda.startswith("Annual SLA/UC review\n")
    with translation.override("zh-hans"):
        assert annual.shown_title == annual.title  # stored in Chinese
        assert annual.shown_agenda == annual.agenda
    reviews.update_review(monthly, by=manager, title="March review with the bank", agenda="")
    monthly.refresh_from_db()
    with translation.override("zh-hans"):
        assert (monthly.shown_title, monthly.shown_agenda) == ("March review with the bank", "")
