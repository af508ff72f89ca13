"""The slm demo step: agreements through services, the underpinning warning, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from itsm.core.demo import DEMO_STEPS
from itsm.core.models import User
from itsm.slm.demo import load_slm
from itsm.slm.models import Agreement, ReviewMeeting
from itsm.slm.services import agreements as agreement_services

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


def test_demo_agreements():
    for step in DEMO_STEPS:
        if step is not load_slm:
            step()
    assert load_slm() >= 5
    maintainer = User.objects.get(username="maintainer")
    bank = Agreement.objects.get(kind="sla", customer__code="huaxin-bank")
    assert bank.status == "active"
    assert bank.change_reference == "CHG-000001"
    assert bank.targets.filter(metric="resolution", priority="p1").get().target_value == 240
    uc = Agreement.objects.get(kind="uc")
    assert [w["other"] for w in uc.underpinning_warnings] == [bank.number]
    assert any(w["other"] == uc.number for w in bank.underpinning_warnings)
    assert Agreement.objects.filter(kind="sla", status="active").count() == 3
    # four eyes: the maintainer drafted every agreement, slm signed it; signatories recorded
    for agreement in Agreement.objects.all():
        drafter = agreement_services.drafted_by_id(agreement)
        assert (drafter, agreement.signed_by.username) == (maintainer.pk, "slm"), agreement
        assert agreement.provider_signatory and agreement.customer_signatory
    assert bank.customer_signatory == "刘洋 Liu Yang (Huaxin Bank)"
    assert (
        ReviewMeeting.objects.filter(
            agreement=bank, due_date__year=timezone.localdate().year
        ).count()
        == 15
    )
    assert load_slm() == 0
