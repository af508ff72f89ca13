"""E-mail headers from the payload: threading and loop protection pass through an allow-list."""

from __future__ import annotations

import pytest
from django.core import mail

from itsm.core.outbox.delivery import deliver_due, message_id_for
from itsm.core.outbox.services import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Service desk <desk@itsm.example.com>"


def _sent_message(payload: dict, *, key: str = "inc:7:reply:1"):
    enqueue(key=key, channel="email", target="user@example.com", payload=payload)
    result = deliver_due("w1")
    assert (result.claimed, result.sent) == (1, 1)
    assert len(mail.outbox) == 1
    return mail.outbox[0].message()


def test_allowed_headers_pass_through_and_others_are_dropped():
    message = _sent_message(
        {
            "subject": "[INC-000007] Printer",
            "body": "We are on it.",
            "headers": {
                "references": "<a@client.example> <b@itsm.example.com>",
                "In-Reply-To": "<b@itsm.example.com>",
                "Auto-Submitted": "auto-generated",
                "X-Auto-Response-Suppress": "All",
                "Reply-To": "desk@itsm.example.com",
                "X-Loop": "desk@itsm.example.com",
                "Precedence": "bulk",
                "Bcc": "spy@example.net",
                "X-Mailer": "not ours",
                "To": "other@example.net",
            },
        }
    )

    assert message["References"] == "<a@client.example> <b@itsm.example.com>"
    assert message["In-Reply-To"] == "<b@itsm.example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Reply-To"] == "desk@itsm.example.com"
    assert message["X-Loop"] == "desk@itsm.example.com"
    assert message["Precedence"] == "bulk"
    assert message["Bcc"] is None
    assert message["X-Mailer"] is None
    assert message.get_all("To") == ["user@example.com"]
    assert mail.outbox[0].recipients() == ["user@example.com"]
    assert message["Message-ID"] == message_id_for("inc:7:reply:1")
    assert message_id_for("inc:7:reply:1").endswith("@itsm.example.com>")


def test_a_line_break_in_a_value_cannot_add_a_header():
    message = _sent_message(
        {"subject": "s", "body": "b", "headers": {"In-Reply-To": "<x@y>\r\nBcc: spy@example.net"}}
    )

    assert message["Bcc"] is None
    assert message["In-Reply-To"] == "<x@y> Bcc: spy@example.net"
    assert mail.outbox[0].recipients() == ["user@example.com"]


def test_a_message_id_on_our_domain_is_kept():
    message = _sent_message(
        {"subject": "s", "body": "b", "headers": {"Message-ID": "<ticket.7.3@itsm.example.com>"}}
    )

    assert message["Message-ID"] == "<ticket.7.3@itsm.example.com>"


@pytest.mark.parametrize(
    "named",
    ["<ticket.7.3@evil.example>", "ticket.7.3@itsm.example.com", "<a@b@itsm.example.com>", ""],
)
def test_a_message_id_elsewhere_or_malformed_is_replaced_by_the_keys(named):
    message = _sent_message({"subject": "s", "body": "b", "headers": {"Message-ID": named}})

    assert message["Message-ID"] == message_id_for("inc:7:reply:1")


def test_headers_that_are_not_an_object_are_ignored():
    message = _sent_message({"subject": "s", "body": "b", "headers": ["References", "<x@y>"]})

    assert message["References"] is None
    assert message["Message-ID"] == message_id_for("inc:7:reply:1")
