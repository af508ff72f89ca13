from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.conftest import PASSWORD
from itsm.core.outbox import services
from itsm.core.outbox.models import Job, NotificationChannel, OutboxMessage
from itsm.core.outbox.services import enqueue

pytestmark = pytest.mark.django_db

API = "/api/outbox/"


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def dead_message():
    message = enqueue(key="dead-1", channel="email", target="a@example.com", payload={})
    OutboxMessage.objects.filter(pk=message.pk).update(
        status="dead", attempts=8, last_error="SMTP refused"
    )
    return message


def test_outbox_page_lists_messages_and_retries_dead_ones(admin_user, dead_message):
    client = login(admin_user)

    page = client.get(reverse("outbox:message_list"))
    assert page.status_code == 200
    assert "dead-1" in page.text and "SMTP refused" in page.text
    assert reverse("outbox:message_retry", args=[dead_message.pk]) in page.text

    response = client.post(reverse("outbox:message_retry", args=[dead_message.pk]))

    assert response.status_code == 302
    dead_message.refresh_from_db()
    assert (dead_message.status, dead_message.attempts) == ("pending", 0)


def test_staff_see_outbox_and_jobs_but_cannot_retry(agent, dead_message):
    Job.objects.create(
        name="outbox.purge", started_at=dead_message.created_at, status="ok", detail="deleted 0"
    )
    client = login(agent)

    page = client.get(reverse("outbox:message_list"))
    assert page.status_code == 200
    assert "dead-1" in page.text
    assert reverse("outbox:message_retry", args=[dead_message.pk]) not in page.text
    jobs_page = client.get(reverse("outbox:job_list"))
    assert jobs_page.status_code == 200 and "outbox.purge" in jobs_page.text

    assert client.post(reverse("outbox:message_retry", args=[dead_message.pk])).status_code == 403
    assert client.get(reverse("outbox:channel_list")).status_code == 403


def test_customers_see_nothing(customer_user, dead_message):
    client = login(customer_user)

    for name in ("outbox:message_list", "outbox:job_list", "outbox:channel_list"):
        assert client.get(reverse(name)).status_code == 403


def test_channel_form_shows_the_ssrf_error_on_the_url_field(admin_user, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    client = login(admin_user)

    response = client.post(
        reverse("outbox:channel_create"),
        {
            "name": "internal",
            "kind": "generic",
            "url": "http://10.0.0.1/hook",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["url"]
    assert "10.0.0.1" in errors["url"][0]
    assert 'data-field="url"' in response.text
    assert not NotificationChannel.objects.exists()


def test_channel_create_and_edit_keep_the_secret(admin_user):
    client = login(admin_user)
    response = client.post(
        reverse("outbox:channel_create"),
        {
            "name": "ops",
            "kind": "slack",
            "url": "https://hooks.slack.com/services/T/B/X",
            "secret": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    channel = NotificationChannel.objects.get(name="ops")

    response = client.post(
        reverse("outbox:channel_edit", args=[channel.pk]),
        {
            "name": "ops",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "Zq-secret-81",
            "is_active": "on",
            "version": channel.version,
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("outbox:channel_edit", args=[channel.pk]),
        {
            "name": "ops",
            "kind": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
            "secret": "",
            "notes": "kept",
            "version": 2,
        },
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.kind, channel.secret, channel.notes, channel.is_active, channel.version) == (
        "dingtalk",
        "Zq-secret-81",
        "kept",
        False,
        3,
    )
    listing = client.get(reverse("outbox:channel_list"))
    assert "ops" in listing.text and "Zq-secret-81" not in listing.text


def test_api_lists_messages_and_jobs_for_staff(client_for, agent, dead_message):
    client = client_for(agent)

    messages = client.get(f"{API}messages/").json()
    assert [m["key"] for m in messages["results"]] == ["dead-1"]
    assert client.get(f"{API}messages/?status=sent").json()["results"] == []
    assert client.get(f"{API}jobs/").status_code == 200
    assert client.post(f"{API}messages/{dead_message.pk}/retry/").status_code == 403
    assert client.get(f"{API}channels/").status_code == 403


def test_api_retry(client_for, admin_user, dead_message):
    client = client_for(admin_user)

    response = client.post(f"{API}messages/{dead_message.pk}/retry/")
    again = client.post(f"{API}messages/{dead_message.pk}/retry/")

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert again.status_code == 422
    assert again.json()["code"] == "invalid_transition"


def test_api_customer_gets_nothing(client_for, customer_user, dead_message):
    client = client_for(customer_user)

    assert client.get(f"{API}messages/").status_code == 403
    assert client.get(f"{API}messages/{dead_message.pk}/").status_code == 403


def test_api_channel_crud_with_ssrf_validation(client_for, admin_user, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    client = client_for(admin_user)

    refused = client.post(
        f"{API}channels/",
        {"name": "meta", "kind": "generic", "url": "http://169.254.169.254/"},
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["url"]

    created = client.post(
        f"{API}channels/",
        {
            "name": "wecom",
            "kind": "wecom",
            "secret": "x",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "secret" not in body and body["has_secret"] is True
    pk = body["id"]

    patched = client.patch(f"{API}channels/{pk}/", {"notes": "n", "version": 1}, format="json")
    assert patched.status_code == 200, patched.json()
    assert NotificationChannel.objects.get(pk=pk).secret == "x"
    stale = client.patch(f"{API}channels/{pk}/", {"notes": "m", "version": 1}, format="json")
    assert stale.status_code == 409

    bad = client.patch(
        f"{API}channels/{pk}/", {"url": "https://evil.example.com/", "version": 2}, format="json"
    )
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["url"]

    assert client.delete(f"{API}channels/{pk}/").status_code == 204
    assert not NotificationChannel.objects.exists()


def test_navigation_shows_the_outbox_to_staff_only(agent, customer_user):
    from itsm.ui.context_processors import visible_items

    assert reverse("outbox:message_list") in [i["href"] for i in visible_items(agent)]
    assert reverse("outbox:message_list") not in [i["href"] for i in visible_items(customer_user)]


def test_services_channel_update_rejects_unknown_fields(admin_user):
    from itsm.core.errors import ValidationFailed

    channel = services.create_channel(by=admin_user, name="s", kind="slack", url="slack://T/B/X")
    with pytest.raises(ValidationFailed):
        services.update_channel(channel, by=admin_user, expected_version=1, colour="red")


def test_outbox_page_pages_older_messages_by_keyset(admin_user):
    for n in range(55):
        enqueue(
            key=f"page-{n:02d}",
            channel="email",
            target="a@example.com",
            payload={"subject": f"s{n}", "body": "b"},
        )
    client = Client()
    client.login(username=admin_user.username, password=PASSWORD)
    newest = list(OutboxMessage.objects.order_by("-id").values_list("id", "key"))
    first = client.get(reverse("outbox:message_list"), {"status": "pending"})
    assert first.status_code == 200
    assert [m.key for m in first.context["object_list"]] == [k for _, k in newest[:50]]
    cursor = first.context["page"].next_cursor
    assert f"?status=pending&amp;cursor={cursor}" in first.content.decode()
    older = client.get(reverse("outbox:message_list"), {"status": "pending", "cursor": cursor})
    assert [m.key for m in older.context["object_list"]] == [k for _, k in newest[50:]]
    assert older.context["page"].next_cursor is None
    assert 'data-testid="list-next-page"' not in older.content.decode()
