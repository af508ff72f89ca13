"""KPIs over imported history (issue 15): the real ServiceNow event log sample imported (half
through the services the import page calls, half through ``itsm import-tickets``), and every
figure — incident SLA achievement from the old tool's verdicts, mean reassignments, reopened
incidents, resolution time mean and median — equal to a computation from the CSV in plain
Python, overall, per month and per customer; then the KPI page, the report page, its Excel
file and its API in both languages, and a customer user's view."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from itsm.desk.imports import services as imports
from itsm.desk.imports.choices import ImportStatus
from itsm.desk.imports.tests.conftest import SAMPLE
from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests import expected
from itsm.kpi import selectors as kpi_selectors
from itsm.kpi.registry import percent_of

pytestmark = pytest.mark.django_db

HISTORY_KPIS = (
    "desk_incident_sla",
    "desk_mean_reassignments",
    "desk_reopened_incidents",
    "desk_mean_resolution_time",
    "desk_median_resolution_time",
)
FEBRUARY = datetime.date(2016, 2, 1)
MARCH = datetime.date(2016, 3, 1)
#: both months of the sample (every incident was opened in February or March 2016)
WHOLE = reports.ReportPeriod(datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))


# --- the independent computation ---------------------------------------------------------------


def _date(text: str) -> datetime.datetime | None:
    """``29/2/2016 01:16`` (day first, the installation's zone); ``?`` → ``None``."""
    if text.strip() in ("", "?"):
        return None
    day, clock = text.split(" ")
    d, m, y = (int(part) for part in day.split("/"))
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.datetime(y, m, d, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def incidents_of(data: bytes) -> list[dict]:
    """Each incident of an event log as its final snapshot says: the last row by update count
    (``sys_mod_count``; equal counts: the later line). Its opening is its ``opened_at``; its
    resolution, when it ended resolved or closed, its ``resolved_at``, else the update time
    of the row where it last became Resolved, else its last update; its counts and SLA
    verdict are the final row's."""
    rows: dict[str, list[tuple[int, int, dict]]] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))):
        rows.setdefault(row["number"], []).append((int(row["sys_mod_count"]), line, row))
    result = []
    for number, snapshots in rows.items():
        snapshots.sort(key=lambda s: (s[0], s[1]))
        final = snapshots[-1][2]
        opened = _date(final["opened_at"]) or _date(snapshots[0][2]["sys_updated_at"])
        resolved = None
        if final["incident_state"] in ("Resolved", "Closed"):
            became_resolved = None
            previous = None
            for _count, _line, row in snapshots:
                if row["incident_state"] == "Resolved" and previous != "Resolved":
                    became_resolved = _date(row["sys_updated_at"]) or opened
                previous = row["incident_state"]
            resolved = (
                _date(final["resolved_at"])
                or became_resolved
                or _date(final["sys_updated_at"])
                or opened
            )
        result.append(
            {
                "number": number,
                "opened": opened,
                "resolved": resolved,
                "reassignments": int(final["reassignment_count"]),
                "reopens": int(final["reopen_count"]),
                "made_sla": {"true": True, "false": False}.get(final["made_sla"]),
            }
        )
    return result


def _median(values: list[int]) -> Fraction:
    """The middle value; of an even count, the mean of the two middle values."""
    values = sorted(values)
    half = len(values) // 2
    if len(values) % 2:
        return Fraction(values[half])
    return Fraction(values[half - 1] + values[half], 2)


def figures_of(incidents: list[dict], start, end) -> dict:
    """The KPIs' (value, numerator, denominator) over the incidents opened in [start, end)."""
    opened = [i for i in incidents if start <= i["opened"] < end]
    times = [
        (i["resolved"] - i["opened"]) // datetime.timedelta(microseconds=1)
        for i in opened
        if i["resolved"] is not None
    ]
    verdicts = [i["made_sla"] for i in opened if i["made_sla"] is not None]
    met = sum(1 for v in verdicts if v)
    reassignments = sum(i["reassignments"] for i in opened)
    reopened = sum(1 for i in opened if i["reopens"] > 0)
    return {
        "desk_incident_sla": (percent_of(met, len(verdicts)), met, len(verdicts)),
        "desk_mean_reassignments": (
            expected.mean2(reassignments, len(opened)),
            reassignments,
            len(opened),
        ),
        "desk_reopened_incidents": (percent_of(reopened, len(opened)), reopened, len(opened)),
        "desk_mean_resolution_time": (
            expected.hours(Fraction(sum(times), len(times))) if times else None,
            None,
            len(times),
        ),
        "desk_median_resolution_time": (
            expected.hours(_median(times)) if times else None,
            None,
            len(times),
        ),
    }


# --- importing ----------------------------------------------------------------------------------


def _sample() -> bytes:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is absent: the shared data folder holds the real exports")
    return SAMPLE.read_bytes()


