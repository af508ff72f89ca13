"""Pages of desk e-mail: provider staff only; administrators configure mailboxes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from itsm.core.testing.mailservers import free_port
from itsm.desk.mail.choices import MailKind, Outcome, Security
from itsm.desk.mail.models import InboundMail, Mailbox
from itsm.desk.mail.services.intake import _save
from itsm.desk.mail.tests.test_api import make_mailbox

pytestmark = [pytest.mark.django_db, pytest.mark.urls("itsm.desk.mail.tests.urls")]

FORM = {
    "name": "Service desk",
    "host": "imap.example.com",
    "port": "993",
    "security": "ssl",
    "username": "servicedesk@example.com",
    "password": "secret",
    "folder": "INBOX",
    "addresses": "servicedesk@example.com",
    "default_kind": "incident",
    "is_active": "on",
}


def unmatched(mailbox=None, **fields) -> InboundMail:
    values = {
        "mailbox": mailbox,
        "message_id": "<u1@remote.example>",
        "dedupe_key": "<u1@remote.example>",
        "from_address": "nobody@remote.example",
        "subject": "Who reads this?",
        "kind": MailKind.PERSON,
        "outcome": Outcome.UNMATCHED,
        "text": "Hello desk,\nmy laptop is broken.",
    }
    values.update(fields)
    return _save(InboundMail(**values))


def test_an_administrator_creates_and_edits_a_mailbox(client, admin_user, customer_a):
    client.force_login(admin_user)

    response = client.post(
        reverse("deskmail:mailbox_create"), {**FORM, "default_customer": customer_a.pk}
    )

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert response["Location"] == reverse("deskmail:mailbox_detail", args=[mailbox.pk])
    assert (mailbox.default_customer, mailbox.password) == (customer_a, "secret")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "servicedesk@example.com" in page.text
    assert "secret" not in page.text

    edit_url = reverse("deskmail:mailbox_edit", args=[mailbox.pk])
    form = client.get(edit_url)
    assert form.status_code == 200 and 'value="secret"' not in form.text
    response = client.post(
        edit_url,
        {**FORM, "password": "", "folder": "Desk", "default_customer": customer_a.pk, "version": 1},
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.folder, mailbox.password, mailbox.version) == ("Desk", "secret", 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"addresses": "servicedesk"}, "addresses"),
        ({"port": "0"}, "port"),
        ({"password": ""}, "password"),
        ({"host": ""}, "host"),
    ],
)
def test_bad_input_shows_the_field_error(client, admin_user, change, field):
    client.force_login(admin_user)

    response = client.post(reverse("deskmail:mailbox_create"), {**FORM, **change})

    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert Mailbox.objects.count() == 0


def test_reading_an_unreachable_server_shows_the_error(client, admin_user):
    mailbox = make_mailbox(host="127.0.0.1", port=free_port(), security=Security.NONE)
    client.force_login(admin_user)

    response = client.post(reverse("deskmail:mailbox_poll", args=[mailbox.pk]), follow=True)

    assert response.status_code == 200
    assert "ConnectionRefusedError" in response.text
    assert 'data-testid="mailbox-error"' in response.text


def test_deleting_asks_first_and_keeps_the_mail_log(client, admin_user):
    mailbox = make_mailbox()
    mail = unmatched(mailbox)
    client.force_login(admin_user)
    url = reverse("deskmail:mailbox_delete", args=[mailbox.pk])

    first = client.post(url)
    assert first.status_code == 200 and Mailbox.objects.filter(pk=mailbox.pk).exists()
    done = client.post(url, {"confirmed": "yes"})

    assert done.status_code == 302
    assert not Mailbox.objects.filter(pk=mailbox.pk).exists()
    mail.refresh_from_db()
    assert mail.mailbox is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_staff_read_the_lists_and_the_unmatched_mail(client, engineer, language):
    mailbox = make_mailbox(name="Desk box")
    mail = unmatched(mailbox)
    engineer.language = language
    client.force_login(engineer)

    with translation.override(language):
        listing = client.get(reverse("deskmail:inbound_list"), HTTP_ACCEPT_LANGUAGE=language)
        boxes = client.get(reverse("deskmail:mailbox_list"), HTTP_ACCEPT_LANGUAGE=language)
        detail = client.get(reverse("deskmail:inbound_detail", args=[mail.pk]))
        box = client.get(reverse("deskmail:mailbox_detail", args=[mailbox.pk]))

    assert listing.status_code == 200 and "Who reads this?" in listing.text
    assert boxes.status_code == 200 and "Desk box" in boxes.text
    assert detail.status_code == 200 and "my laptop is broken." in detail.text
    assert box.status_code == 200 and "Who reads this?" in box.text
    # an engineer sees mailboxes but may not change them
    assert 'data-testid="mailbox-edit"' not in box.text
    assert client.get(reverse("deskmail:mailbox_edit", args=[mailbox.pk])).status_code == 403
    assert client.post(reverse("deskmail:mailbox_poll", args=[mailbox.pk])).status_code == 403


def test_customers_never_see_the_mail_pages(client, customer_user):
    mailbox = make_mailbox()
    mail = unmatched(mailbox)
    client.force_login(customer_user)

    for url in (
        reverse("deskmail:inbound_list"),
        reverse("deskmail:mailbox_list"),
        reverse("deskmail:mailbox_detail", args=[mailbox.pk]),
        reverse("deskmail:inbound_detail", args=[mail.pk]),
        reverse("deskmail:mailbox_create"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_received_list_filters_by_outcome_and_refuses_a_bad_filter(client, engineer):
    unmatched()
    unmatched(
        message_id="<c@x>", dedupe_key="<c@x>", subject="Made a ticket", outcome=Outcome.CREATED
    )
    client.force_login(engineer)

    response = client.get(reverse("deskmail:inbound_list"), {"outcome": "unmatched"})
    assert "Who reads this?" in response.text and "Made a ticket" not in response.text
    bad = client.get(reverse("deskmail:inbound_list"), {"outcome": "bogus"})
    assert bad.status_code == 200
    assert "Who reads this?" not in bad.text
