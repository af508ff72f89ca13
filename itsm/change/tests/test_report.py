"""The change report (R-CHG-05): exact figures on a small set of changes moved through the
services (kinds, statuses, risk levels, per month, finished, success rate = the KPI's, failed
and rolled-back list, emergency share, lead time, conflicts before approval, change-caused
incidents), the period's rules, the page in both languages, the Excel file's cells, the API,
and a customer's view (their changes only, no internal figures)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.change import kpis, report
from itsm.change.choices import Vote
from itsm.change.models import Change, RiskQuestion
from itsm.change.services import approval, assessment, changes, config, incidents
from itsm.change.tests.factories import at, ci, make_change, make_template
from itsm.core.errors import ValidationFailed
from itsm.desk.tests.factories import ticket as make_ticket

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2030-01", "end": "2030-03"}


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def _stamp(change, **fields) -> None:
    """Put *change* at fixed instants of the report's period (the services use now)."""
    Change.objects.filter(pk=change.pk).update(**fields)


@pytest.fixture
def questionnaire(manager):
    config.create_question(
        by=manager,
        order=1,
        text="Is a business service interrupted?",
        answers=[{"label": "No", "weight": 0}, {"label": "Yes", "weight": 4}],
    )
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    config.set_threshold(by=manager, level="medium", min_score=4, approval_path="change_manager")
    config.set_threshold(by=manager, level="high", min_score=8, approval_path="cab")


def _answers(weight: int) -> dict:
    return {str(pk): 1 if weight else 0 for pk in RiskQuestion.objects.values_list("pk", flat=True)}


def _approved(change, requester, manager):
    change = changes.submit(change, by=requester)
    change = assessment.assess(change, by=requester, answers=_answers(0))
    change = assessment.request_approval(change, by=requester)
    return approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Go.")


@pytest.fixture
def scenario(requester, manager, questionnaire, customer_a):
    """Changes of 2030-01…03 (and one just outside):

    - A normal, low, on customer A's CI: implemented (lead 3.5 days), closed in January;
    - B normal, low, on the same CI, overlapping A (a conflict before approval), failed and
      rolled back in February; it caused an incident;
    - C emergency, medium, on customer A's other CI, in assessment;
    - D standard (no customer), implemented then failed at review, not rolled back;
    - E normal draft on customer A's CI;
    - F standard, closed on 2030-04-01 00:00 (after the period).
    """
    shared = ci("erp", customer=customer_a)
    a = _approved(make_change(requester, title="A patch ERP", cis=[shared]), requester, manager)
    b = make_change(requester, title="B upgrade ERP", cis=[shared], start=at(10, 23))
    b = _approved(b, requester, manager)
    a = changes.start(a, by=requester)
    a = changes.complete(a, by=requester)
    a = changes.close(a, by=requester, review_note="Worked.")
    b = changes.start(b, by=requester)
    b = changes.fail(b, by=requester, outcome_note="=ERP did not start.", rolled_back=True)
    c = make_change(
        requester,
        title="C hotfix mail",
        kind="emergency",
        cis=[ci("mail", customer=customer_a)],
        start=at(12, 22),
    )
    c = changes.submit(c, by=requester)
    c = assessment.assess(c, by=requester, answers=_answers(4))
    template = make_template()
    d = make_change(
        requester,
        title="D disk",
        kind="standard",
        template=template,
        cis=[ci("nas")],
        start=at(14, 1),
    )
    d = changes.schedule_standard(d, by=requester)
    d = changes.start(d, by=requester)
    d = changes.complete(d, by=requester)
    d = changes.fail(d, by=requester, outcome_note="Slow disk.", rolled_back=False)
    e = make_change(requester, title="E draft", cis=[ci("erp2", customer=customer_a)])
    f = make_change(requester, title="F later", kind="standard", template=template, start=at(20, 1))
    f = changes.schedule_standard(f, by=requester)
    f = changes.start(f, by=requester)
    f = changes.complete(f, by=requester)
    f = changes.close(f, by=requester, review_note="Fine.")

    caused = make_ticket(customer_a, title="ERP down")
    incidents.link_incident(b, ticket=caused, relation="caused", by=requester)
    fixed = make_ticket(customer_a, title="ERP slow")
    incidents.link_incident(a, ticket=fixed, relation="fixed", by=requester)
    incidents.link_incident(
        c, ticket=make_ticket(customer_a, title="Mail"), relation="caused", by=requester
    )

    _stamp(
        a,
        created_at=local(2030, 1, 5, 10),
        actual_end=local(2030, 1, 8, 22),
        closed_at=local(2030, 1, 10, 9),
    )
    _stamp(b, created_at=local(2030, 1, 6, 9), closed_at=local(2030, 2, 2, 9))
    _stamp(c, created_at=local(2030, 2, 1, 8))
    _stamp(
        d,
        created_at=local(2030, 2, 10, 8),
        actual_end=local(2030, 2, 12, 8),
        closed_at=local(2030, 2, 20, 8),
    )
    _stamp(e, created_at=local(2030, 1, 20, 8))
    _stamp(
        f,
        created_at=local(2029, 12, 15, 8),
        actual_end=local(2029, 12, 20, 8),
        closed_at=local(2030, 4, 1, 0),
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "caused": caused}


