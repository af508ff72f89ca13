from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from itsm.core.outbox import delivery, services
from itsm.core.outbox.choices import MessageStatus
from itsm.core.outbox.delivery import claim_batch, deliver_due, message_id_for
from itsm.core.outbox.models import OutboxMessage
from itsm.core.outbox.services import enqueue
from itsm.core.outbox.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ITSM_OUTBOX_MAX_ATTEMPTS = 3
    settings.ITSM_WEBHOOK_ALLOWLIST = ["127.0.0.1"]


def test_email_is_sent_with_a_message_id_derived_from_the_key():
    enqueue(
        key="inc:1:resolved:mail:7",
        channel="email",
        target="user@example.com",
        payload={
            "subject": "Resolved",
            "body": "Your incident is resolved.",
            "html": "<p>Resolved</p>",
        },
    )

    result = deliver_due("w1")

    assert (result.claimed, result.sent) == (1, 1)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["user@example.com"]
    assert sent.subject == "Resolved"
    message_id = message_id_for("inc:1:resolved:mail:7")
    assert sent.extra_headers["Message-ID"] == message_id
    assert sent.message()["Message-ID"] == message_id
    assert message_id == message_id_for("inc:1:resolved:mail:7")  # stable across re-sends
    assert sent.alternatives[0][1] == "text/html"
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.leased_by, row.lease_until) == ("sent", 1, "", None)
    assert row.sent_at is not None


def test_webhook_posts_json_with_the_idempotency_key(receiver):
    enqueue(key="hook-1", channel="webhook", target=receiver.url, payload={"a": 1, "名": "值"})

    result = deliver_due("w1")

    assert result.sent == 1
    assert receiver.keys == ["hook-1"]
    request = receiver.requests[0]
    assert request["body"] == {"a": 1, "名": "值"}
    assert request["headers"]["Content-Type"].startswith("application/json")


def test_failures_back_off_exponentially_then_go_dead():
    with Receiver(status=503) as failing:
        enqueue(key="flaky", channel="webhook", target=failing.url, payload={})
        delays = []
        for attempt in (1, 2):
            before = timezone.now()
            result = deliver_due("w1")
            after = timezone.now()
            row = OutboxMessage.objects.get()
            assert (result.failed, row.status, row.attempts) == (1, "pending", attempt)
            assert "503" in row.last_error
            # the delay was counted from the failure, somewhere between before and after
            delays.append(
                (
                    (row.next_attempt_at - after).total_seconds(),
                    (row.next_attempt_at - before).total_seconds(),
                )
            )
            # not due yet: nothing is claimed
            assert deliver_due("w1").claimed == 0
            OutboxMessage.objects.update(next_attempt_at=timezone.now())
        result = deliver_due("w1")

    row = OutboxMessage.objects.get()
    assert (result.dead, row.status, row.attempts) == (1, "dead", 3)
    (low_1, high_1), (low_2, high_2) = delays
    assert high_1 >= 13 and low_1 <= 17  # 15 s ± 10 %
    assert high_2 >= 27 and low_2 <= 33  # doubled
    assert len(failing.keys) == 3
    assert deliver_due("w1").claimed == 0


def test_backoff_is_capped():
    assert delivery.backoff(30) <= timedelta(seconds=delivery.BACKOFF_MAX_SECONDS * 1.1)


def test_expired_leases_are_reclaimed_and_live_ones_are_not(receiver):
    enqueue(key="m1", channel="webhook", target=receiver.url, payload={})
    assert claim_batch("dead-worker") == [OutboxMessage.objects.get().pk]

    # the lease is still live: another worker cannot take it
    assert claim_batch("w2") == []
    OutboxMessage.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

    result = deliver_due("w2")

    row = OutboxMessage.objects.get()
    assert (result.claimed, result.sent) == (1, 1)
    assert (row.status, row.attempts) == ("sent", 1)
    assert receiver.keys == ["m1"]


def test_a_worker_that_lost_its_lease_does_not_send():
    enqueue(key="m1", channel="email", target="a@example.com", payload={})
    ids = claim_batch("slow-worker")
    OutboxMessage.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert claim_batch("w2") == ids  # reclaimed by w2

    result = delivery.DeliveryResult()
    delivery.deliver_one(ids[0], "slow-worker", result)

    assert result.skipped == 1
    assert mail.outbox == []


