"""The shared record list (``core.lists``): sorting with keyset paging across ties and NULLs,
the choice of columns, CSV/Excel export of the filtered, sorted, restricted list, and the exact
answers to bad parameters. Exercised on the test-only sample ticket (customer-owned rows)."""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import re

import django_filters
import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import TextField, Value
from django.db.models.functions import NullIf
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.core.lists import Column, RecordListView
from itsm.core.models import Organisation
from itsm.core.testing.sample.choices import SampleStatus
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket

pytestmark = pytest.mark.django_db


class TicketFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SampleStatus.choices, label=_("status"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), label=_("customer")
    )

    class Meta:
        model = SampleTicket
        fields = ["status", "customer"]


class TicketList(RecordListView):
    model = SampleTicket
    filterset_class = TicketFilterSet
    default_sort = "-id"
    page_size = 3
    columns = (
        Column("number", _("Number"), sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("status", _("Status"), choices=SampleStatus, sort="status"),
        Column(
            "resolution",
            _("Resolution"),
            sort=NullIf("resolution", Value(""), output_field=TextField()),
            visible=False,
        ),
        Column(
            "customer",
            _("Customer"),
            value="customer.name",
            sort="customer__name",
            staff_only=True,
        ),
        Column("created_at", _("Created"), sort="created_at"),
    )


VIEW = TicketList.as_view()
TITLES = ["b", "a", "b", "c", "b", "a", '=HYPERLINK("http://x")', "c", "b"]


@pytest.fixture
def tickets(customer_a, customer_b):
    rows = []
    for index, title in enumerate(TITLES):
        rows.append(
            create_sample_ticket(title=title, customer=customer_a if index % 3 else customer_b)
        )
    # resolutions: some empty (NULL through NullIf), some equal
    for ticket, text in zip(rows, ["x", "", "y", "x", "", "", "y", "x", ""], strict=True):
        SampleTicket.objects.filter(pk=ticket.pk).update(resolution=text)
    return rows


def call(user, query: str = "", *, method="get", data=None, session=None, language="en"):
    factory = RequestFactory()
    path = "/sample-tickets/" + (f"?{query}" if query else "")
    request = factory.post(path, data or {}) if method == "post" else factory.get(path)
    request.user = user
    request.session = session if session is not None else SessionStore()
    request._messages = FallbackStorage(request)
    with translation.override(language):
        response = VIEW(request)
        response.request_seen = request
        if hasattr(response, "render"):
            response.render()
    return response


def walk(user, query: str) -> list[int]:
    """Every id of the list, page after page through the ``Next page`` links."""
    ids: list[int] = []
    response = call(user, query)
    for _page in range(20):
        assert response.status_code == 200
        ids += [row.pk for row in response.context_data["page"].rows]
        cursor = response.context_data["page"].next_cursor
        if cursor is None:
            return ids
        assert f"cursor={cursor}" in response.content.decode()
        response = call(user, f"{query}&cursor={cursor}" if query else f"cursor={cursor}")
    raise AssertionError("the pages never end")


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_pages_across_ties_in_sort_value_then_id_order(admin_user, tickets, descending):
    rows = list(SampleTicket.objects.all())
    expected = [t.pk for t in sorted(rows, key=lambda t: (t.title, t.pk), reverse=descending)]
    ids = walk(admin_user, "sort=-title" if descending else "sort=title")
    assert ids == expected  # every row once, in (title, id) order, across 3-row pages


@pytest.mark.parametrize("descending", [False, True])
def test_empty_values_sort_last_in_both_directions_and_paging_stays_exact(
    admin_user, tickets, descending
):
    rows = list(SampleTicket.objects.all())
    filled = sorted(
        (t for t in rows if t.resolution), key=lambda t: (t.resolution, t.pk), reverse=descending
    )
    empty = sorted((t for t in rows if not t.resolution), key=lambda t: t.pk, reverse=descending)
    ids = walk(admin_user, "sort=-resolution" if descending else "sort=resolution")
    assert ids == [t.pk for t in filled + empty]


def test_default_sort_is_newest_first(admin_user, tickets):
    assert walk(admin_user, "") == sorted((t.pk for t in tickets), reverse=True)


@pytest.mark.parametrize("sort", ["nosuch", "-nosuch", "--title", "customer__name", "__class__"])
def test_an_unknown_sort_is_ignored(admin_user, tickets, sort):
    response = call(admin_user, f"sort={sort}")
    assert response.status_code == 200
    assert [r.pk for r in response.context_data["page"].rows] == sorted(
        (t.pk for t in tickets), reverse=True
    )[:3]


def test_a_customer_cannot_sort_by_or_see_a_staff_only_column(customer_user, tickets):
    response = call(customer_user, "sort=customer")
    assert response.status_code == 200
    assert response.context_data["list"]["sort"].name == "id"  # the default, not "customer"
    html = response.content.decode()
    assert 'data-column="customer"' not in html
    assert 'value="customer"' not in html  # not offered in the column menu either


def test_headers_link_to_the_other_direction_and_keep_the_filter(admin_user, tickets):
    html = call(admin_user, "status=new&sort=title").content.decode()
    assert 'href="?status=new&amp;sort=-title"' in html  # sorted ascending: next click descends
    assert 'aria-sort="ascending"' in html
    assert 'href="?status=new&amp;sort=number"' in html
    assert '<input type="hidden" name="sort" value="title">' in html  # the filter keeps it


def _cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "sort,cursor",
    [
        ("title", "garbage!"),
        ("title", "%00"),
        ("title", _cursor([])),
        ("title", _cursor(["x", -1])),
        ("title", _cursor(["x", 0])),
        ("title", _cursor(["x", "1"])),
        ("title", _cursor(["x", True])),
        ("title", _cursor(["x", 2**63])),
        ("title", _cursor([["x"], 1])),
        ("title", _cursor({"x": 1})),
        ("created_at", _cursor(["not-a-date", 1])),
        ("-id", _cursor([None, "x"])),
    ],
)
def test_a_cursor_the_list_did_not_make_answers_400(admin_user, tickets, sort, cursor):
    response = call(admin_user, f"sort={sort}&cursor={cursor}")
    assert response.status_code == 400
    assert b"page link is not valid" in response.content


