"""The demo step of desk e-mail: idempotent, through the services, rows for the pages."""

from __future__ import annotations

import pytest

from itsm.core.demo import DEMO_STEPS
from itsm.desk.mail import demo
from itsm.desk.mail.choices import Outcome
from itsm.desk.mail.models import InboundMail, Mailbox

pytestmark = pytest.mark.django_db


def test_demo_makes_a_mailbox_and_mail_to_look_at_once(admin_user):
    assert admin_user.username == "admin"  # the demo step's actor
    assert demo.load_deskmail in DEMO_STEPS
    assert demo.load_deskmail() == 4
    assert demo.load_deskmail() == 0

    mailbox = Mailbox.objects.get()
    assert mailbox.is_active is False
    assert list(InboundMail.objects.order_by("id").values_list("outcome", flat=True)) == [
        Outcome.UNMATCHED,
        Outcome.AUTO_IGNORED,
        Outcome.BOUNCE_UNMATCHED,
    ]
    assert InboundMail.objects.filter(ticket__isnull=False).count() == 0
