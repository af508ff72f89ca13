"""The SLA reports' database aggregates against a plain-Python count over the same clocks, on
a generated data set of a few thousand clocks with the edge cases (clocks straddling the month
boundaries in local time, running / paused after their breach, cancelled, stopped over their
goal without the breach flag, clocks without a target), and the capped lists: the monthly
page and API list the first breaches and link to the full list (the clock list filtered by
agreement, month and "breached"; the paged breach API), the Excel file holds every breach.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from itsm.core.errors import NotFound
from itsm.slm.clocks.filtersets import ClockFilterSet
from itsm.slm.clocks.models import Clock
from itsm.slm.models import Agreement
from itsm.slm.reporting import selectors as reports
from itsm.slm.tests.factories_reports import (
    local,
    make_agreement,
    make_calendar,
    make_service,
    make_target,
)

MARCH = datetime.date(2026, 3, 1)
START, END = local(2026, 3, 1), local(2026, 4, 1)
METRICS = ("response", "resolution")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _generate(customer_a, customer_b, *, count: int = 1500, seed: int = 10):
    rng = random.Random(seed)
    calendar = make_calendar()
    services = [make_service(), make_service()]
    agreements = [
        make_agreement(customer=customer_a, calendar=calendar),
        make_agreement(customer=customer_a, calendar=calendar),
        make_agreement(customer=customer_b, calendar=calendar),
    ]
    targets = {
        agreement.pk: [
            make_target(agreement, service=service, priority=priority, metric=metric)
            for service in services
            for priority in ("p1", "p2")
            for metric in METRICS
        ]
        for agreement in agreements
    }
    # an agreement's own achievement target (90 %)
    make_target(
        agreements[1],
        metric="other",
        indicator_kind="sla_achievement",
        target_value=Decimal(90),
        unit="percent",
    )
    # instants around the month's edges (local time) and inside February … April
    edges = [START, END, START - datetime.timedelta(seconds=1), END - datetime.timedelta(seconds=1)]
    content_type = ContentType.objects.get_for_model(Agreement)

    def instant():
        if rng.random() < 0.15:
            return rng.choice(edges)
        return local(2026, 2, 20) + datetime.timedelta(minutes=rng.randrange(50 * 1440))

    clocks = []
    for n in range(count):
        # agreement 0 holds most clocks (a few thousand breaches for the Excel file)
        agreement = agreements[0] if n % 4 else rng.choice(agreements)
        target = rng.choice(targets[agreement.pk])
        states = ("stopped", "running", "paused", "cancelled")
        state = rng.choices(states, weights=(70, 12, 10, 8))[0]
        outcome = instant()
        goal = 3600
        elapsed = rng.randrange(0, 7200)
        flagged = rng.random() < (0.6 if elapsed > goal else 0.05)
        clock = Clock(
            content_type=content_type,
            object_id=n + 1,
            record_label=f"GEN-{n:05d}",
            customer_id=agreement.customer_id,
            agreement=agreement,
            target=None if rng.random() < 0.05 else target,  # a target deleted since
            service=target.service,
            metric=target.metric,
            priority=target.priority,
            calendar=calendar,
            goal_seconds=goal,
            state=state,
            started_at=outcome - datetime.timedelta(hours=rng.randrange(1, 72)),
            stopped_at=outcome if state in ("stopped", "cancelled") else None,
            elapsed_seconds=elapsed,
            segment_started_at=outcome if state == "running" else None,
            breached=flagged,
            breached_at=(instant() if state in ("running", "paused") else outcome)
            if flagged
            else None,
            breach_cause="cause" if flagged and n % 3 == 0 else "",
        )
        clocks.append(clock)
    Clock.objects.bulk_create(clocks, batch_size=500)
    return agreements, list(Clock.objects.order_by("id"))


# --- the plain-Python reference ------------------------------------------------------------------


def measured_at(clock):
    if clock.metric not in METRICS:
        return None
    if clock.state == "stopped":
        return clock.stopped_at
    if clock.state in ("running", "paused") and clock.breached:
        return clock.breached_at
    return None


def is_measured(clock, start=START, end=END) -> bool:
    at = measured_at(clock)
    return at is not None and start <= at < end


def is_breached(clock) -> bool:
    return clock.breached or (
        clock.state == "stopped" and clock.elapsed_seconds > clock.goal_seconds
    )


def visible(clocks, user):
    if user.organisation.kind == "provider":
        return clocks
    return [c for c in clocks if c.customer_id == user.organisation_id]


def python_counts(clocks, key) -> dict:
    measured, breached = Counter(), Counter()
    for clock in clocks:
        if is_measured(clock):
            measured[key(clock)] += 1
            breached[key(clock)] += is_breached(clock)
    return {k: (measured[k], breached[k]) for k in measured}


def python_breaches(clocks, agreement_id=None) -> list[int]:
    rows = [
        c
        for c in clocks
        if is_measured(c) and is_breached(c) and agreement_id in (None, c.agreement_id)
    ]
    return [c.pk for c in sorted(rows, key=lambda c: (measured_at(c), c.pk))]


@pytest.fixture
def generated(customer_a, customer_b):
    return _generate(customer_a, customer_b)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin_user", "customer_user"])
def test_aggregates_match_python(generated, who, request):
    user = request.getfixturevalue(who)
    agreements, all_clocks = generated
    clocks = visible(all_clocks, user)
    keys = {
        "agreement": lambda c: c.agreement_id,
        "service": lambda c: c.service_id,
        "customer": lambda c: c.customer_id,
        "priority": lambda c: c.priority,
    }
    for group_by, key in keys.items():
        rows = reports.achievement(user=user, period_start=MARCH, period_end=END, group_by=group_by)
        assert {r.key: (r.measured, r.breached) for r in rows} == python_counts(clocks, key)
        for row in rows:
            assert row.met == row.measured - row.breached
            assert row.achievement == reports.percent(row.met, row.measured)
    expected_total = python_counts(clocks, lambda c: "all").get("all", (0, 0))
    total = reports.overall(user=user, period_start=MARCH, period_end=END)
    assert (total.measured, total.breached) == expected_total
    mine = {c.agreement_id for c in clocks}
    shown = {r.key for r in reports.achievement(user=user, period_start=MARCH, period_end=END)}
    assert shown <= mine
    if who == "customer_user":  # only their own organisation's agreements
        assert agreements[2].pk not in shown and shown
        with pytest.raises(NotFound):
            reports.monthly_report(user=user, agreement=agreements[2], month=MARCH)
    assert reports.breach_count(user=user, period_start=START, period_end=END) == len(
        python_breaches(clocks)
    )
    assert [
        b.clock_id for b in reports.breaches(user=user, period_start=START, period_end=END)
    ] == python_breaches(clocks)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin_user", "customer_user"])
def test_monthly_report_matches_python(generated, who, request):
    user = request.getfixturevalue(who)
    agreements, all_clocks = generated
    clocks = visible(all_clocks, user)
    for agreement in agreements[:2]:
        report = reports.monthly_report(user=user, agreement=agreement, month=MARCH)
        own = [c for c in clocks if c.agreement_id == agreement.pk]
        per_target = python_counts(own, lambda c: (c.target_id, c.metric))
        got: dict = Counter()
        for row in report.target_rows:
            if row.measured:
                got[(row.target_id, row.metric)] = (row.measured, row.breached)
        assert dict(got) == per_target
        measured = sum(m for m, _ in per_target.values())
        breached = sum(b for _, b in per_target.values())
        assert (report.measured, report.breached, report.met) == (
            measured,
            breached,
            measured - breached,
        )
        expected = python_breaches(own)
        assert report.breach_count == len(expected)
        assert [b.clock_id for b in report.breaches] == expected[: reports.BREACH_PAGE]
        assert report.more_breaches is (len(expected) > reports.BREACH_PAGE)
        assert [pk for (pk,) in report.breach_tuples("id", chunk_size=100)] == expected
        if agreement == agreements[1]:
            assert report.achievement_target == Decimal(90)


@pytest.mark.django_db
def test_clock_list_filters_list_the_breaches_a_report_counted(generated, admin_user):
    agreements, clocks = generated
    agreement = agreements[0]
    data = {"agreement": agreement.pk, "month": "2026-03", "breached": "true"}
    request = RequestFactory().get("/", data)
    request.user = admin_user
    filtered = ClockFilterSet(data, Clock.objects.all(), request=request)
    assert filtered.is_valid(), filtered.errors
    assert sorted(filtered.qs.values_list("pk", flat=True)) == sorted(
        python_breaches(clocks, agreement.pk)
    )
    # the link on the monthly page goes there; the list page answers with those rows
    client = Client()
    client.force_login(admin_user)
    page = client.get(
        reverse("slm:report_monthly"), {"agreement": agreement.pk, "month": "2026-03"}
    )
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="breach-row"') == reports.BREACH_PAGE
    link = page.context["breach_list_url"]
    assert link and 'data-testid="all-breaches"' in page.content.decode()
    assert client.get(link).status_code == 200
    bad = ClockFilterSet({"month": "2026-13"}, Clock.objects.all(), request=request)
    assert not bad.is_valid() and "month" in bad.errors


@pytest.mark.django_db
def test_customer_page_has_no_clock_list_link(generated, customer_user):
    agreements, _ = generated
    client = Client()
    client.force_login(customer_user)
    page = client.get(
        reverse("slm:report_monthly"), {"agreement": agreements[0].pk, "month": "2026-03"}
    )
    assert page.status_code == 200
    assert page.context["breach_list_url"] == ""
    assert 'data-testid="all-breaches-excel"' in page.content.decode()


@pytest.mark.django_db
def test_breach_api_pages_through_every_breach(generated, admin_user, client_for):
    agreements, clocks = generated
    agreement = agreements[1]
    client = client_for(admin_user)
    monthly = client.get(
        reverse("api:slm-api:report-monthly"), {"agreement": agreement.pk, "month": "2026-03"}
    ).json()
    expected = python_breaches(clocks, agreement.pk)
    assert monthly["breach_count"] == len(expected) > reports.BREACH_PAGE
    assert [b["clock_id"] for b in monthly["breaches"]] == expected[: reports.BREACH_PAGE]
    url, seen, pages = monthly["breaches_url"] + "&limit=40", [], 0
    while url:
        body = client.get(url).json()
        assert body["count"] == len(expected)
        seen += [row["clock_id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == expected and pages == -(-len(expected) // 40)


@pytest.mark.django_db
def test_excel_holds_every_breach(generated, admin_user):
    agreements, clocks = generated
    agreement = agreements[0]
    # a few thousand more breaches in March, streamed from the database into the file
    template = next(c for c in clocks if c.agreement_id == agreement.pk and c.target_id)
    Clock.objects.bulk_create(
        [
            Clock(
                content_type_id=template.content_type_id,
                object_id=100_000 + n,
                record_label=f"=EXTRA-{n:05d}",
                customer_id=template.customer_id,
                agreement=agreement,
                target_id=template.target_id,
                service_id=template.service_id,
                metric=template.metric,
                priority=template.priority,
                calendar_id=template.calendar_id,
                goal_seconds=60,
                state="stopped",
                started_at=START,
                stopped_at=START + datetime.timedelta(minutes=n % 40000),
                elapsed_seconds=120,
            )
            for n in range(2500)
        ],
        batch_size=500,
    )
    clocks = list(Clock.objects.order_by("id"))
    expected = python_breaches(clocks, agreement.pk)
    assert len(expected) > 2500
    client = Client()
    client.force_login(admin_user)
    response = client.get(
        reverse("slm:report_excel"), {"agreement": agreement.pk, "month": "2026-03"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[2]  # Breaches (违约记录 in the user's Chinese)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    labels = {c.pk: c.record_label for c in clocks}
    assert [row[0] for row in rows] == [labels[pk] for pk in expected]
    # text that looks like a formula stays text (quote prefix), never a formula
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value.startswith("="))
    assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.django_db
def test_clock_api_breached_filter_splits_the_clocks_as_the_reports_do(
    generated, admin_user, client_for
):
    """``breached=true`` is the flag or a stop over the goal (stopped late but never flagged
    included), ``breached=false`` every other clock: together all of them, no clock twice."""
    _agreements, clocks = generated
    client = client_for(admin_user)

    def ids(value):
        url, seen = reverse("api:clocks-api:clock-list") + f"?breached={value}", []
        while url:
            body = client.get(url).json()
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
        return seen

    breached, other = ids("true"), ids("false")
    assert sorted(breached) == sorted(c.pk for c in clocks if is_breached(c))
    assert sorted(other) == sorted(c.pk for c in clocks if not is_breached(c))
    late = [c.pk for c in clocks if is_breached(c) and not c.breached]
    assert late and set(late) <= set(breached)