def _counts(rows) -> dict[str, int]:
    return {row.code: row.count for row in rows}


def test_figures(manager, scenario):
    figures = report.change_report(user=manager, period=report.resolve_period(**PERIOD))
    assert figures.raised == 5
    assert _counts(figures.by_kind) == {"standard": 1, "normal": 3, "emergency": 1}
    assert {k: v for k, v in _counts(figures.by_status).items() if v} == {
        "draft": 1,
        "assessment": 1,
        "closed": 1,
        "failed": 2,
    }
    assert _counts(figures.by_risk) == {"low": 2, "medium": 1, "high": 0, "": 2}
    assert [(m.month, m.raised, m.closed, m.failed) for m in figures.months] == [
        ("2030-01", {"standard": 0, "normal": 3, "emergency": 0}, 1, 0),
        ("2030-02", {"standard": 1, "normal": 0, "emergency": 1}, 0, 2),
        ("2030-03", {"standard": 0, "normal": 0, "emergency": 0}, 0, 0),
    ]
    assert (figures.finished, figures.closed, figures.failed, figures.rolled_back) == (3, 1, 2, 1)
    assert (figures.success.numerator, figures.success.denominator) == (2, 3)
    assert str(figures.success.value) == "66.7"
    assert str(figures.emergency.value) == "20.0"
    assert (figures.implemented, str(figures.mean_days_lead_time)) == (1, "3.5")
    assert [(f.number, f.rolled_back) for f in figures.failures] == [
        (scenario["b"].number, True),
        (scenario["d"].number, False),
    ]
    assert figures.failures[0].kind_label == "Normal change"
    assert figures.failures[0].risk_label == "Low"
    assert (figures.conflicts.checked, figures.conflicts.with_conflicts) == (4, 1)
    assert {k: v for k, v in _counts(figures.conflicts.by_kind).items() if v} == {"same_ci": 1}
    assert figures.caused_incidents == 1
    assert [(i.ticket_number, i.change_number) for i in figures.incidents] == [
        (scenario["caused"].number, scenario["b"].number)
    ]


def test_the_kpi_is_the_report_figure(manager, scenario, customer_a):
    period = report.resolve_period(**PERIOD)
    for customer in (None, customer_a):
        figures = report.change_report(user=manager, period=period, customer=customer)
        measure = kpis.change_success_rate(
            period_start=period.start, period_end=period.end, customer=customer, user=manager
        )
        assert (measure.value, measure.numerator, measure.denominator) == (
            figures.success.value,
            figures.success.numerator,
            figures.success.denominator,
        )
    assert str(figures.success.value) == "50.0"  # customer A: A closed, B rolled back


