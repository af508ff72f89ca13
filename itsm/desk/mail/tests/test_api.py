"""API of desk e-mail: mailboxes (administrators write, provider staff read, customers never)
and the received mail (read-only, provider staff)."""

from __future__ import annotations

import itertools

import pytest

from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, ReadOnlyAPIEndpointTests, client_for
from itsm.core.testing.mailservers import free_port
from itsm.desk.mail.choices import MailKind, Outcome, Security
from itsm.desk.mail.models import InboundMail, Mailbox
from itsm.desk.mail.services import create_mailbox
from itsm.desk.mail.services.intake import _save

pytestmark = pytest.mark.urls("itsm.desk.mail.tests.urls")

_seq = itertools.count(1)


def make_mailbox(**fields) -> Mailbox:
    n = next(_seq)
    values = {
        "name": f"mailbox {n}",
        "host": "imap.example.com",
        "port": 993,
        "security": Security.SSL,
        "username": f"desk{n}@example.com",
        "password": "secret",
        "addresses": f"desk{n}@example.com",
    }
    values.update(fields)
    return create_mailbox(by=None, **values)


class TestMailboxAPI(APIEndpointTests):
    model = Mailbox
    url_name = "api:deskmail-api:mailbox"
    tenancy = "staff"
    required_fields = ("name", "host", "username", "addresses")
    deletable = True
    write_only_fields = ("password",)

    def make_row(self, owner):
        return make_mailbox(name=f"mailbox of {owner.code} {next(_seq)}")

    def create_payload(self, env):
        return {
            "name": "Service desk",
            "host": "imap.example.com",
            "port": 993,
            "security": "ssl",
            "username": "servicedesk@example.com",
            "password": "secret",
            "addresses": "servicedesk@example.com\nhelpdesk@example.com",
            "default_customer": env.customer_a.pk,
            "default_kind": "request",
        }

    def update_payload(self, env, row):
        return {"folder": "INBOX.desk", "is_active": False}


class TestInboundMailAPI(ReadOnlyAPIEndpointTests):
    model = InboundMail
    url_name = "api:deskmail-api:inbound"
    tenancy = "staff"
    invalid_filters = ({"outcome": "bogus"}, {"kind": "bogus"}, {"mailbox": "999999"})

    def make_row(self, owner):
        n = next(_seq)
        return _save(
            InboundMail(
                message_id=f"<m{n}@{owner.code}.example>",
                dedupe_key=f"<m{n}@{owner.code}.example>",
                from_address=f"someone@{owner.code}.example",
                subject=f"Mail {n}",
                kind=MailKind.PERSON,
                outcome=Outcome.UNMATCHED,
            )
        )


@pytest.mark.django_db
def test_password_is_never_returned_and_an_update_without_it_keeps_it(admin_user):
    client = client_for(admin_user)
    created = client.post(
        "/api/desk/mail/mailboxes/",
        {
            "name": "Desk",
            "host": "imap.example.com",
            "username": "desk@example.com",
            "password": "s3cret",
            "addresses": "Desk@Example.com, help@example.com",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "password" not in body and body["has_password"] is True
    assert body["addresses"] == "desk@example.com\nhelp@example.com"
    patched = client.patch(
        f"/api/desk/mail/mailboxes/{body['id']}/", {"folder": "Desk", "version": 1}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert Mailbox.objects.get(pk=body["id"]).password == "s3cret"
    history = client.get(f"/api/desk/mail/mailboxes/{body['id']}/history/").json()
    assert "s3cret" not in str(history)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"addresses": "not an address"}, "addresses"),
        ({"addresses": " , "}, "addresses"),
        ({"port": 70000}, "port"),
        ({"security": "telnet"}, "security"),
        ({"default_kind": "problem"}, "default_kind"),
    ],
)
def test_bad_mailbox_input_names_the_field(admin_user, payload, field):
    body = {
        "name": "Desk",
        "host": "imap.example.com",
        "username": "desk@example.com",
        "password": "x",
        "addresses": "desk@example.com",
        **payload,
    }

    response = client_for(admin_user).post("/api/desk/mail/mailboxes/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation"
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_default_customer_must_be_a_customer(admin_user, provider):
    body = {
        "name": "Desk",
        "host": "imap.example.com",
        "username": "desk@example.com",
        "password": "x",
        "addresses": "desk@example.com",
        "default_customer": provider.pk,
    }

    response = client_for(admin_user).post("/api/desk/mail/mailboxes/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["default_customer"]


@pytest.mark.django_db
def test_poll_of_an_unreachable_server_is_a_clear_error(admin_user, engineer):
    mailbox = make_mailbox(host="127.0.0.1", port=free_port(), security=Security.NONE)

    response = client_for(admin_user).post(f"/api/desk/mail/mailboxes/{mailbox.pk}/poll/")

    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == ["host"]
    assert "ConnectionRefusedError" in response.json()["fields"]["host"][0]
    mailbox.refresh_from_db()
    assert mailbox.last_error and mailbox.last_polled_at is not None
    # provider staff who may not change mailboxes may not poll them
    refused = client_for(engineer).post(f"/api/desk/mail/mailboxes/{mailbox.pk}/poll/")
    assert refused.status_code == 403


@pytest.mark.django_db
def test_customers_are_refused(customer_user):
    make_mailbox()
    client = client_for(customer_user)
    assert client.get("/api/desk/mail/mailboxes/").status_code == 403
    assert client.get("/api/desk/mail/received/").status_code == 403
    assert Role.CUSTOMER_USER in customer_user.roles
