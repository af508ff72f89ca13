"""Desk e-mail against real servers: mail sent over SMTP into dovecot, polled over IMAP, our
notifications delivered back through SMTP and read from the customer's IMAP mailbox.

Issue 11's "done when": a mail becomes a ticket; a reply to our notification threads onto it;
an auto-reply and a bounce make no ticket and no loop; a GB2312 mail reads right; a re-poll and
a copy to a second desk address make no second ticket.
"""

from __future__ import annotations

import email
import email.policy
import itertools

import pytest
from django.urls import reverse
from django.utils import translation

from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.outbox.delivery import deliver_due
from itsm.core.outbox.models import OutboxMessage
from itsm.desk.choices import Channel, EntryKind, TicketStatus
from itsm.desk.mail.choices import Outcome, Security
from itsm.desk.mail.models import InboundMail, Mailbox
from itsm.desk.mail.services import create_mailbox, intake, poll
from itsm.desk.mail.tests import messages
from itsm.desk.models import Attachment, Ticket, TicketEntry

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("mail"),
    pytest.mark.django_db,
    pytest.mark.urls("itsm.desk.mail.tests.urls"),
]

_run = itertools.count(1)


@pytest.fixture
def desk(settings, mail_servers, customer_a):
    """A mailbox of a fresh desk address on the test dovecot, its sender configured for the
    outbox, the SMTP server as Django's mail server; addresses unique to the test."""
    n = next(_run)
    address = f"desk{n}@itsm.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mail_servers.smtp_port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.DEFAULT_FROM_EMAIL = f"Service desk <{address}>"
    mail_servers.add_user(address)
    mailbox = create_mailbox(
        by=None,
        name=f"desk {n}",
        host="127.0.0.1",
        port=mail_servers.imap_port,
        security=Security.NONE,
        username=address,
        password="secret",
        addresses=address,
        default_customer=None,
    )

    class Desk:
        pass

    d = Desk()
    d.n, d.address, d.mailbox, d.servers = n, address, mailbox, mail_servers
    d.customer_address = f"li.lei{n}@acme.example"
    d.customer = core_services.create_user(
        username=f"li.lei{n}",
        organisation=customer_a,
        email=d.customer_address,
        password="Itsm-test-2026!",
        roles=(Role.CUSTOMER_USER,),
        language="en",
    )
    return d


def send(desk, raw: bytes, *, to=None, mail_from="sender@remote.example") -> None:
    desk.servers.send(raw, to=to or desk.address, mail_from=mail_from)


def deliver() -> int:
    """Run the outbox once (as the worker does); how many e-mails it sent."""
    return deliver_due("test-worker").sent


def inbox(desk, address) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(raw, policy=email.policy.default)
        for raw in desk.servers.messages(address)
    ]


def polled(desk, mailbox=None) -> list[InboundMail]:
    mailbox = mailbox or desk.mailbox
    before = InboundMail.objects.filter(mailbox=mailbox).count()
    poll(mailbox)
    return list(InboundMail.objects.filter(mailbox=mailbox).order_by("id")[before:])