def test_column_choice_is_remembered_per_list_and_reset(admin_user, tickets):
    session = SessionStore()
    headers = call(admin_user, session=session).context_data["list"]["headers"]
    default = [h["column"].name for h in headers]
    assert default == ["number", "title", "status", "customer", "created_at"]
    response = call(
        admin_user,
        method="post",
        data={"columns": ["resolution", "title", "nosuch"], "next": "/sample-tickets/?sort=title"},
        session=session,
    )
    assert (response.status_code, response["Location"]) == (302, "/sample-tickets/?sort=title")
    shown = call(admin_user, "sort=title", session=session).context_data["list"]["headers"]
    assert [h["column"].name for h in shown] == ["title", "resolution"]  # declared order
    assert (
        call(admin_user, session=SessionStore()).context_data["list"]["headers"][0]["column"].name
        == "number"
    )  # another session (another user) is unaffected
    response = call(admin_user, method="post", data={"reset": "1"}, session=session)
    assert response.status_code == 302
    headers = call(admin_user, session=session).context_data["list"]["headers"]
    assert [h["column"].name for h in headers] == default


def test_column_choice_redirects_only_back_to_the_list(admin_user, tickets):
    for target in ("https://evil.example/", "//evil.example/", "/admin/"):
        response = call(admin_user, method="post", data={"columns": ["title"], "next": target})
        assert (response.status_code, response["Location"]) == (302, "/sample-tickets/")


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_holds_every_filtered_sorted_row_with_labels_and_local_times(
    admin_user, tickets
):
    first = tickets[0]
    SampleTicket.objects.filter(pk=first.pk).update(
        created_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    with timezone.override("Asia/Shanghai"):
        response = call(admin_user, "status=new&sort=-title&export=csv", language="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="sample-sampleticket-\d{8}\.csv"', response["Content-Disposition"]
    )
    rows = read_csv(response)
    assert rows[0] == ["编号", "标题", "状态", "客户", "已创建"]  # translated headers
    body = rows[1:]
    assert len(body) == len(tickets)  # every row, not one page of 3
    titles = [r[1] for r in body]
    expected = sorted((t.title for t in tickets), reverse=True)
    assert titles == [("'" + t if t.startswith("=") else t) for t in expected]
    assert {r[2] for r in body} == {"新建"}  # the label, not the code "new"
    row = next(r for r in body if r[0] == first.number)
    assert row[4] == "2026-03-02 07:30"  # in the reader's time zone
    assert '\'=HYPERLINK("http://x")' in titles  # formula neutralised


def test_xlsx_export_writes_text_never_formulas(admin_user, tickets):
    response = call(admin_user, "sort=title&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Number", "Title", "Status", "Customer", "Created"]
    assert len(values) == 1 + len(tickets)
    formula_cell = next(row for row in sheet.iter_rows(min_row=2) if row[1].value.startswith("="))
    assert formula_cell[1].data_type == "s"  # a string, not a formula
    assert formula_cell[1].quotePrefix
    assert isinstance(values[1][4], datetime.datetime)


def test_export_uses_the_chosen_columns(admin_user, tickets):
    session = SessionStore()
    call(admin_user, method="post", data={"columns": ["number", "status"]}, session=session)
    response = call(admin_user, "export=csv", session=session)
    assert read_csv(response)[0] == ["Number", "Status"]


def test_a_customer_exports_only_their_rows_and_no_internal_columns(customer_user, tickets):
    response = call(customer_user, "export=csv")
    rows = read_csv(response)
    assert rows[0] == ["Number", "Title", "Status", "Created"]
    mine = {t.number for t in tickets if t.customer_id == customer_user.organisation_id}
    assert {r[0] for r in rows[1:]} == mine
    assert 0 < len(mine) < len(tickets)


def test_filter_choices_list_only_visible_organisations(customer_user, tickets):
    response = call(customer_user)
    choices = response.context_data["filterset"].filters["customer"].queryset
    assert list(choices) == [customer_user.organisation]


def test_bad_export_parameters_answer_400(admin_user, tickets):
    response = call(admin_user, "export=pdf")
    assert response.status_code == 400
    assert b"Unknown export format" in response.content
    response = call(admin_user, "export=csv&status=bogus")
    assert response.status_code == 400
    assert b"status" in response.content


@override_settings(ITSM_LIST_EXPORT_MAX_ROWS=4)
def test_an_export_above_the_limit_is_refused_with_a_message(admin_user, tickets):
    response = call(admin_user, "sort=title&export=xlsx")
    assert (response.status_code, response["Location"]) == (302, "/sample-tickets/?sort=title")
    [message] = get_messages(response.request_seen)
    assert "More than 4 rows" in str(message)
