from __future__ import annotations

import pytest

from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.errors import ValidationFailed
from itsm.core.outbox.choices import MessageStatus
from itsm.core.outbox.models import OutboxMessage
from itsm.core.outbox.services import enqueue, enqueue_many, notify_administrators

pytestmark = pytest.mark.django_db


def test_enqueue_creates_a_pending_message():
    message = enqueue(
        key="k1", channel="email", target="a@example.com", payload={"subject": "s", "body": "b"}
    )

    assert message.status == MessageStatus.PENDING
    assert message.attempts == 0
    assert message.payload == {"subject": "s", "body": "b"}
    assert message.next_attempt_at is not None


def test_enqueue_is_idempotent_on_key():
    first = enqueue(key="same", channel="email", target="a@example.com", payload={"body": "1"})
    second = enqueue(key="same", channel="webhook", target="https://x.example/", payload={})

    assert second.pk == first.pk
    assert second.channel == "email"
    assert OutboxMessage.objects.filter(key="same").count() == 1


def test_enqueue_validates_its_arguments():
    with pytest.raises(ValidationFailed) as info:
        enqueue(key="", channel="pigeon", target="", payload=[])  # type: ignore[arg-type]

    assert set(info.value.fields) == {"key", "channel", "target", "payload"}
    assert OutboxMessage.objects.count() == 0


def test_enqueue_rolls_back_with_the_callers_transaction():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(key="lost", channel="email", target="a@example.com", payload={})
        raise RuntimeError("the business change failed")

    assert not OutboxMessage.objects.filter(key="lost").exists()


def test_notify_administrators_mails_each_active_admin_once(provider, admin_user, agent):
    second = core_services.create_user(
        username="admin2",
        organisation=provider,
        roles=(Role.ADMINISTRATOR,),
        email="admin2@example.com",
    )
    core_services.create_user(
        username="gone",
        organisation=provider,
        roles=(Role.ADMINISTRATOR,),
        email="gone@example.com",
    )
    from itsm.core.models import User

    User.objects.filter(username="gone").update(is_active=False)

    count = notify_administrators(key="cal:2027", subject="Calendar", body="Enter 2027")
    again = notify_administrators(key="cal:2027", subject="Calendar", body="Enter 2027")

    assert count == 2
    assert again == 0
    rows = OutboxMessage.objects.order_by("id")
    assert [(m.key, m.target) for m in rows] == [
        (f"cal:2027:admin:{admin_user.pk}", "admin@example.com"),
        (f"cal:2027:admin:{second.pk}", "admin2@example.com"),
    ]
    assert rows[0].payload == {"subject": "Calendar", "body": "Enter 2027"}


def test_enqueue_many_inserts_in_bulk_and_a_repeated_key_is_a_no_op():
    from itsm.core.outbox.services import Message

    first = [
        Message(key="bulk:1", channel="email", target="a@example.com", payload={"body": "1"}),
        Message(key="bulk:2", channel="email", target="b@example.com", payload={"body": "2"}),
        Message(key="bulk:1", channel="email", target="c@example.com", payload={"body": "x"}),
    ]
    assert enqueue_many(first) == 2
    enqueue(key="bulk:3", channel="email", target="c@example.com", payload={"body": "3"})
    # the same keys again, and a key enqueued one by one: nothing new, nothing changed
    again = [
        Message(key="bulk:2", channel="webhook", target="https://x.example/", payload={}),
        Message(key="bulk:3", channel="email", target="z@example.com", payload={"body": "z"}),
        Message(key="bulk:4", channel="email", target="d@example.com", payload={"body": "4"}),
    ]
    assert enqueue_many(again) == 1
    rows = {m.key: (m.channel, m.target, m.payload, m.status) for m in OutboxMessage.objects.all()}
    assert rows == {
        "bulk:1": ("email", "a@example.com", {"body": "1"}, MessageStatus.PENDING),
        "bulk:2": ("email", "b@example.com", {"body": "2"}, MessageStatus.PENDING),
        "bulk:3": ("email", "c@example.com", {"body": "3"}, MessageStatus.PENDING),
        "bulk:4": ("email", "d@example.com", {"body": "4"}, MessageStatus.PENDING),
    }
    assert enqueue_many([]) == 0


def test_enqueue_many_validates_every_message_before_writing():
    from itsm.core.outbox.services import Message

    good = Message(key="ok", channel="email", target="a@example.com", payload={})
    bad = Message(key="bad", channel="pigeon", target="", payload={})
    with pytest.raises(ValidationFailed) as info:
        enqueue_many([good, bad])
    assert set(info.value.fields) == {"channel", "target"}
    assert OutboxMessage.objects.count() == 0


def test_notify_administrators_composes_in_each_administrators_language():
    from django.utils.translation import gettext

    from itsm.core.testing.factories import UserFactory

    UserFactory(username="admin-zh", roles=[Role.ADMINISTRATOR], language="zh-hans")
    UserFactory(username="admin-en", roles=[Role.ADMINISTRATOR], language="en")

    def compose():
        return gettext("Response time"), gettext("Resolution time")

    assert notify_administrators(key="lang", compose=compose) == 2
    payloads = {m.target: m.payload for m in OutboxMessage.objects.all()}
    assert payloads == {
        "admin-zh@example.com": {"subject": "响应时间", "body": "解决时间"},
        "admin-en@example.com": {"subject": "Response time", "body": "Resolution time"},
    }


def test_text_is_composed_in_the_readers_language_and_time_zone_and_switched_back():
    from types import SimpleNamespace

    from django.utils import timezone, translation

    from itsm.core.outbox.services import in_reader_language

    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        english = SimpleNamespace(language="en", time_zone="Europe/London")
        with in_reader_language(english):
            assert translation.get_language() == "en"
            assert timezone.get_current_timezone_name() == "Europe/London"
        # the reader already active: nothing switched, nothing to restore
        with in_reader_language(SimpleNamespace(language="zh-hans", time_zone="Asia/Shanghai")):
            assert translation.get_language() == "zh-hans"
            assert timezone.get_current_timezone_name() == "Asia/Shanghai"
        # only the time zone differs: both switched for the block
        with in_reader_language(SimpleNamespace(language="zh-hans", time_zone="UTC")):
            assert timezone.get_current_timezone_name() == "UTC"
        assert translation.get_language() == "zh-hans"
        assert timezone.get_current_timezone_name() == "Asia/Shanghai"