def test_mail_becomes_a_ticket_and_the_reply_to_our_notification_threads_onto_it(desk):
    send(desk, messages.plain(sender=f"Li Lei <{desk.customer_address}>", to=desk.address))

    (inbound,) = polled(desk)

    assert inbound.outcome == Outcome.CREATED
    ticket = inbound.ticket
    assert ticket.channel == Channel.EMAIL
    assert ticket.customer == desk.customer.organisation
    assert ticket.contact == desk.customer
    assert ticket.title == "Printer on floor 3 is jammed"
    assert ticket.description == "The printer on floor 3 shows error E-52.\nPlease help."
    (entry,) = TicketEntry.objects.filter(ticket=ticket)
    assert (entry.kind, entry.automatic, entry.author_email) == (
        EntryKind.EMAIL,
        False,
        desk.customer_address,
    )
    assert inbound.uid == 1 and desk.mailbox.last_uid == 1

    # our acknowledgement goes out through SMTP, marked so auto-responders stay quiet
    assert deliver() >= 1
    (ack,) = inbox(desk, desk.customer_address)
    assert ack["Subject"].startswith(f"[{ticket.number}] ")
    assert ack["Auto-Submitted"] == "auto-generated"
    assert ack["Message-ID"].endswith("@itsm.example.com>")
    assert ack["From"] == f"Service desk <{desk.address}>"

    # the customer answers it: the reply lands on the same ticket
    send(
        desk,
        messages.reply(
            to_message_id=ack["Message-ID"],
            subject=f"Re: {ack['Subject']}",
            sender=desk.customer_address,
            to=desk.address,
        ),
    )
    (reply,) = polled(desk)
    assert (reply.outcome, reply.ticket_id) == (Outcome.THREADED, ticket.pk)
    assert Ticket.objects.count() == 1
    assert TicketEntry.objects.filter(ticket=ticket, kind=EntryKind.EMAIL).count() == 2

    # a reply whose client dropped the subject tag still threads by In-Reply-To
    send(
        desk,
        messages.reply(
            to_message_id=ack["Message-ID"],
            subject="Re: the printer",
            message_id="<reply-2@acme.example>",
            sender=desk.customer_address,
            to=desk.address,
        ),
    )
    (second,) = polled(desk)
    assert (second.outcome, second.ticket_id) == (Outcome.THREADED, ticket.pk)

    # a reply to the customer's own first mail (References only) threads too
    send(
        desk,
        messages.reply(
            to_message_id="<plain-1@acme.example>",
            subject="Also",
            message_id="<reply-3@acme.example>",
            sender=desk.customer_address,
            to=desk.address,
        ),
    )
    (third,) = polled(desk)
    assert (third.outcome, third.ticket_id) == (Outcome.THREADED, ticket.pk)


def test_auto_reply_and_bounce_make_no_ticket_and_no_loop(desk):
    send(desk, messages.plain(sender=desk.customer_address, to=desk.address))
    (created,) = polled(desk)
    ticket = created.ticket
    deliver()
    (ack,) = inbox(desk, desk.customer_address)
    outbox_before = OutboxMessage.objects.count()
    status_before = Ticket.objects.get(pk=ticket.pk).status

    # Exchange's out-of-office answer to our acknowledgement
    send(
        desk,
        messages.exchange_auto_reply(
            in_reply_to=ack["Message-ID"], subject=f"Automatic reply: {ack['Subject']}"
        ),
    )
    # the mail server's bounce of it, returning its Message-ID
    send(
        desk,
        messages.postfix_bounce(returned_message_id=ack["Message-ID"]),
        mail_from="",
    )
    # an auto-reply and a bounce about nothing of ours
    send(
        desk,
        messages.exchange_auto_reply(
            in_reply_to="<unknown@elsewhere.example>",
            subject="Automatic reply: hello",
            message_id="<oof-2@EXCH01.acme.example>",
        ),
    )
    send(
        desk,
        messages.postfix_bounce(
            returned_message_id="<unknown-2@elsewhere.example>",
            message_id="<bounce-2@mx.itsm.example.com>",
        ),
        mail_from="",
    )
    # a newsletter
    send(
        desk,
        messages.plain(
            sender="news@vendor.example",
            subject="Our November news",
            message_id="<news-1@vendor.example>",
            headers={"Precedence": "bulk", "List-Id": "<news.vendor.example>"},
        ),
    )

    rows = polled(desk)

    assert [(r.outcome, r.ticket_id) for r in rows] == [
        (Outcome.AUTO_STORED, ticket.pk),
        (Outcome.BOUNCE_ATTACHED, ticket.pk),
        (Outcome.AUTO_IGNORED, None),
        (Outcome.BOUNCE_UNMATCHED, None),
        (Outcome.AUTO_IGNORED, None),
    ]
    assert Ticket.objects.count() == 1
    kinds = list(
        TicketEntry.objects.filter(ticket=ticket).order_by("id").values_list("kind", "automatic")
    )
    assert kinds == [
        (EntryKind.EMAIL, False),
        (EntryKind.AUTO_REPLY, True),
        (EntryKind.BOUNCE, True),
    ]
    # nothing answered: no new outbox message, nothing more in the customer's mailbox
    assert OutboxMessage.objects.count() == outbox_before
    assert deliver() == 0
    assert len(inbox(desk, desk.customer_address)) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == status_before
    bounce = rows[3]
    assert "User unknown" in bounce.text  # kept for the desk to read