def _split(data: bytes, count: int) -> tuple[bytes, bytes]:
    """The rows of the first *count* incidents, and the rows of the others (header on both)."""
    header, *lines = data.decode("utf-8-sig").splitlines(keepends=True)
    first: list[str] = []
    rest: list[str] = []
    numbers: set[str] = set()
    for line in lines:
        number = line.split(",", 1)[0]
        if number not in numbers and len(numbers) < count:
            numbers.add(number)
        (first if number in numbers else rest).append(line)
    return (header + "".join(first)).encode(), (header + "".join(rest)).encode()


def _import_as_the_page_does(data: bytes, by, customer) -> None:
    ticket_import = imports.create_import(
        by=by, upload=data, file_name="incidents.csv", source="ServiceNow", customer=customer
    )
    ticket_import = imports.dry_run(ticket_import, by=by)
    assert not ticket_import.problems
    done = imports.run_import(imports.queue_import(ticket_import, by=by, skip_bad=False))
    assert done.status == ImportStatus.DONE


def _import_with_the_cli(data: bytes, tmp_path, customer) -> None:
    path = tmp_path / "incidents.csv"
    path.write_bytes(data)
    call_command(
        "import-tickets",
        str(path),
        "--source",
        "ServiceNow",
        "--customer",
        customer.code,
        stdout=io.StringIO(),
    )


def _kpis(user, month: datetime.date, customer=None) -> dict:
    period = kpi_selectors.KpiPeriod(month)
    return {
        f.kpi.id: (f.measure.value, f.measure.numerator, f.measure.denominator)
        for f in kpi_selectors.figures(user=user, period=period, customer=customer)
        if f.kpi.id in HISTORY_KPIS
    }


