"""The test mail servers themselves: SMTP delivers into dovecot, IMAP reads it back."""

from __future__ import annotations

import email
import email.policy
import imaplib

import pytest

from itsm.desk.mail.tests import messages

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mail")]


def test_smtp_delivers_into_each_recipients_imap_inbox(mail_servers):
    raw = messages.gb2312(message_id="<servers-1@foxmail.example>")

    mail_servers.send(raw, to=["a@servers.example", "B@servers.example"], mail_from="w@x.example")

    for address in ("a@servers.example", "b@servers.example"):
        (stored,) = mail_servers.messages(address)
        parsed = email.message_from_bytes(stored, policy=email.policy.compat32)
        assert parsed["Message-ID"] == "<servers-1@foxmail.example>"
        assert parsed["Return-Path"] == "<w@x.example>"
        assert parsed["Delivered-To"] == address
        assert stored.endswith(b"\r\n\r\n" + raw.split(b"\r\n\r\n", 1)[1])
    assert mail_servers.deliveries[-1].rcpt_tos == ["a@servers.example", "b@servers.example"]

    mail_servers.clear("a@servers.example")
    assert mail_servers.messages("a@servers.example") == []
    assert len(mail_servers.messages("b@servers.example")) == 1


def test_imap_refuses_a_wrong_password(mail_servers):
    mail_servers.add_user("c@servers.example", "right")

    with pytest.raises(imaplib.IMAP4.error):
        mail_servers.dovecot.connect("c@servers.example", "wrong")
    client = mail_servers.dovecot.connect("c@servers.example", "right")
    client.logout()