def test_automatic_mail_never_reopens_a_resolved_ticket_and_a_persons_mail_does(desk, agent):
    from itsm.desk import services as desk_services

    send(desk, messages.plain(sender=desk.customer_address, to=desk.address))
    (created,) = polled(desk)
    ticket = created.ticket
    core_services.set_roles(agent, roles=(Role.SERVICE_DESK, Role.ENGINEER_L1))
    agent.refresh_from_db()
    with translation.override("en"):
        desk_services.tickets.resolve(
            ticket, by=agent, resolution="Cleared the jam.", resolution_code="solved"
        )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED

    send(
        desk,
        messages.exchange_auto_reply(
            in_reply_to="<plain-1@acme.example>",
            subject=f"Automatic reply: [{ticket.number}] Printer",
            message_id="<oof-9@EXCH01.acme.example>",
        ),
    )
    (auto,) = polled(desk)
    assert auto.outcome == Outcome.AUTO_STORED
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED

    send(
        desk,
        messages.reply(
            to_message_id="<plain-1@acme.example>",
            subject=f"Re: [{ticket.number}] Printer",
            message_id="<reply-9@acme.example>",
            body="It is jammed again.",
            sender=desk.customer_address,
            to=desk.address,
        ),
    )
    (person,) = polled(desk)
    assert person.outcome == Outcome.THREADED
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS


def test_gb2312_mail_from_an_unknown_sender_reads_right(desk, customer_b):
    Mailbox.objects.filter(pk=desk.mailbox.pk).update(default_customer=customer_b)
    desk.mailbox.refresh_from_db()
    send(desk, messages.gb2312(to=desk.address))

    (inbound,) = polled(desk)

    assert inbound.outcome == Outcome.CREATED
    ticket = inbound.ticket
    assert ticket.title == messages.GB_SUBJECT
    assert ticket.description == messages.GB_TEXT
    assert ticket.customer == customer_b
    assert ticket.contact is None
    assert ticket.contact_email == "wang.fang@acme.example"
    assert inbound.from_name == "王芳"


def test_repoll_and_a_copy_to_a_second_desk_address_make_one_ticket(desk, mail_servers):
    second_address = f"desk{desk.n}-second@itsm.example.com"
    mail_servers.add_user(second_address)
    second = create_mailbox(
        by=None,
        name=f"second {desk.n}",
        host="127.0.0.1",
        port=mail_servers.imap_port,
        security=Security.NONE,
        username=second_address,
        password="secret",
        addresses=second_address,
    )
    raw = messages.plain(
        sender=desk.customer_address,
        to=f"{desk.address}, {second_address}",
        message_id=f"<copy-{desk.n}@acme.example>",
    )
    send(desk, raw, to=[desk.address, second_address])

    (first,) = polled(desk)
    (copy,) = polled(desk, second)
    assert first.outcome == Outcome.CREATED
    assert (copy.outcome, copy.ticket_id) == (Outcome.DUPLICATE, first.ticket_id)
    assert Ticket.objects.count() == 1

    # a re-poll reads nothing new
    assert polled(desk) == []
    # the folder recreated (UIDVALIDITY changed) or the position lost: read again, no ticket
    Mailbox.objects.filter(pk=desk.mailbox.pk).update(last_uid=0, uid_validity=1)
    desk.mailbox.refresh_from_db()
    (again,) = polled(desk)
    assert again.outcome == Outcome.DUPLICATE
    assert Ticket.objects.count() == 1
    assert Mailbox.objects.get(pk=desk.mailbox.pk).last_uid == 1