def test_one_customer(manager, scenario, customer_a):
    figures = report.change_report(
        user=manager, period=report.resolve_period(**PERIOD), customer=customer_a
    )
    # staff narrowed to customer A: A, B, C and the draft E (D affects no customer)
    assert (figures.raised, figures.finished, figures.rolled_back) == (4, 2, 1)
    assert [f.number for f in figures.failures] == [scenario["b"].number]


def test_a_customer_sees_their_changes_without_internal_figures(customer_user, scenario):
    figures = report.change_report(user=customer_user, period=report.resolve_period(**PERIOD))
    # A, B, C: not the draft E, not D (no customer)
    assert _counts(figures.by_kind) == {"standard": 0, "normal": 2, "emergency": 1}
    assert (figures.finished, str(figures.success.value)) == (2, "50.0")
    assert [f.number for f in figures.failures] == [scenario["b"].number]
    assert (figures.internal, figures.conflicts, figures.caused_incidents, figures.incidents) == (
        False,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2030-13"}, "start"),
        ({"end": "30-01"}, "end"),
        ({"month": "2030-00"}, "month"),
        ({"start": "2030-05", "end": "2030-04"}, "start"),
        ({"start": "2020-01", "end": "2030-01"}, "start"),
        ({"month": "2030-01", "start": "2030-01"}, "month"),
        ({"month": "9999-01"}, "month"),
    ],
)
def test_bad_periods_name_the_field(query, field):
    with pytest.raises(ValidationFailed) as error:
        report.resolve_period(**query)
    assert list(error.value.fields) == [field]


def test_periods():
    assert report.resolve_period(month="2030-02").label == "2030-02"
    period = report.resolve_period(**PERIOD)
    assert (period.label, period.end) == ("2030-01 – 2030-03", local(2030, 4, 1))
    assert len(report.resolve_period().months()) == 12


# --- pages, Excel, API --------------------------------------------------------------------


