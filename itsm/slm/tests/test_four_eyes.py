"""Four eyes when signing agreements (issue 8 item 10, seed 003 step 5): both parties'
signatories are on record, and the person who drafted the agreement does not sign it."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from itsm.core.errors import FourEyes, ValidationFailed
from itsm.core.testing.api import assert_error, client_for
from itsm.slm.choices import AgreementStatus
from itsm.slm.models import Agreement
from itsm.slm.services import agreements as agreement_services
from itsm.slm.tests.factories import calendar_7x24, published_service, slm_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafter(provider):
    return slm_manager(username="slm-drafter")


@pytest.fixture
def signer(provider):
    return slm_manager(username="slm-signer-2")


def _negotiating(customer, *, by, **fields) -> Agreement:
    """An SLA drafted by *by*, with a target, validity and hours, in negotiation."""
    values = {
        "calendar": calendar_7x24(),
        "valid_from": datetime.date(2026, 1, 1),
        "valid_to": datetime.date(2026, 12, 31),
        "provider_signatory": "张敏 Zhang Min",
        "customer_signatory": "刘洋 Liu Yang",
    }
    values.update(fields)
    agreement = agreement_services.create_agreement(
        kind="sla",
        title="Bank SLA",
        by=by,
        customer=customer,
        services=[published_service(customers=[customer])],
        **values,
    )
    agreement_services.add_target(
        agreement=agreement, by=by, metric="response", priority="p1", target_value=15
    )
    return agreement_services.transition_agreement(agreement, to="negotiating", by=by)


def test_the_drafter_cannot_sign_a_second_manager_can(drafter, signer, customer_a):
    sla = _negotiating(customer_a, by=drafter)
    with pytest.raises(FourEyes) as error:
        agreement_services.transition_agreement(sla, to="signed", by=drafter)
    assert (error.value.code, error.value.status) == ("four_eyes", 403)
    sla = Agreement.objects.get(pk=sla.pk)
    assert (sla.status, sla.signed_by, sla.ci_id) == (AgreementStatus.NEGOTIATING, None, None)
    agreement_services.transition_agreement(sla, to="signed", by=signer)
    sla.refresh_from_db()
    assert (sla.status, sla.signed_by) == (AgreementStatus.SIGNED, signer)
    # activating is not an approval: the drafter may do it
    agreement_services.transition_agreement(sla, to="active", by=drafter)
    assert Agreement.objects.get(pk=sla.pk).status == AgreementStatus.ACTIVE


def test_signing_needs_both_signatories(drafter, signer, customer_a):
    sla = _negotiating(customer_a, by=drafter, provider_signatory="", customer_signatory="")
    with pytest.raises(ValidationFailed) as error:
        agreement_services.transition_agreement(sla, to="signed", by=signer)
    assert set(error.value.fields) == {"provider_signatory", "customer_signatory"}
    sla = Agreement.objects.get(pk=sla.pk)
    agreement_services.update_agreement(sla, by=drafter, provider_signatory="张敏 Zhang Min")
    with pytest.raises(ValidationFailed) as error:
        agreement_services.transition_agreement(sla, to="signed", by=signer)
    assert set(error.value.fields) == {"customer_signatory"}
    sla = Agreement.objects.get(pk=sla.pk)
    agreement_services.update_agreement(sla, by=drafter, customer_signatory="刘洋 Liu Yang")
    agreement_services.transition_agreement(sla, to="signed", by=signer)
    assert Agreement.objects.get(pk=sla.pk).status == AgreementStatus.SIGNED


def test_api_answers_four_eyes(drafter, signer, customer_a):
    sla = _negotiating(customer_a, by=drafter)
    url = reverse("api:slm-api:agreement-transition", kwargs={"pk": sla.pk})
    body = assert_error(
        client_for(drafter).post(url, {"to": "signed", "version": sla.version}, format="json"),
        403,
        "four_eyes",
    )
    # in the user's language (zh-Hans by default)
    assert body["detail"] == "此协议由您起草：必须由另一位服务级别经理签署。"
    signed = client_for(signer).post(url, {"to": "signed", "version": sla.version}, format="json")
    assert (signed.status_code, signed.json()["signed_by"]) == (200, signer.pk)


def test_the_page_says_why_the_drafter_cannot_sign(drafter, customer_a):
    sla = _negotiating(customer_a, by=drafter)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(drafter)
    response = client.post(
        reverse("slm:agreement_transition", args=[sla.pk]),
        {"to": "signed", "version": sla.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "另一位服务级别经理" in response.content.decode()
    assert Agreement.objects.get(pk=sla.pk).status == AgreementStatus.NEGOTIATING


def test_the_drafter_sees_no_sign_button_but_why(drafter, signer, customer_a):
    sla = _negotiating(customer_a, by=drafter)
    url = reverse("slm:agreement_detail", args=[sla.pk])
    pages = {}
    for user in (drafter, signer):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        pages[user.username] = client.get(url).content.decode()
    assert 'data-testid="four-eyes"' in pages["slm-drafter"]
    assert 'data-testid="transition-sign"' not in pages["slm-drafter"]
    assert 'data-testid="four-eyes"' not in pages["slm-signer-2"]
    assert 'data-testid="transition-sign"' in pages["slm-signer-2"]