def test_html_mail_keeps_sanitised_html_text_attachments_and_inline_image(desk, client):
    send(desk, messages.gmail_html_with_inline_image(to=desk.address))
    core_services.update_user(
        desk.customer, by=None, expected_version=None, email="han.meimei@gmail.example"
    )

    (inbound,) = polled(desk)

    ticket = inbound.ticket
    assert ticket.contact_id == desk.customer.pk  # the sender is this user now
    entry = TicketEntry.objects.get(ticket=ticket)
    assert entry.body == "VPN drops every 10 minutes. Screenshot attached."
    assert "<b>every 10 minutes</b>" in entry.body_html
    assert "<script" not in entry.body_html and "onerror" not in entry.body_html
    files = {a.name: a for a in Attachment.objects.filter(ticket=ticket)}
    assert set(files) == {"image.png", "log.pdf"}
    image, pdf = files["image.png"], files["log.pdf"]
    assert (image.content_id, image.content_type) == ("ii_screenshot01", "image/png")
    assert bytes(image.content) == messages.PNG
    assert pdf.entry_id == entry.pk and pdf.content_id == ""
    # the cid: reference now points at the image's download URL on the ticket
    url = reverse("desk:attachment_download", args=[image.pk])
    assert f'src="{url}"' in entry.body_html
    assert "cid:" not in entry.body_html

    client.force_login(desk.customer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response) == messages.PNG


def test_inline_image_of_another_customers_ticket_is_not_found(desk, client, other_customer_user):
    Mailbox.objects.filter(pk=desk.mailbox.pk).update(default_customer=desk.customer.organisation)
    desk.mailbox.refresh_from_db()
    send(desk, messages.gmail_html_with_inline_image(to=desk.address))
    (inbound,) = polled(desk)
    image = Attachment.objects.get(ticket=inbound.ticket, content_id="ii_screenshot01")
    url = reverse("desk:attachment_download", args=[image.pk])

    client.force_login(other_customer_user)
    assert client.get(url).status_code == 404
    client.force_login(desk.customer)
    assert client.get(url).status_code == 200


def test_oversized_mail_is_rejected_with_a_reply_in_both_languages(desk, settings):
    settings.ITSM_MAIL_MAX_BYTES = 1500
    stranger = f"stranger{desk.n}@remote.example"
    raw = messages.gmail_html_with_inline_image(to=desk.address).replace(
        b"Han Meimei <han.meimei@gmail.example>", stranger.encode()
    )
    assert len(raw) > 1500
    send(desk, raw)
    # an automatic oversized mail gets no answer
    send(
        desk,
        messages.plain(
            sender=f"robot{desk.n}@remote.example",
            message_id="<big-auto@remote.example>",
            body="x\n" * 1000,
            headers={"Auto-Submitted": "auto-generated"},
        ),
    )

    rows = polled(desk)

    assert [r.outcome for r in rows] == [Outcome.TOO_LARGE, Outcome.TOO_LARGE]
    assert Ticket.objects.count() == 0
    assert deliver() == 1
    (rejection,) = inbox(desk, stranger)
    assert rejection["Auto-Submitted"] == "auto-replied"
    assert rejection["In-Reply-To"] == "<CAF=gmail-1@mail.gmail.example>"
    # the sender is no user: Chinese, then English
    with translation.override("zh-hans"):
        subject_zh, body_zh = intake._rejection_text("VPN drops every 10 minutes")
    with translation.override("en"):
        subject_en, body_en = intake._rejection_text("VPN drops every 10 minutes")
    assert rejection["Subject"].strip() == f"{subject_zh} / {subject_en}"
    assert rejection.get_content().replace("\r\n", "\n").strip() == (
        f"{body_zh}\n\n----\n\n{body_en}"
    )
    assert "larger than 1.5\xa0KB" in body_en
    assert inbox(desk, f"robot{desk.n}@remote.example") == []


def test_unknown_sender_without_default_customer_is_kept_as_unmatched(desk):
    send(desk, messages.plain(sender=f"nobody{desk.n}@remote.example", to=desk.address))

    (inbound,) = polled(desk)

    assert (inbound.outcome, inbound.ticket_id) == (Outcome.UNMATCHED, None)
    assert inbound.text.startswith("The printer on floor 3")
    assert Ticket.objects.count() == 0
    assert deliver() == 0


