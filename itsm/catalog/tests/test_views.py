"""Catalogue pages: staff list/detail/forms/category tree, lifecycle buttons, the customer
portal, in English and Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.catalog.models import Service, ServiceCategory
from itsm.catalog.tests.factories import (
    make_category,
    make_published,
    make_service,
    service_hours,
    service_owner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse():
    def make(user, language="en"):
        type(user).objects.filter(pk=user.pk).update(language=language)
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["Service catalogue", "Published", "Draft", "New service"]),
        # the catalogue's own msgids are merged into the .po by the lead; these exist already
        ("zh-hans", ['lang="zh-hans"', "筛选", "退出登录"]),
    ],
)
def test_staff_pages_render(slm, customer_a, browse, language, texts):
    root = make_category(code="01", name="Infrastructure", by=slm)
    published = make_published(customers=[customer_a], category=root)
    draft = make_service(customers=[customer_a], category=root)
    client = browse(slm, language)
    page = client.get(reverse("catalog:service_list"))
    assert page.status_code == 200
    content = page.content.decode()
    for text in texts:
        assert text in content
    assert f'data-service="{published.code}"' in content
    assert f'data-service="{draft.code}"' in content
    for name, args in [
        ("catalog:service_detail", [published.pk]),
        ("catalog:service_detail", [draft.pk]),
        ("catalog:service_edit", [draft.pk]),
        ("catalog:service_create", []),
        ("catalog:category_list", []),
        ("catalog:category_create", []),
        ("catalog:category_edit", [root.pk]),
        ("catalog:portal", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)


def test_list_filters_and_query_count(slm, customer_a, browse, django_assert_max_num_queries):
    root = make_category(code="01", by=slm)
    for _ in range(3):
        make_published(customers=[customer_a], category=root)
    draft = make_service(customers=[customer_a], category=root)
    client = browse(slm)
    client.get(reverse("catalog:service_list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("catalog:service_list"), {"status": "draft"})
    content = page.content.decode()
    assert content.count("data-service=") == 1
    assert f'data-service="{draft.code}"' in content


def test_detail_shows_who_and_when_and_buttons(slm, writer, customer_a, browse):
    service = make_service(customers=[customer_a], by=writer)
    client = browse(writer)
    page = client.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert 'data-transition="submit"' in page
    assert 'data-transition="publish"' not in page
    response = client.post(
        reverse("catalog:service_transition", args=[service.pk]),
        {"to": "in_review", "version": service.version},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.status, service.submitted_by) == ("in_review", writer)
    page = browse(slm).get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert 'data-transition="publish"' in page and 'data-transition="reject"' in page
    assert "maintainer" in page  # the submitter is shown with the step


def test_publish_errors_are_shown(slm, browse):
    service = make_service(by=slm, customers=[], description="")
    client = browse(slm)
    page = client.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert 'data-testid="missing-fields"' in page
    response = client.post(
        reverse("catalog:service_transition", args=[service.pk]),
        {"to": "in_review", "version": service.version},
        follow=True,
    )
    content = response.content.decode()
    assert "Description: Required to publish the service." in content
    assert "Customers: Required to publish the service." in content
    service.refresh_from_db()
    assert service.status == "draft"


def test_create_and_edit_service_through_forms(slm, customer_a, browse):
    category = make_category(code="01", by=slm)
    client = browse(slm)
    response = client.post(
        reverse("catalog:service_create"),
        {
            "code": "SVC-FORM-01",
            "name": "Form service",
            "category": category.pk,
            "description": "Made in a form.",
            "owner": service_owner().pk,
            "modes": ["remote", "resident"],
            "service_hours": service_hours().pk,
            "charging_basis": "per_ticket",
            "price": "",
            "customers": [customer_a.pk],
        },
    )
    assert response.status_code == 200  # the price is required for per-ticket charging
    assert "A price is required unless the service is included." in response.content.decode()
    response = client.post(
        reverse("catalog:service_create"),
        {
            "code": "SVC-FORM-01",
            "name": "Form service",
            "category": category.pk,
            "description": "Made in a form.",
            "owner": service_owner().pk,
            "modes": ["remote", "resident"],
            "service_hours": service_hours().pk,
            "charging_basis": "per_ticket",
            "price": "50",
            "customers": [customer_a.pk],
            "linked_ci_numbers": "",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(code="SVC-FORM-01")
    assert service.modes == ["remote", "resident"]
    assert list(service.customers.all()) == [customer_a]
    edit = client.post(
        reverse("catalog:service_edit", args=[service.pk]),
        {
            "version": service.version,
            "code": "SVC-FORM-01",
            "name": "Renamed",
            "category": category.pk,
            "description": "Made in a form.",
            "owner": service_owner().pk,
            "modes": ["remote"],
            "service_hours": service_hours().pk,
            "charging_basis": "per_ticket",
            "price": "50",
            "customers": [customer_a.pk],
            "linked_ci_numbers": "CI-999999",
        },
    )
    assert edit.status_code == 200
    assert (
        "No configuration item “CI-999999” that you may choose: pick one from the list."
        in edit.content.decode()
    )
    service.refresh_from_db()
    assert service.name == "Form service"


def test_items_through_the_detail_page(slm, customer_a, browse):
    service = make_service(customers=[customer_a], by=slm)
    client = browse(slm)
    client.post(
        reverse("catalog:item_add", args=[service.pk]),
        {"code": "IT-1", "name": "PC repair", "description": "", "order": 10},
    )
    item = service.items.get()
    assert item.name == "PC repair"
    client.post(
        reverse("catalog:item_edit", args=[service.pk, item.pk]),
        {"version": item.version, "code": "IT-1", "name": "PC fault repair", "order": 10},
    )
    item.refresh_from_db()
    assert item.name == "PC fault repair"
    remove = reverse("catalog:item_remove", args=[service.pk, item.pk])
    assert client.post(remove).status_code == 200  # the confirmation page first
    assert service.items.exists()
    client.post(remove, {"confirmed": "yes"})
    assert not service.items.exists()


def test_category_forms(slm, admin_user, browse):
    client = browse(slm)
    response = client.post(
        reverse("catalog:category_create"), {"code": "1", "name": "Bad", "description": ""}
    )
    assert response.status_code == 200
    assert "Use two digits per level" in response.content.decode()
    client.post(reverse("catalog:category_create"), {"code": "01", "name": "Infra"})
    root = ServiceCategory.objects.get(code="01")
    client.post(
        reverse("catalog:category_create"), {"code": "01.01", "name": "Servers", "parent": root.pk}
    )
    tree = client.get(reverse("catalog:category_list")).content.decode()
    assert 'data-code="01.01"' in tree
    child = ServiceCategory.objects.get(code="01.01")
    assert browse(slm).post(reverse("catalog:category_delete", args=[child.pk])).status_code == 403
    browse(admin_user).post(
        reverse("catalog:category_delete", args=[child.pk]), {"confirmed": "yes"}
    )
    assert not ServiceCategory.objects.filter(code="01.01").exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_portal_shows_only_the_customers_published_catalogue(
    slm, customer_a, customer_b, customer_user, browse, language
):
    root = make_category(code="01", name="Infrastructure", by=slm)
    sub = make_category(code="01.01", name="Servers", parent=root, by=slm)
    mine = make_published(customers=[customer_a], category=sub, name="Server care")
    from itsm.catalog import services

    services.add_item(service=mine, code="S1", name="Monthly inspection", by=slm)
    other = make_published(customers=[customer_b], category=sub, name="Other customer's")
    draft = make_service(customers=[customer_a], category=root, name="Secret draft")
    client = browse(customer_user, language)
    assert client.get(reverse("catalog:service_list")).url == reverse("catalog:portal")
    page = client.get(reverse("catalog:portal"))
    content = page.content.decode()
    assert page.status_code == 200
    assert f'data-service="{mine.code}"' in content
    assert "Monthly inspection" in content
    assert f'data-service="{other.code}"' not in content
    assert "Secret draft" not in content
    assert f'lang="{language}"' in content
    assert ("Remote support" if language == "en" else "退出登录") in content
    for hidden in (draft, other):
        assert client.get(reverse("catalog:service_detail", args=[hidden.pk])).status_code == 404
        assert client.get(reverse("catalog:service_edit", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("catalog:service_detail", args=[mine.pk])).status_code == 302
    assert client.get(reverse("catalog:service_create")).status_code == 403
    assert client.get(reverse("catalog:category_list")).status_code == 403


def test_staff_preview_a_customers_catalogue(slm, customer_a, customer_b, browse):
    root = make_category(code="01", by=slm)
    a = make_published(customers=[customer_a], category=root)
    b = make_published(customers=[customer_b], category=root)
    content = (
        browse(slm).get(reverse("catalog:portal"), {"customer": customer_b.pk}).content.decode()
    )
    assert f'data-service="{b.code}"' in content
    assert f'data-service="{a.code}"' not in content


def test_portal_query_count_does_not_grow(slm, customer_a, customer_user, browse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from itsm.catalog import services

    root = make_category(code="01", by=slm)
    sub = make_category(code="01.01", parent=root, by=slm)
    client = browse(customer_user)
    counts = []
    for extra in (2, 6):
        for _ in range(extra):
            service = make_published(customers=[customer_a], category=sub)
            services.add_item(service=service, code="I1", name="Item", by=slm)
        client.get(reverse("catalog:portal"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("catalog:portal"))
        assert page.content.decode().count('data-testid="service-card"') == Service.objects.count()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
