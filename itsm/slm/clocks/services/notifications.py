"""Who is told about a clock's warning or breach, and what they read.

Every active administrator with an e-mail address gets one message per clock and level
(key ``clock:{id}:level:{level}:admin:{user id}``, so a repeated step sends nothing twice),
composed in that administrator's language and time zone (``User.language``,
``User.time_zone``). The timeline note of the step is written once, in the active language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from itsm.core.formatting import datetime_text
from itsm.core.outbox.choices import MessageChannel
from itsm.core.outbox.services import Message, in_reader_language
from itsm.core.selectors import administrators
from itsm.slm.clocks.choices import ClockLevel, metric_label
from itsm.slm.clocks.models import Clock


def recipients() -> list:
    """The administrators told about warnings and breaches (those with an e-mail)."""
    return list(administrators().exclude(email="").only("pk", "email", "language", "time_zone"))


def messages(clocks: Iterable[Clock], level: int, users: Iterable) -> list[Message]:
    """One e-mail per clock × user about the step to *level*, in each user's language."""
    clocks = list(clocks)
    out: list[Message] = []
    for user in users:
        with in_reader_language(user):
            for clock in clocks:
                subject, body = compose(clock, level)
                out.append(
                    Message(
                        key=f"clock:{clock.pk}:level:{level}:admin:{user.pk}",
                        channel=MessageChannel.EMAIL,
                        target=user.email,
                        payload={"subject": subject, "body": body},
                    )
                )
    return out


def event_note(clock: Clock, level: int) -> str:
    """The timeline note of the step to *level*, in the active language."""
    if level == ClockLevel.WARNED:
        text = _("{metric} clock reached its warning level ({label}).")
    else:
        text = _("{metric} clock breached its goal ({label}).")
    return str(text).format(metric=metric_label(clock.metric), label=clock.record_label)


def compose(clock: Clock, level: int) -> tuple[str, str]:
    """Subject and body of the e-mail about *clock* reaching *level*, in the active language
    and time zone."""
    values = {
        "record": clock.record_label,
        "metric": metric_label(clock.metric),
        "priority": clock.priority or "—",
        "due": datetime_text(clock.due_at),
        "agreement": str(clock.agreement) if clock.agreement_id else "—",
    }
    if level == ClockLevel.WARNED:
        subject = str(_("SLA warning: {record} {metric}")).format(**values)
        body = str(
            _(
                "The {metric} clock of {record} (priority {priority}, agreement {agreement}) "
                "reached its warning level; it is due at {due}."
            )
        ).format(**values)
    else:
        subject = str(_("SLA breached: {record} {metric}")).format(**values)
        body = str(
            _(
                "The {metric} clock of {record} (priority {priority}, agreement {agreement}) "
                "breached its goal at {due}; the escalation process applies."
            )
        ).format(**values)
    return subject, body