def test_a_message_whose_workers_keep_dying_goes_dead(settings):
    enqueue(key="poison", channel="email", target="a@example.com", payload={})
    OutboxMessage.objects.update(attempts=3)  # three workers died while sending it

    result = deliver_due("w1")

    row = OutboxMessage.objects.get()
    assert (result.dead, row.status) == (1, "dead")
    assert mail.outbox == []


def test_ssrf_on_send_kills_the_message_with_a_clear_error(settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    enqueue(key="bad", channel="webhook", target="http://169.254.169.254/latest", payload={})
    enqueue(key="bad6", channel="webhook", target="http://[::ffff:127.0.0.1]:9/", payload={})

    result = deliver_due("w1")

    assert result.dead == 2
    for row in OutboxMessage.objects.all():
        assert row.status == "dead"
        with translation.override("en"):
            assert row.error_text.startswith("Refused target:")
        assert "ITSM_WEBHOOK_ALLOWLIST" in row.error_text


def test_dns_change_after_save_is_caught_on_send(admin_user, fake_dns, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    services.create_channel(
        by=admin_user, name="ext", kind="generic", url="http://hooks.example.com/in"
    )
    fake_dns["hooks.example.com"] = ["10.0.0.7"]  # rebinding after the channel was saved
    enqueue(key="to-ext", channel="chat", target="ext", payload={"body": "hi"})

    deliver_due("w1")

    row = OutboxMessage.objects.get()
    assert row.status == "dead"
    assert "10.0.0.7" in row.last_error


def test_chat_goes_through_apprise_to_the_vendor(admin_user, monkeypatch):
    calls = []
    monkeypatch.setattr(
        delivery, "send_apprise", lambda url, *, title, body: calls.append((url, title, body))
    )
    services.create_channel(
        by=admin_user,
        name="ops",
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=T0K",
        secret="S3C",
    )
    enqueue(
        key="chat-1",
        channel="chat",
        target="ops",
        payload={"title": "P1 incident", "body": "INC-1 opened"},
    )

    result = deliver_due("w1")

    assert result.sent == 1
    assert calls == [("dingtalk://S3C@T0K", "P1 incident", "INC-1 opened")]


def test_generic_channel_is_signed(admin_user, receiver, settings):
    import hashlib
    import hmac
    import json

    services.create_channel(
        by=admin_user, name="generic", kind="generic", url=receiver.url, secret="k"
    )
    enqueue(key="g-1", channel="webhook", target="generic", payload={"x": 1})

    deliver_due("w1")

    request = receiver.requests[0]
    body = json.dumps(request["body"], separators=(",", ":")).encode()
    expected = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert request["headers"]["X-ITSM-Signature"] == expected
    assert request["key"] == "g-1"


def test_unknown_or_inactive_channel_is_a_dead_letter(admin_user):
    channel = services.create_channel(
        by=admin_user, name="off", kind="slack", url="slack://T1/B2/X3", is_active=False
    )
    enqueue(key="c1", channel="chat", target="nobody", payload={})
    enqueue(key="c2", channel="chat", target=channel.name, payload={})

    deliver_due("w1")

    with translation.override("en"):
        errors = {row.key: row.error_text for row in OutboxMessage.objects.all()}
    assert errors["c1"] == "No notification channel named “nobody”."
    assert errors["c2"] == "The notification channel “off” is not active."


def test_retry_puts_a_dead_message_back(admin_user):
    enqueue(key="d", channel="email", target="a@example.com", payload={})
    OutboxMessage.objects.update(status=MessageStatus.DEAD, attempts=3, last_error="boom")

    services.retry_message(OutboxMessage.objects.get(), by=admin_user)
    result = deliver_due("w1")

    row = OutboxMessage.objects.get()
    assert (result.sent, row.status, row.attempts, row.last_error) == (1, "sent", 1, "")


def test_retry_refuses_a_message_that_is_not_dead(admin_user):
    from itsm.core.errors import InvalidTransition

    message = enqueue(key="p", channel="email", target="a@example.com", payload={})
    with pytest.raises(InvalidTransition):
        services.retry_message(message, by=admin_user)


def test_messages_not_yet_available_wait():
    enqueue(
        key="later",
        channel="email",
        target="a@example.com",
        payload={},
        available_at=timezone.now() + timedelta(hours=1),
    )

    assert deliver_due("w1").claimed == 0
