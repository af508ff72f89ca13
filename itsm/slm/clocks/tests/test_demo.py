import pytest
from django.utils import timezone

from itsm.core.demo import load_demo
from itsm.slm.clocks.models import Clock, SlaTestTicket
from itsm.slm.clocks.services import sweep


@pytest.mark.slow  # loads the whole demo data
@pytest.mark.django_db
def test_demo_test_tickets_are_swept_into_warning_and_breach():
    load_demo()
    assert SlaTestTicket.objects.count() == 2
    assert load_demo() == 0
    bank = SlaTestTicket.objects.get(customer__code="huaxin-bank")
    sweep(now=timezone.now())
    sweep(now=timezone.now())
    clocks = {c.metric: c for c in Clock.objects.filter(object_id=bank.pk)}
    # P2 on the bank's 7×24 SLA: response 30 min (breached after 7 h), resolution 480 min
    # (warned at 75 % = 6 h, not yet breached)
    assert clocks["response"].breached is True
    assert clocks["resolution"].level == 1
    assert clocks["resolution"].breached is False