def _month(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    period = reports.month_period(month)
    return period.start, period.end


def _handling_as_kpis(handling: reports.IncidentHandling) -> dict:
    return {
        "desk_incident_sla": (
            handling.imported_sla.value,
            handling.imported_sla.numerator,
            handling.imported_sla.denominator,
        ),
        "desk_mean_reassignments": (
            handling.mean_reassignments,
            handling.reassignments,
            handling.opened,
        ),
        "desk_reopened_incidents": (
            handling.reopen_rate.value,
            handling.reopened,
            handling.opened,
        ),
        "desk_mean_resolution_time": (handling.mean_resolution_hours, None, handling.resolved),
        "desk_median_resolution_time": (
            handling.median_resolution_hours,
            None,
            handling.resolved,
        ),
    }


# --- the tests ----------------------------------------------------------------------------------


def test_the_sample_figures_equal_the_independent_computation(
    admin_user, customer_a, customer_b, tmp_path
):
    data = _sample()
    first, rest = _split(data, 1500)
    _import_as_the_page_does(first, admin_user, customer_a)
    _import_with_the_cli(rest, tmp_path, customer_b)
    everything = incidents_of(data)
    of = {customer_a: incidents_of(first), customer_b: incidents_of(rest)}
    assert len(everything) == 3000 and len(of[customer_a]) == 1500

    # overall: the whole sample, both customers
    got = reports.incident_handling(user=admin_user, period=WHOLE)
    assert got.opened == got.imported == 3000
    assert _handling_as_kpis(got) == figures_of(everything, WHOLE.start, WHOLE.end)
    # the KPI catalogue, per month, overall and per customer (no clocks: verdicts only)
    for month in (FEBRUARY, MARCH):
        start, end = _month(month)
        assert _kpis(admin_user, month) == figures_of(everything, start, end), month
        for customer, incidents in of.items():
            want = figures_of(incidents, start, end)
            assert _kpis(admin_user, month, customer) == want, (month, customer.code)
            handling = reports.incident_handling(
                user=admin_user, period=reports.month_period(month), customer=customer
            )
            assert _handling_as_kpis(handling) == want
    # the figures are not all trivial on the sample
    march = figures_of(everything, *_month(MARCH))
    assert march["desk_incident_sla"][2] > 2000
    assert march["desk_mean_reassignments"][1] > 0 and march["desk_reopened_incidents"][1] > 0
    assert march["desk_mean_resolution_time"][0] != march["desk_median_resolution_time"][0]


@pytest.fixture
def imported(admin_user, customer_a, customer_b) -> dict:
    """The first 300 incidents of the sample for customer A, the next 200 for customer B."""
    first, rest = _split(_sample(), 500)
    mine, theirs = _split(first, 300)
    _import_as_the_page_does(mine, admin_user, customer_a)
    _import_as_the_page_does(theirs, admin_user, customer_b)
    return {
        customer_a: incidents_of(mine),
        customer_b: incidents_of(theirs),
        None: incidents_of(first),
    }


@pytest.fixture
def web():
    from django.test import Client

    def make(user, language="en"):
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make


def _shown(value) -> str:
    return "—" if value is None else str(value)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_kpi_page_shows_the_history_figures(imported, admin_user, web, language):
    want = figures_of(imported[None], *_month(MARCH))
    response = web(admin_user, language).get(reverse("kpi:list"), {"period": "2016-03"})
    html = response.content.decode()
    assert response.status_code == 200
    figures = {f.kpi.id: f for f in response.context["figures"]}
    for kpi_id in HISTORY_KPIS:
        m = figures[kpi_id].measure
        assert (m.value, m.numerator, m.denominator) == want[kpi_id], kpi_id
        with translation.override(language):
            assert str(figures[kpi_id].kpi.name) in html
        assert f">{kpi_id}<" not in html
    if language == "en":
        for name in ("Mean reassignments per incident", "Median incident resolution time"):
            assert name in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_report_page_excel_and_api_show_the_history_figures(
    imported, admin_user, web, client_for, language
):
    want = figures_of(imported[None], *_month(MARCH))
    client = web(admin_user, language)
    response = client.get(reverse("deskreports:report"), {"month": "2016-03"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="incident-handling"' in html
    handling = response.context["report"].handling
    assert _handling_as_kpis(handling) == want
    for testid, value in (
        ("kpi-mean-reassignments", handling.mean_reassignments),
        ("kpi-reopened", f"{handling.reopen_rate.value} %"),
        ("kpi-imported-sla", f"{handling.imported_sla.value} %"),
    ):
        assert f'data-testid="{testid}">{_shown(value)}<' in html, testid
    for testid, hours in (
        ("kpi-mean-resolution", handling.mean_resolution_hours),
        ("kpi-median-resolution", handling.median_resolution_hours),
    ):
        with translation.override(language):  # "147.81 h", "147.81 小时"
            shown = gettext("%(hours)s h") % {"hours": hours}
        assert f'data-testid="{testid}">{shown}<' in html, testid
    if language == "en":
        assert "Incident handling (live and imported history)" in html

    excel = client.get(reverse("deskreports:report_excel"), {"month": "2016-03"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(excel.streaming_content)))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    values = [Decimal(str(v)) for v in summary.values() if isinstance(v, int | float)]
    for value in (
        handling.mean_reassignments,
        handling.mean_resolution_hours,
        handling.median_resolution_hours,
        handling.imported_sla.value,
    ):
        assert value in values
    if language == "en":
        assert summary["Median incident resolution time (hours)"] is not None
        assert Decimal(str(summary["Median incident resolution time (hours)"])) == (
            handling.median_resolution_hours
        )

    body = client_for(admin_user).get(reverse("api:deskreports-api:report"), {"month": "2016-03"})
    got = body.json()["incident_handling"]
    assert Decimal(got["median_resolution_hours"]) == want["desk_median_resolution_time"][0]
    assert Decimal(got["mean_resolution_hours"]) == want["desk_mean_resolution_time"][0]
    assert Decimal(got["mean_reassignments"]) == want["desk_mean_reassignments"][0]
    assert (got["imported_sla"]["numerator"], got["imported_sla"]["denominator"]) == want[
        "desk_incident_sla"
    ][1:]


def test_a_customer_user_sees_only_their_organisation(
    imported, customer_user, customer_a, customer_b, web, client_for
):
    mine = figures_of(imported[customer_a], *_month(MARCH))
    assert mine != figures_of(imported[None], *_month(MARCH))
    # the KPI catalogue: their own organisation, whichever customer they ask for
    assert _kpis(customer_user, MARCH, customer_a) == mine
    response = web(customer_user).get(reverse("kpi:list"), {"period": "2016-03"})
    figures = {f.kpi.id: f.measure for f in response.context["figures"]}
    assert {k: (figures[k].value, figures[k].numerator, figures[k].denominator) for k in mine} == (
        mine
    )
    other = web(customer_user).get(
        reverse("kpi:list"), {"period": "2016-03", "customer": customer_b.pk}
    )
    assert other.status_code == 404
    # the KPI API: the same figures as decimal strings
    api = client_for(customer_user).get(reverse("api:kpi-api:kpi-list"), {"period": "2016-03"})
    results = {r["id"]: r for r in api.json()["results"] if r["id"] in mine}
    assert set(results) == set(mine)
    for kpi_id, (value, numerator, denominator) in mine.items():
        row = results[kpi_id]
        assert Decimal(row["value"]) == value, kpi_id
        assert Decimal(row["denominator"]) == denominator, kpi_id
        assert (row["numerator"] is None) == (numerator is None), kpi_id
    # the report page and its API
    page = web(customer_user).get(reverse("deskreports:report"), {"month": "2016-03"})
    assert _handling_as_kpis(page.context["report"].handling) == mine
    body = client_for(customer_user).get(
        reverse("api:deskreports-api:report"), {"month": "2016-03"}
    )
    got = body.json()["incident_handling"]
    assert got["opened"] == mine["desk_reopened_incidents"][2]
    assert got["imported_sla"]["numerator"] == mine["desk_incident_sla"][1]
