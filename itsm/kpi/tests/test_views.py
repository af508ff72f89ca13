"""The KPI page ``/kpi/`` in English and Chinese, its filters and tenancy."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

pytestmark = pytest.mark.django_db

URL = "/kpi/"


#: the KPIs these tests set figures up for (other apps declare more: their own tests)
OWN = ("sla_achievement", "configuration_accuracy")


def _rows(response):
    return {
        f.kpi.id: (f.value, f.measure.numerator, f.measure.denominator)
        for f in response.context["figures"]
        if f.kpi.id in OWN
    }


def test_staff_page_in_english(data, en, client):
    client.force_login(en)
    response = client.get(URL, {"period": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SLA achievement" in html and "Configuration accuracy" in html
    assert "54.5&nbsp;%" in html and "6 / 11" in html
    assert "42.9&nbsp;%" in html and "3 / 7" in html
    assert 'href="/slm/reports/?start=2026-03&amp;end=2026-03&amp;group_by=customer"' in html
    assert _rows(response) == {
        "sla_achievement": (D("54.5"), 6, 11),
        "configuration_accuracy": (D("42.9"), 3, 7),
    }


def test_staff_page_for_one_customer(data, en, client, customer_a):
    client.force_login(en)
    response = client.get(URL, {"period": "2026-03", "customer": customer_a.pk})
    assert response.status_code == 200
    assert _rows(response)["sla_achievement"] == (D("55.6"), 5, 9)
    assert "KPIs for Customer A, 2026-03" in response.content.decode()


def test_page_in_chinese(data, admin_user, client):
    client.force_login(admin_user)  # zh-Hans by default
    response = client.get(URL, {"period": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "SLA 达成情况" in html and "54.5&nbsp;%" in html


def test_customer_page(data, customer_user, customer_b, client):
    client.force_login(customer_user)
    response = client.get(URL, {"period": "2026-03"})
    assert response.status_code == 200
    assert _rows(response) == {"sla_achievement": (D("55.6"), 5, 9)}
    assert 'name="customer"' in response.content.decode()  # hidden: no picker of customers
    assert "Customer B" not in response.content.decode()
    assert client.get(URL, {"customer": customer_b.pk}).status_code == 404


def test_bad_filters_answer_400_naming_the_field(data, admin_user, client):
    client.force_login(admin_user)
    response = client.get(URL, {"period": "2026-13", "customer": "abc"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"period", "customer"}
    assert 'data-testid="kpi-invalid"' in response.content.decode()


def test_login_required(client):
    assert client.get(URL).status_code == 302


def test_navigation_entry(data, customer_user, client):
    client.force_login(customer_user)
    html = client.get(URL).content.decode()
    assert 'href="/kpi/"' in html
