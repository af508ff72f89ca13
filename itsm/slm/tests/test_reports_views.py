"""Pages, Excel file and JSON API of the SLA reports on the ``factories_reports`` data set
(figures explained in ``test_reports.py``)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.core.testing.api import assert_error
from itsm.slm.tests.factories_reports import (
    EVIL_LABEL,
    local,
    make_clock,
    report_dataset,
)

REPORT = reverse("slm:report")
MONTHLY = reverse("slm:report_monthly")
EXCEL = reverse("slm:report_excel")
API_ACHIEVEMENT = reverse("api:slm-api:report-achievement")
API_BREACHES = reverse("api:slm-api:report-breaches")
API_MONTHLY = reverse("api:slm-api:report-monthly")


@pytest.fixture
def data(customer_a, customer_b):
    return report_dataset(customer_a, customer_b)


@pytest.fixture
def web():
    """``web(user)`` → a Django test client signed in as *user*, in *language*."""
    from django.test import Client

    def make(user, language="en"):
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make


def rows_of(response):
    return [(r.key, r.measured, r.met, r.breached, r.achievement) for r in response.context["rows"]]


# --- the achievement page ------------------------------------------------------------------------


@pytest.mark.django_db
class TestReportPage:
    def test_staff_sees_every_agreement_with_monthly_links(self, data, admin_user, web):
        response = web(admin_user).get(REPORT, {"start": "2026-03", "end": "2026-03"})
        assert response.status_code == 200
        assert rows_of(response) == [
            (data.a1.pk, 6, 3, 3, Decimal("50.0")),
            (data.a2.pk, 3, 2, 1, Decimal("66.7")),
            (data.b1.pk, 2, 1, 1, Decimal("50.0")),
        ]
        assert response.context["totals"] == {
            "measured": 11,
            "met": 6,
            "breached": 5,
            "achievement": Decimal("54.5"),
        }
        html = response.content.decode()
        assert f"{MONTHLY}?agreement={data.a1.pk}&amp;month=2026-03" in html
        assert 'id="slm-report-chart-data"' in html
        assert "slm/report-chart.js" in html
        assert "B-SECRET-1" in html  # staff see B's breach
        chart = response.context["chart"]
        assert chart["months"][-3:] == ["2026-01", "2026-02", "2026-03"]
        assert chart["achievement"][-3:] == [None, 50.0, 54.5]
        assert chart["measured"][-3:] == [0, 2, 11]
        assert len(chart["months"]) == 12

    @pytest.mark.parametrize(
        "group_by, expected",
        [
            ("priority", [("p1", 6, 3, 3), ("p2", 4, 2, 2), ("p3", 4, 3, 1)]),
            ("month", [("2026-02", 2, 1, 1), ("2026-03", 11, 6, 5), ("2026-04", 1, 1, 0)]),
        ],
    )
    def test_groupings(self, data, admin_user, web, group_by, expected):
        response = web(admin_user).get(
            REPORT, {"start": "2026-02", "end": "2026-04", "group_by": group_by}
        )
        assert response.status_code == 200
        assert [r[:4] for r in rows_of(response)] == expected

    def test_agreement_and_customer_choices_start_at_any(self, data, admin_user, web):
        for language, word in (("en", "Any"), ("zh-hans", "不限")):
            form = web(admin_user, language).get(REPORT).context["form"]
            assert [str(form.fields[name].empty_label) for name in ("agreement", "customer")] == [
                word,
                word,
            ]

    def test_staff_customer_filter(self, data, admin_user, web, customer_b):
        response = web(admin_user).get(
            REPORT, {"start": "2026-03", "group_by": "service", "customer": customer_b.pk}
        )
        assert rows_of(response) == [(data.s1.pk, 2, 1, 1, Decimal("50.0"))]

    def test_customer_sees_only_their_figures(self, data, customer_user, web):
        client = web(customer_user)
        response = client.get(REPORT, {"start": "2026-03", "end": "2026-03"})
        assert response.status_code == 200
        assert [r[0] for r in rows_of(response)] == [data.a1.pk, data.a2.pk]
        html = response.content.decode()
        assert "SLA-000201" not in html and "B-SECRET-1" not in html and "B cause" not in html
        assert "customer" not in response.context["form"].fields
        # another customer's agreement as a filter: 404 like its own page (issue 8 #2)
        response = client.get(REPORT, {"start": "2026-03", "agreement": data.b1.pk})
        assert response.status_code == 404
        # the customer filter is ignored for customer users
        response = client.get(REPORT, {"start": "2026-03", "group_by": "customer", "customer": 1})
        assert [r[0] for r in rows_of(response)] == [data.a1.customer_id]

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"start": "2026-13"}, "start"),
            ({"end": "March"}, "end"),
            ({"start": "2026-04", "end": "2026-03"}, "start"),
            ({"start": "2020-01", "end": "2026-03"}, "end"),
            ({"group_by": "colour"}, "group_by"),
            ({"metric": "availability"}, "metric"),
            ({"agreement": "x"}, "agreement"),
            ({"agreement": "9" * 30}, "agreement"),
            ({"customer": "9" * 30}, "customer"),
        ],
    )
    def test_bad_parameters_answer_400(self, data, admin_user, web, params, field):
        response = web(admin_user).get(REPORT, params)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        if field == "start" and params["start"] == "2026-13":
            assert "Enter a month as YYYY-MM" in response.content.decode()

    def test_default_period_is_the_last_full_month(self, data, admin_user, web):
        response = web(admin_user).get(REPORT)
        assert response.status_code == 200
        from itsm.slm.reporting.selectors import last_full_month, month_label

        assert response.context["end"] == month_label(last_full_month())
        assert response.context["start"] == response.context["end"]

    def test_query_count_does_not_grow_with_clocks(self, data, admin_user, web, customer_a):
        client = web(admin_user)
        params = {"start": "2026-03", "end": "2026-03"}
        client.get(REPORT, params)  # warm caches (content types, session)

        monthly = {"agreement": data.a1.pk, "month": "2026-03"}
        client.get(MONTHLY, monthly)  # and the calendar engine of the availability figure

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(REPORT, params).status_code == 200
                assert client.get(MONTHLY, monthly).status_code == 200
            return len(queries)

        before = count()
        # the monthly report's availability target reads its figure in four more queries
        # (targets, the agreement, its services, the outages)
        assert before <= 22, before
        for index in range(45):
            make_clock(
                target=data.t2,
                stopped_at=local(2026, 3, 2, 8, index),
                elapsed_seconds=20000 if index % 3 == 0 else 100,
                breached=index % 3 == 0,
                breached_at=local(2026, 3, 2, 7, index) if index % 3 == 0 else None,
            )
        assert count() == before


# --- the monthly report page ---------------------------------------------------------------------


@pytest.mark.django_db
class TestMonthlyPage:
    def test_page(self, data, admin_user, web):
        response = web(admin_user).get(MONTHLY, {"agreement": data.a1.pk, "month": "2026-03"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "SLA-000101" in html and "Office IT" in html and "China 5x8 (reports)" in html
        assert html.count('data-testid="target-row"') == 3
        assert html.count('data-testid="breach-row"') == 3
        assert "No agreed service time in the month: not measured" in html
        assert "=HYPERLINK(&quot;http://evil&quot;)" in html  # escaped, shown as text
        assert 'data-testid="summary-not-met"' in html
        assert f"{EXCEL}?agreement={data.a1.pk}&amp;month=2026-03" in html

    def test_customer_own_and_foreign(self, data, customer_user, web):
        client = web(customer_user)
        assert client.get(MONTHLY, {"agreement": data.a1.pk, "month": "2026-03"}).status_code == 200
        assert client.get(MONTHLY, {"agreement": data.b1.pk, "month": "2026-03"}).status_code == 404
        assert client.get(EXCEL, {"agreement": data.b1.pk, "month": "2026-03"}).status_code == 404
        assert client.get(MONTHLY, {"agreement": 999999, "month": "2026-03"}).status_code == 404

    @pytest.mark.parametrize(
        "params",
        [
            {"month": "2026-03"},
            {"agreement": "abc", "month": "2026-03"},
            {"agreement": "1", "month": "2026-13"},
            {"agreement": "1", "month": "13/2026"},
        ],
    )
    def test_bad_parameters(self, data, admin_user, web, params):
        client = web(admin_user)
        for url in (MONTHLY, EXCEL):
            response = client.get(url, params)
            assert response.status_code == 400
            assert 'data-testid="report-error"' in response.content.decode()


# --- the Excel file ------------------------------------------------------------------------------


def load(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
class TestExcel:
    def test_sheets_headers_values_and_no_formula(self, data, admin_user, web):
        response = web(admin_user).get(EXCEL, {"agreement": data.a1.pk, "month": "2026-03"})
        assert response["Content-Disposition"] == 'attachment; filename="SLA-000101-2026-03.xlsx"'
        book = load(response)
        assert book.sheetnames == ["Summary", "Targets", "Breaches"]
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True)}
        assert summary["Agreement"] == "SLA-000101"
        assert summary["Customer"] == "Customer A"
        assert summary["Validity"] == "2026-01-01 – 2026-12-31"
        assert summary["Month"] == "2026-03"
        assert (summary["Measured"], summary["Met"], summary["Breached"]) == (6, 3, 3)
        assert summary["Achievement (%)"] == 50.0
        assert summary["All targets met"] == "No"
        targets = list(book["Targets"].iter_rows(values_only=True))
        assert targets[0] == (
            "Service",
            "Priority",
            "Metric",
            "Target value",
            "Unit",
            "Measured",
            "Met",
            "Breached",
            "Achievement (%)",
            "Target achievement (%)",
            "Status",
        )
        assert targets[1] == (
            "SVC-MAIL Email",
            "P1",
            "Resolution time",
            240,
            "min",
            2,
            1,
            1,
            50,
            100,
            "Not met",
        )
        assert targets[4] == (None,) * 11
        assert targets[5][:6] == ("Service", "Indicator", "Metric", "Target value", "Unit", "Note")
        assert targets[6][:6] == (
            "SVC-MAIL Email",
            "Email availability",
            "Availability",
            99.9,
            "%",
            "No agreed service time in the month: not measured",
        )
        breaches = book["Breaches"]
        assert [c.value for c in breaches[1]] == [
            "Record",
            "Metric",
            "Priority",
            "Service",
            "Due",
            "Breached at",
            "Overrun (business minutes)",
            "Cause",
        ]
        labels = [breaches.cell(row=r, column=1).value for r in range(2, 5)]
        assert labels == [data.c2.record_label, EVIL_LABEL, data.c4.record_label]
        evil = breaches.cell(row=3, column=1)
        assert evil.data_type == "s" and evil.value == EVIL_LABEL
        assert evil.quotePrefix is True
        assert breaches.cell(row=3, column=7).value == 10
        assert breaches.cell(row=4, column=7).value == "still running"
        assert breaches.cell(row=4, column=8).value == "not yet analysed"
        assert breaches.cell(row=2, column=5).value.isoformat() == "2026-03-10T09:00:00"
        assert breaches.cell(row=2, column=5).number_format == "yyyy-mm-dd hh:mm"
        assert breaches.cell(row=3, column=7).number_format == "0.0"
        assert breaches.cell(row=4, column=7).alignment.vertical == "top"  # the text format
        # no cell anywhere holds a formula
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row)

    def test_chinese_sheet_names(self, data, admin_user, web):
        response = web(admin_user, "zh-hans").get(
            EXCEL, {"agreement": data.a1.pk, "month": "2026-03"}
        )
        assert load(response).sheetnames == ["汇总", "指标", "违约记录"]

    def test_customer_file_has_only_their_rows(self, data, customer_user, web):
        response = web(customer_user).get(EXCEL, {"agreement": data.a1.pk, "month": "2026-03"})
        book = load(response)
        values = {
            cell
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        }
        assert "B-SECRET-1" not in values and "B cause" not in values


# --- the JSON API --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAPI:
    def test_achievement(self, data, admin_user, client_for):
        response = client_for(admin_user).get(
            API_ACHIEVEMENT, {"start": "2026-03", "group_by": "agreement"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["group_by"] == "agreement"
        assert body["period_start"] == "2026-03-01T00:00:00+08:00"
        assert body["period_end"] == "2026-04-01T00:00:00+08:00"
        assert [
            (
                r["key"],
                r["measured"],
                r["met"],
                r["breached"],
                r["achievement"],
                r["target"],
                r["status"],
            )
            for r in body["rows"]
        ] == [
            (str(data.a1.pk), 6, 3, 3, "50.0", "100.0", "not_met"),
            (str(data.a2.pk), 3, 2, 1, "66.7", "90.0", "not_met"),
            (str(data.b1.pk), 2, 1, 1, "50.0", "100.0", "not_met"),
        ]

    def test_achievement_by_month_with_metric(self, data, admin_user, client_for):
        response = client_for(admin_user).get(
            API_ACHIEVEMENT,
            {"start": "2026-02", "end": "2026-04", "group_by": "month", "metric": "resolution"},
        )
        assert [(r["key"], r["measured"], r["breached"]) for r in response.json()["rows"]] == [
            ("2026-02", 2, 1),
            ("2026-03", 9, 4),
            ("2026-04", 1, 0),
        ]

    def test_breaches(self, data, admin_user, client_for):
        response = client_for(admin_user).get(
            API_BREACHES, {"start": "2026-03", "agreement": data.a1.pk}
        )
        body = response.json()
        assert body["truncated"] is False
        assert [
            (r["clock_id"], r["record_label"], r["overrun_minutes"], r["cause"])
            for r in body["results"]
        ] == [
            (data.c2.pk, data.c2.record_label, "10.0", "Network outage"),
            (data.c10.pk, EVIL_LABEL, "10.0", "Waiting for vendor"),
            (data.c4.pk, data.c4.record_label, None, ""),
        ]
        limited = client_for(admin_user).get(API_BREACHES, {"start": "2026-03", "limit": 2})
        assert limited.json()["truncated"] is True
        assert len(limited.json()["results"]) == 2

    def test_monthly(self, data, admin_user, client_for):
        response = client_for(admin_user).get(
            API_MONTHLY, {"agreement": data.a1.pk, "month": "2026-03"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["agreement"]["number"] == "SLA-000101"
        assert body["agreement"]["service_hours"] == "China 5x8 (reports)"
        assert body["agreement"]["valid_from"] == "2026-01-01"
        assert body["month"] == "2026-03"
        assert [(t["target_id"], t["measured"], t["status"]) for t in body["targets"]] == [
            (data.t2.pk, 2, "not_met"),
            (data.t3.pk, 2, "not_met"),
            (data.t1.pk, 2, "not_met"),
        ]
        assert [i["target_id"] for i in body["indicators"]] == [data.t4.pk]
        assert [b["clock_id"] for b in body["breaches"]] == [data.c2.pk, data.c10.pk, data.c4.pk]
        assert body["summary"] == {
            "measured": 6,
            "met": 3,
            "breached": 3,
            "achievement": "50.0",
            "achievement_target": "100.0",
            "all_met": False,
            "not_met_count": 3,
            "has_data": True,
        }
        assert body["comments"] == ""

    def test_tenancy(self, data, customer_user, client_for):
        client = client_for(customer_user)
        rows = client.get(API_ACHIEVEMENT, {"start": "2026-03"}).json()["rows"]
        assert [r["key"] for r in rows] == [str(data.a1.pk), str(data.a2.pk)]
        breaches = client.get(API_BREACHES, {"start": "2026-03"}).json()["results"]
        assert data.c15.pk not in [b["clock_id"] for b in breaches]
        assert_error(
            client.get(API_MONTHLY, {"agreement": data.b1.pk, "month": "2026-03"}),
            404,
            "not_found",
        )
        # another customer's agreement as a filter: 404 like its record (issue 8 #2)
        for url in (API_ACHIEVEMENT, API_BREACHES):
            assert_error(
                client.get(url, {"start": "2026-03", "agreement": data.b1.pk}), 404, "not_found"
            )

    @pytest.mark.parametrize(
        "url, params, field",
        [
            (API_ACHIEVEMENT, {"start": "2026-13"}, "start"),
            (API_ACHIEVEMENT, {"group_by": "colour"}, "group_by"),
            (API_ACHIEVEMENT, {"metric": "availability"}, "metric"),
            (API_ACHIEVEMENT, {"start": "2026-05", "end": "2026-03"}, "start"),
            (API_BREACHES, {"limit": "0"}, "limit"),
            (API_MONTHLY, {"month": "2026-03"}, "agreement"),
            (API_MONTHLY, {"agreement": "x"}, "agreement"),
            (API_MONTHLY, {"agreement": "9" * 30}, "agreement"),
            (API_ACHIEVEMENT, {"agreement": "9" * 30}, "agreement"),
            (API_MONTHLY, {"agreement": "1", "month": "2026-00"}, "month"),
        ],
    )
    def test_bad_parameters(self, data, admin_user, client_for, url, params, field):
        assert_error(client_for(admin_user).get(url, params), 400, "validation", fields=(field,))

    def test_login_required(self, data, client):
        for url in (API_ACHIEVEMENT, API_BREACHES, API_MONTHLY):
            assert_error(client.get(url), 401, "not_authenticated")
        for url in (REPORT, MONTHLY, EXCEL):
            assert client.get(url).status_code == 302
