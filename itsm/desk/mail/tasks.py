"""Worker jobs of desk e-mail: poll the mailboxes."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from itsm.core.outbox.jobs import periodic
from itsm.desk.mail.services import polling


@periodic("deskmail.poll", every=timedelta(minutes=1), label=_("Service desk mail poll"))
def poll_mailboxes(now) -> str:
    """Read the new mail of every active mailbox into tickets (each mail once)."""
    return polling.summary(polling.poll_active())
