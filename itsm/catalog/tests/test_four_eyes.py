"""Four eyes in the service lifecycle (issue 8 item 10): whoever submitted a service for
review does not review it — neither publish it nor return it to draft — in the services, the
API and the pages; a second service level manager does."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.catalog import services
from itsm.catalog.choices import ServiceStatus
from itsm.catalog.tests.factories import make_service
from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.errors import FourEyes
from itsm.core.testing.api import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_slm(provider):
    return core_services.create_user(
        username="slm-2",
        organisation=provider,
        password="Itsm-demo-2026!",
        roles=(Role.SERVICE_LEVEL_MANAGER,),
        email="slm-2@example.com",
    )


def test_submitter_can_neither_publish_nor_return_their_own_service(slm, second_slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    services.submit_service(service, by=slm)
    with pytest.raises(FourEyes) as error:
        services.publish_service(service, by=slm)
    assert (error.value.code, error.value.status) == ("four_eyes", 403)
    assert "another service level manager" in str(error.value.detail)
    with pytest.raises(FourEyes):
        services.reject_service(service, by=slm, note="Withdrawn")
    service.refresh_from_db()
    assert (service.status, service.reviewed_by, service.published_by) == (
        ServiceStatus.IN_REVIEW,
        None,
        None,
    )
    services.publish_service(service, by=second_slm)
    service.refresh_from_db()
    assert (service.status, service.submitted_by, service.published_by) == (
        ServiceStatus.PUBLISHED,
        slm,
        second_slm,
    )


def test_a_second_manager_returns_a_service_to_draft(slm, second_slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    services.submit_service(service, by=slm)
    services.reject_service(service, by=second_slm, note="Price missing")
    service.refresh_from_db()
    assert (service.status, service.reviewed_by) == (ServiceStatus.DRAFT, second_slm)


def test_api_answers_four_eyes(slm, second_slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    url = reverse("api:catalog-api:service-transition", kwargs={"pk": service.pk})
    submitted = client_for(slm).post(url, {"to": "in_review", "version": 1}, format="json")
    assert submitted.status_code == 200
    body = assert_error(
        client_for(slm).post(url, {"to": "published", "version": 2}, format="json"),
        403,
        "four_eyes",
    )
    # in the user's language (zh-Hans by default)
    assert body["detail"] == "此服务由您提交评审：必须由另一位服务级别经理评审。"
    published = client_for(second_slm).post(url, {"to": "published", "version": 2}, format="json")
    assert (published.status_code, published.json()["status"]) == (200, "published")


def test_the_page_says_why_the_submitter_cannot_publish(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    services.submit_service(service, by=slm)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(slm)
    response = client.post(
        reverse("catalog:service_transition", args=[service.pk]),
        {"to": "published", "version": service.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "另一位服务级别经理" in response.content.decode()
    service.refresh_from_db()
    assert service.status == ServiceStatus.IN_REVIEW


def test_the_submitter_sees_no_review_buttons_but_why(slm, second_slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    services.submit_service(service, by=slm)
    url = reverse("catalog:service_detail", args=[service.pk])
    pages = {}
    for user in (slm, second_slm):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        pages[user.username] = client.get(url).content.decode()
    assert 'data-testid="four-eyes"' in pages["slm"]
    assert 'data-transition="publish"' not in pages["slm"]
    assert 'data-transition="reject"' not in pages["slm"]
    assert 'data-testid="four-eyes"' not in pages["slm-2"]
    assert 'data-transition="publish"' in pages["slm-2"]