def test_a_wrong_password_is_recorded_on_the_mailbox(desk):
    from itsm.desk.mail.services import PollError, update_mailbox

    mailbox = update_mailbox(
        desk.mailbox, by=None, expected_version=desk.mailbox.version, password="wrong"
    )

    with pytest.raises(PollError):
        poll(mailbox)

    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error or "Authentication" in mailbox.last_error
    assert mailbox.last_polled_at is not None


def test_the_worker_job_and_the_command_poll_every_active_mailbox(desk, mail_servers):
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    from itsm.core.outbox.jobs import registry
    from itsm.core.stored_text import shown

    inactive_address = f"desk{desk.n}-off@itsm.example.com"
    mail_servers.add_user(inactive_address)
    create_mailbox(
        by=None,
        name=f"off {desk.n}",
        host="127.0.0.1",
        port=mail_servers.imap_port,
        security=Security.NONE,
        username=inactive_address,
        password="secret",
        addresses=inactive_address,
        is_active=False,
    )
    send(desk, messages.plain(sender=desk.customer_address, to=desk.address))
    send(
        desk,
        messages.plain(sender=desk.customer_address, message_id="<x2@acme.example>"),
        to=inactive_address,
    )

    with translation.override("en"):
        detail = shown(registry["deskmail.poll"].fn(timezone.now()))

    assert detail == ("Mailboxes 1, mails read 1, tickets created 1, added to tickets 0")
    assert Ticket.objects.count() == 1

    send(
        desk,
        messages.reply(
            to_message_id="<plain-1@acme.example>",
            sender=desk.customer_address,
            to=desk.address,
        ),
    )
    out = StringIO()
    call_command("poll_mail", "--mailbox", desk.mailbox.name, stdout=out)
    assert f"{desk.mailbox.name}: read 1 (threaded 1)" in out.getvalue()
    # the inactive mailbox is read only when named
    out = StringIO()
    call_command("poll_mail", "--mailbox", f"off {desk.n}", stdout=out)
    assert "read 1 (created 1)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("poll_mail", "--mailbox", "no such mailbox", stdout=StringIO())


def test_a_file_over_the_upload_limit_is_noted_and_the_rest_kept(desk, settings):
    from email.message import EmailMessage
    from email.policy import SMTP

    from itsm.core.stored_text import shown

    settings.ITSM_UPLOAD_MAX_BYTES = 2048
    message = EmailMessage()
    message["From"] = desk.customer_address
    message["To"] = desk.address
    message["Subject"] = "Logs"
    message["Message-ID"] = f"<logs-{desk.n}@acme.example>"
    message.set_content("Two files.")
    message.add_attachment(b"small", maintype="text", subtype="plain", filename="small.txt")
    message.add_attachment(b"x" * 5000, maintype="application", subtype="zip", filename="big.zip")
    send(desk, message.as_bytes(policy=SMTP))

    (inbound,) = polled(desk)

    assert inbound.outcome == Outcome.CREATED
    names = list(Attachment.objects.filter(ticket=inbound.ticket).values_list("name", flat=True))
    assert names == ["small.txt"]
    with translation.override("en"):
        assert shown(inbound.detail).startswith("Files not kept: big.zip: ")


def test_a_subject_tag_from_a_stranger_does_not_write_on_the_ticket(desk, customer_b):
    send(desk, messages.plain(sender=desk.customer_address, to=desk.address))
    (created,) = polled(desk)
    number = created.ticket.number
    Mailbox.objects.filter(pk=desk.mailbox.pk).update(default_customer=customer_b)
    desk.mailbox.refresh_from_db()

    send(
        desk,
        messages.plain(
            sender=f"stranger{desk.n}@remote.example",
            subject=f"Re: [{number}] Printer",
            message_id=f"<stranger-{desk.n}@remote.example>",
        ),
    )
    (stranger,) = polled(desk)

    assert stranger.outcome == Outcome.CREATED
    assert stranger.ticket_id != created.ticket_id
    assert stranger.ticket.customer == customer_b
    assert TicketEntry.objects.filter(ticket=created.ticket).count() == 1
