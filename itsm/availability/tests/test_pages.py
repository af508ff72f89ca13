"""Pages of availability management in English and zh-Hans: the outage list, detail, create
(bad input on the form, naming the field), edit, delete (asked first), sync; the availability
page (hand-computed figure, tenancy, bad month) and its Excel file."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.availability import services
from itsm.availability.models import Outage
from itsm.availability.tests.factories import march_outages, sla_8x5
from itsm.slm.tests.factories_reports import local, make_service

pytestmark = pytest.mark.django_db

LANGUAGES = pytest.mark.parametrize("language", ["en", "zh-hans"])


def _outage(customer, **fields):
    fields.setdefault("service", make_service(name="Email"))
    fields.setdefault("started_at", local(2026, 3, 2, 10))
    return services.record_outage(customer=customer, **fields)


@LANGUAGES
def test_list_and_detail(admin_user, customer_a, browse, language):
    outage = _outage(customer_a, description="Core switch failure")
    client = browse(admin_user, language)
    html = client.get(reverse("availability:outage_list")).content.decode()
    assert outage.number in html and 'data-testid="outage-create"' in html
    html = client.get(reverse("availability:outage_detail", args=[outage.pk])).content.decode()
    assert 'data-testid="outage-kind" data-kind="unplanned"' in html
    assert 'data-open="1"' in html and 'data-testid="outage-delete"' in html
    assert "Core switch failure" in html


def test_customers_see_only_their_own_outages(customer_user, customer_a, customer_b, browse):
    own, other = _outage(customer_a), _outage(customer_b)
    client = browse(customer_user)
    html = client.get(reverse("availability:outage_list")).content.decode()
    assert own.number in html and other.number not in html
    assert 'data-testid="outage-create"' not in html
    assert client.get(reverse("availability:outage_detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("availability:outage_create"))
    assert response.status_code in (403, 404)


@LANGUAGES
def test_create_through_the_form(admin_user, customer_a, browse, language):
    service = make_service(code="SVC-MAIL", name="Email")
    client = browse(admin_user, language)
    response = client.post(
        reverse("availability:outage_create"),
        {
            "service": service.code,
            "customer": customer_a.code,
            "kind": "unplanned",
            "started_at": "2026-03-02T10:00",
            "ended_at": "2026-03-02T11:30",
            "description": "Switch",
        },
    )
    outage = Outage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("availability:outage_detail", args=[outage.pk])
    assert (outage.service, outage.customer, outage.source) == (service, customer_a, "manual")
    assert outage.ended_at - outage.started_at == timedelta(minutes=90)


def test_bad_input_is_shown_on_the_field(admin_user, browse):
    service = make_service(code="SVC-MAIL", name="Email")
    client = browse(admin_user)
    ahead = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for data, text in (
        (
            {"started_at": "2026-03-02T10:00", "ended_at": "2026-03-02T09:00"},
            "The end must not be before the start.",
        ),
        ({"started_at": ahead}, "An unplanned outage cannot start in the future."),
        ({"started_at": "yesterday"}, "Enter a valid date/time."),
    ):
        response = client.post(
            reverse("availability:outage_create"),
            {"service": service.code, "kind": "unplanned", **data},
        )
        assert response.status_code == 200
        assert text in response.content.decode()
    assert Outage.objects.count() == 0


def test_edit_and_delete_asks_first(admin_user, customer_a, browse):
    outage = _outage(customer_a)
    client = browse(admin_user)
    url = reverse("availability:outage_edit", args=[outage.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "service": outage.service.code,
            "customer": customer_a.code,
            "kind": "unplanned",
            "started_at": "2026-03-02T10:00",
            "ended_at": "2026-03-02T10:45",
            "description": "Fixed",
            "version": outage.version,
        },
    )
    assert response.status_code == 302
    outage.refresh_from_db()
    assert (outage.description, outage.version) == ("Fixed", 2)
    delete = reverse("availability:outage_delete", args=[outage.pk])
    response = client.post(delete)
    assert response.status_code == 200 and Outage.objects.filter(pk=outage.pk).exists()
    response = client.post(delete, {"confirmed": "yes"})
    assert response.status_code == 302 and not Outage.objects.filter(pk=outage.pk).exists()


def test_sync_button(admin_user, browse):
    response = browse(admin_user).post(reverse("availability:outage_sync"))
    assert response.status_code == 302


@LANGUAGES
def test_availability_page(admin_user, customer_a, browse, language):
    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    client = browse(admin_user, language)
    response = client.get(reverse("availability:availability"), {"month": "2026-03"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-agreement="{d.agreement.pk}"' in html
    assert 'data-availability="98.276" data-status="not_met"' in html
    assert 'data-mtbf="338.00" data-mtrs="34.00"' in html
    assert 'id="availability-chart-data"' in html
    assert "?month=2026-03" in html  # the Excel link


def test_availability_page_tenancy(customer_user, customer_a, customer_b, browse):
    own, other = sla_8x5(customer_a), sla_8x5(customer_b)
    html = (
        browse(customer_user)
        .get(reverse("availability:availability"), {"month": "2026-03"})
        .content.decode()
    )
    assert f'data-agreement="{own.agreement.pk}"' in html
    assert f'data-agreement="{other.agreement.pk}"' not in html


def test_availability_page_bad_month(admin_user, browse):
    response = browse(admin_user).get(reverse("availability:availability"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM." in response.content.decode()


def test_excel(admin_user, customer_a, browse):
    from openpyxl import load_workbook

    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    response = browse(admin_user).get(
        reverse("availability:availability_excel"), {"month": "2026-03"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][7] == "Availability (%)"
    assert rows[1][2] == str(d.service) and rows[1][7] == pytest.approx(98.276)