def test_page_in_both_languages(manager, scenario, browse):
    page = browse(manager).get(reverse("change:report"), PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["report"].raised == 5
    for text in ("Change report", "66.7 %", "20.0 %", "3.5 days", scenario["b"].number):
        assert text in html
    assert 'id="change-trend-chart"' in html and "vendor/echarts/echarts.min.js" in html
    assert page.context["chart"]["kinds"][1]["raised"] == [3, 0, 0]
    assert "Another change on the same CI" in html  # the conflict kinds, by their labels
    assert scenario["caused"].number in html
    zh = browse(manager, "zh-hans").get(reverse("change:report"), PERIOD).content.decode()
    for text in ("变更报告", "变更成功率", "紧急变更", "下载 Excel"):
        assert text in zh
    bad = browse(manager).get(reverse("change:report"), {"start": "2030-13"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["start"] == ["Enter a month as YYYY-MM."]
    zh_bad = browse(manager, "zh-hans").get(reverse("change:report"), {"month": "x"})
    assert zh_bad.status_code == 400
    assert "Enter a month" not in zh_bad.content.decode()


def test_page_of_one_customer_picked_by_name(manager, scenario, customer_a, browse):
    page = browse(manager).get(reverse("change:report"), {**PERIOD, "customer": customer_a.code})
    assert page.status_code == 200
    assert page.context["report"].customer == customer_a
    assert "Customer A" in page.content.decode()
    assert "customer=cust-a" in page.context["excel_url"]
    by_id = browse(manager).get(reverse("change:report"), {**PERIOD, "customer": customer_a.pk})
    assert by_id.context["report"].customer == customer_a  # as the KPI page links it
    unknown = browse(manager).get(reverse("change:report"), {**PERIOD, "customer": "nobody"})
    assert unknown.status_code == 400
    assert list(unknown.context["form"].errors) == ["customer"]


def test_excel_cells(manager, scenario, browse):
    response = browse(manager).get(reverse("change:report_excel"), PERIOD)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('change-report-2030-01_2030-03.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "Summary",
        "By month",
        "Breakdown",
        "Failed changes",
        "Caused incidents",
    ]
    values = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True)}
    assert values["Changes raised"] == 5
    assert values["Change success rate (%)"] == pytest.approx(66.7)
    assert values["Rolled back"] == 1
    assert values["Average lead time, raised to implemented (days)"] == pytest.approx(3.5)
    assert values["Incidents caused by changes"] == 1
    months = list(book["By month"].iter_rows(values_only=True))
    assert months[0] == (
        "Month",
        "Standard change",
        "Normal change",
        "Emergency change",
        "Closed",
        "Failed",
    )
    assert months[2] == ("2030-02", 1, 0, 1, 0, 2)
    failed = list(book["Failed changes"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[5]) for row in failed] == [
        (scenario["b"].number, "Yes"),
        (scenario["d"].number, "No"),
    ]
    # an outcome starting with "=" is text, never a formula
    cell = book["Failed changes"]["G2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=ERP did not start.", "s", True)
    zh = browse(manager, "zh-hans").get(reverse("change:report_excel"), PERIOD)
    zh_book = openpyxl.load_workbook(io.BytesIO(b"".join(zh.streaming_content)))
    assert zh_book.sheetnames[0] == "汇总"


def test_customer_page_and_excel(customer_user, scenario, browse):
    client = browse(customer_user)
    page = client.get(reverse("change:report"), PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert scenario["b"].number in html and scenario["d"].number not in html
    assert 'data-testid="report-conflicts"' not in html
    assert 'data-testid="report-incidents"' not in html
    assert 'name="customer"' not in html
    # another customer's code is ignored: the report stays their own
    assert client.get(reverse("change:report"), {**PERIOD, "customer": "cust-b"}).status_code == 200
    response = client.get(reverse("change:report_excel"), PERIOD)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Caused incidents" not in book.sheetnames


def test_api(manager, customer_user, scenario, customer_a, browse):
    url = reverse("api:change-api:report")
    data = browse(manager).get(url, PERIOD).json()
    assert (data["raised"], data["success"]["value"], data["caused_incidents"]) == (5, "66.7", 1)
    assert data["period"] == PERIOD and data["customer"] is None
    assert data["conflicts"]["with_conflicts"] == 1
    narrowed = browse(manager).get(url, {**PERIOD, "customer": customer_a.code}).json()
    assert (narrowed["customer"], narrowed["raised"]) == ("cust-a", 4)
    bad = browse(manager).get(url, {"start": "2030-13"})
    assert bad.status_code == 400
    assert "start" in bad.json()["fields"]
    assert browse(manager).get(url, {"customer": "nobody"}).status_code == 400
    mine = browse(customer_user).get(url, PERIOD).json()
    assert (mine["raised"], mine["conflicts"], mine["incidents"]) == (3, None, None)


def test_lead_time_counts_implemented_changes_only(manager, requester, questionnaire):
    change = _approved(make_change(requester), requester, manager)
    change = changes.start(change, by=requester)
    changes.complete(change, by=requester)  # in review: implemented
    _stamp(change, created_at=local(2030, 3, 1, 0), actual_end=local(2030, 3, 2, 12))
    figures = report.change_report(user=manager, period=report.resolve_period(month="2030-03"))
    assert (figures.implemented, str(figures.mean_days_lead_time)) == (1, "1.5")
    assert figures.finished == 0 and figures.success.value is None


def test_the_kpi_page_links_the_report_of_its_period_and_customer(
    manager, scenario, customer_a, browse
):
    month = report.resolve_period(month="2030-02")
    for customer in (None, customer_a):
        url = kpis.CHANGE_SUCCESS_RATE.report_url(month.start, month.end, customer)
        page = browse(manager).get(url)
        assert page.status_code == 200
        figures = page.context["report"]
        assert (figures.period, figures.customer) == (month, customer)
        measure = kpis.change_success_rate(
            period_start=month.start, period_end=month.end, customer=customer, user=manager
        )
        assert figures.success.value == measure.value
    assert str(figures.success.value) == "0.0"  # February, customer A: B rolled back
