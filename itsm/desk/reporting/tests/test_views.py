"""The desk report page, its Excel file and its API: the same figures as the selectors (which
``test_figures`` checks against Python), tenancy, bad input, both languages."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from itsm.core.testing.api import assert_error
from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests import expected
from itsm.desk.reporting.tests.factories import (
    local,
    make_category,
    make_ticket,
    random_dataset,
)

MARCH = reports.month_period(datetime.date(2026, 3, 1))


def page_url():
    return reverse("deskreports:report")


def excel_url():
    return reverse("deskreports:report_excel")


def api_url():
    return reverse("api:deskreports-api:report")


@pytest.fixture
def data(customer_a, customer_b, provider):
    return random_dataset(customer_a, customer_b, provider)


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


def _number(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.django_db
class TestPage:
    def test_staff_sees_every_figure(self, data, admin_user, web):
        response = web(admin_user).get(page_url(), {"month": "2026-03"})
        assert response.status_code == 200
        report = response.context["report"]
        want = expected.kinds(data, MARCH)
        assert {k: v.as_dict() for k, v in report.kinds.items()} == {
            k: {**v, "kind": k} for k, v in want.items()
        }
        html = response.content.decode()
        assert 'data-testid="call-measures"' in html
        assert 'data-testid="kpi-first-time-dispatch"' in html
        ok, total = expected.dispatch(data, MARCH)
        dispatch = reports.Ratio(ok, total).value
        assert f'data-testid="kpi-first-time-dispatch">{dispatch} %' in html
        assert 'id="desk-report-chart-data"' in html and "<script>" not in html
        chart = response.context["chart"]
        assert chart["months"][-1] == "2026-03" and len(chart["months"]) == 12
        trend = expected.trend(data, MARCH)
        assert chart["finished"] == [row["finished"] for row in trend]
        assert [k["opened"] for k in chart["kinds"]] == [
            [row["opened"][kind] for row in trend] for kind in expected.KINDS
        ]
        incidents = expected.incidents_opened(data, MARCH)
        incomplete = [t for t in incidents if not t["is_complete"]]
        assert report.incomplete_total == len(incomplete)
        assert [row["number"] for row in response.context["incomplete"]] == [
            t["number"] for t in sorted(incomplete, key=lambda t: (t["opened_at"], t["id"]))
        ][:20]
        first = response.context["incomplete"][0]
        link = reverse("desk:ticket_detail", args=[first["id"]])
        assert first["url"] == link and f'href="{link}"' in html

    def test_default_period_is_the_last_full_month(self, admin_user, web):
        response = web(admin_user).get(page_url())
        assert response.status_code == 200
        assert response.context["report"].period == reports.default_period()

    def test_range_of_days(self, data, admin_user, web):
        response = web(admin_user).get(page_url(), {"start": "2026-02-10", "end": "2026-03-20"})
        assert response.status_code == 200
        period = response.context["report"].period
        assert (period.first_day, period.last_day) == (
            datetime.date(2026, 2, 10),
            datetime.date(2026, 3, 20),
        )
        want = expected.kinds(data, period)
        assert response.context["report"].kinds["incident"].opened == want["incident"]["opened"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"month": "2026-13"}, "month"),
            ({"start": "2026-02-30"}, "start"),
            ({"start": "2026-03-02", "end": "2026-03-01"}, "start"),
            ({"start": "2024-01-01", "end": "2026-03-01"}, "end"),
            ({"month": "2026-03", "start": "2026-03-01"}, "month"),
            ({"customer": "x"}, "customer"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, admin_user, web, query, field):
        response = web(admin_user).get(page_url(), query)
        assert response.status_code == 400
        assert f'data-testid="error-{field}"' in response.content.decode()
        response = web(admin_user).get(api_url(), query)
        assert_error(response, 400, "validation", fields=(field,))

    def test_customer_user_sees_only_their_figures(self, data, customer_user, customer_a, web):
        response = web(customer_user).get(page_url(), {"month": "2026-03"})
        assert response.status_code == 200
        report = response.context["report"]
        want = expected.kinds(data, MARCH, customer_a)
        assert {k: v.opened for k, v in report.kinds.items()} == {
            k: v["opened"] for k, v in want.items()
        }
        assert report.customer == customer_a
        html = response.content.decode()
        assert 'data-testid="call-measures"' not in html
        assert 'data-testid="kpi-first-time-dispatch"' not in html
        assert "Customer B" not in html
        assert 'name="customer"' not in html  # no choice of customer

    def test_another_customers_id_answers_404(
        self, data, customer_user, customer_a, customer_b, web
    ):
        client = web(customer_user)
        assert client.get(page_url(), {"customer": customer_b.pk}).status_code == 404
        assert client.get(excel_url(), {"customer": customer_b.pk}).status_code == 404
        assert client.get(api_url(), {"customer": customer_b.pk}).status_code == 404
        assert client.get(page_url(), {"customer": 999999}).status_code == 404
        # their own id is theirs
        assert client.get(page_url(), {"customer": customer_a.pk}).status_code == 200

    def test_staff_chooses_a_customer(self, data, admin_user, customer_b, web):
        response = web(admin_user).get(page_url(), {"month": "2026-03", "customer": customer_b.pk})
        assert response.status_code == 200
        want = expected.kinds(data, MARCH, customer_b)
        assert response.context["report"].kinds["request"].opened == want["request"]["opened"]
        assert f"customer={customer_b.pk}" in response.context["excel_url"]

    @pytest.mark.parametrize("language", ["en", "zh-hans"])
    def test_both_languages_render_without_raw_codes(self, data, admin_user, web, language):
        response = web(admin_user, language).get(page_url(), {"month": "2026-03"})
        html = response.content.decode()
        assert response.status_code == 200
        assert f'<html lang="{language}">' in html
        for code in ("in_progress", ">consultation<", ">incident<", ">request<", "no_record"):
            assert code not in html
        if language == "en":
            for label in ("Incident", "Service request", "First-time dispatch success"):
                assert label in html

    def test_zh_hans_uses_the_seed_vocabulary(self, data, admin_user, web):
        html = web(admin_user, "zh-hans").get(page_url(), {"month": "2026-03"}).content.decode()
        for term in (
            "一次派单成功率",
            "事件记录完整率",
            "事件解决率",
            "客户满意度",
            "服务请求完成率",
            "接听率",
            "录单率",
            "平均通话时间",
            "派单准确率",
        ):
            assert term in html

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(page_url())
        assert response.status_code == 302 and "login" in response["Location"]


def _sheet_values(sheet) -> dict:
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}


@pytest.mark.django_db
class TestExcel:
    def test_same_figures_as_the_page(self, data, admin_user, web):
        response = web(admin_user).get(excel_url(), {"month": "2026-03"})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('desk-report-2026-03.xlsx"')
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert book.sheetnames == [
            "Summary",
            "Volumes",
            "Trend",
            "Top",
            "Incomplete incidents",
            "Satisfaction",
            "Calls",
        ]
        summary = _sheet_values(book["Summary"])
        want = expected.kinds(data, MARCH)
        assert summary["Period"] == "2026-03"
        assert summary["Tickets opened"] == sum(v["opened"] for v in want.values())
        assert summary["Open at the end of the period"] == sum(v["backlog"] for v in want.values())
        incidents = want["incident"]
        completeness = reports.Ratio(incidents["complete"], incidents["opened"]).value
        assert Decimal(str(summary["Incident record completeness (%)"])) == completeness
        calls = expected.calls(data, MARCH)
        assert summary["Average call time (seconds)"] == calls["average_seconds"]
        volumes = list(book["Volumes"].iter_rows(min_row=2, values_only=True))
        assert [row[1] for row in volumes] == [
            *(want[k]["opened"] for k in expected.KINDS),
            sum(v["opened"] for v in want.values()),
        ]
        trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
        assert [row[-1] for row in trend] == [r["finished"] for r in expected.trend(data, MARCH)]
        incomplete = list(book["Incomplete incidents"].iter_rows(min_row=2, values_only=True))
        assert len(incomplete) == incidents["opened"] - incidents["complete"]
        scores = list(book["Satisfaction"].iter_rows(min_row=2, max_row=6, values_only=True))
        assert {row[0]: row[1] for row in scores} == expected.satisfaction(data, MARCH)

    def test_customer_file_has_no_internal_sheet_and_no_formula(
        self, customer_user, customer_a, web
    ):
        make_ticket(
            customer=customer_a,
            opened_at=local(2026, 3, 5),
            title='=HYPERLINK("http://evil")',
            is_complete=False,
            category=make_category(name="@SUM(A1)"),
        )
        response = web(customer_user, "zh-hans").get(excel_url(), {"month": "2026-03"})
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert "电话" not in book.sheetnames and book.sheetnames[0] == "汇总"
        sheet = book["不完整事件"]
        cell = sheet.cell(row=2, column=2)
        assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
        assert sheet.max_column == 4  # no missing fields column for customers
        top = book["排名"]
        assert top.cell(row=2, column=1).value == "@SUM(A1)"
        assert top.cell(row=2, column=1).data_type == "s"


@pytest.mark.django_db
class TestAPI:
    def test_shape_and_figures(self, data, admin_user, client_for):
        response = client_for(admin_user).get(api_url(), {"month": "2026-03"})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "period",
            "customer",
            "volumes",
            "totals",
            "trend",
            "sla",
            "top_categories",
            "top_cis",
            "first_time_dispatch",
            "dispatch_accuracy",
            "record_completeness",
            "incomplete_incidents",
            "resolution_rate",
            "request_completion",
            "satisfaction",
            "calls",
            "incident_handling",
        }
        assert body["period"]["label"] == "2026-03"
        want = expected.kinds(data, MARCH)
        assert {v["kind"]: v for v in body["volumes"]} == {
            k: {**v, "kind": k} for k, v in want.items()
        }
        sla = expected.sla(data, MARCH)
        assert {m: (s["measured"], s["breached"]) for m, s in body["sla"].items()} == sla
        ok, total = expected.dispatch(data, MARCH)
        assert body["first_time_dispatch"]["numerator"] == ok
        assert body["first_time_dispatch"]["denominator"] == total
        calls = expected.calls(data, MARCH)
        assert body["calls"]["calls"] == calls["calls"]
        assert body["calls"]["average_seconds"] == calls["average_seconds"]
        distribution = expected.satisfaction(data, MARCH)
        assert body["satisfaction"]["distribution"] == {str(k): v for k, v in distribution.items()}
        mean = expected.mean(distribution)
        assert body["satisfaction"]["mean"] == (str(mean) if mean is not None else None)
        handled = expected.handling(data, MARCH)
        got = body["incident_handling"]
        assert {name: got[name] for name in ("opened", "reassignments", "reopened")} == {
            name: handled[name] for name in ("opened", "reassignments", "reopened")
        }
        for name in ("mean_resolution_hours", "median_resolution_hours"):
            assert Decimal(got[name]) == handled[name], name
        assert got["imported"] == 0 and got["imported_sla"]["denominator"] == 0

    def test_customer_gets_their_own_and_no_internal_measures(
        self, data, customer_user, customer_a, client_for
    ):
        body = client_for(customer_user).get(api_url(), {"month": "2026-03"}).json()
        assert body["customer"] == {"id": customer_a.pk, "name": customer_a.name}
        assert body["calls"] is None and body["first_time_dispatch"] is None
        want = expected.kinds(data, MARCH, customer_a)
        assert body["totals"]["opened"] == sum(v["opened"] for v in want.values())

    def test_anonymous_is_refused(self, api_client):
        assert_error(api_client.get(api_url()), 401, "not_authenticated")
