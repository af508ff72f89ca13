"""``record_events`` writes, in bulk, the rows ``record_event`` writes one by one."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from itsm.core.models import TimelineEntry
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket
from itsm.core.timeline import Event, record_event, record_events

pytestmark = pytest.mark.django_db

FIELDS = ("content_type", "object_id", "verb", "actor", "note", "data", "at")


def _rows(verb):
    return list(TimelineEntry.objects.filter(verb=verb).order_by("id").values_list(*FIELDS))


def test_record_events_writes_what_record_event_writes(customer_a, admin_user):
    first = create_sample_ticket(title="One", customer=customer_a)
    second = create_sample_ticket(title="Two", customer=customer_a)
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    record_event(first, "single", by=admin_user, note="looked", data={"n": 1}, at=when)
    record_event(second, "single", at=when)
    created = record_events(
        [
            Event(first, "bulk", by=admin_user, note="looked", data={"n": 1}, at=when),
            Event(second, "bulk", at=when),
        ]
    )
    assert len(created) == 2
    ticket_type = ContentType.objects.get_for_model(SampleTicket).pk
    expected = [
        (ticket_type, str(first.pk), admin_user.pk, "looked", {"n": 1}, when),
        (ticket_type, str(second.pk), None, "", {}, when),
    ]
    strip = [(c, o, a, n, d, t) for c, o, _v, a, n, d, t in _rows("single")]
    assert strip == expected
    assert [(c, o, a, n, d, t) for c, o, _v, a, n, d, t in _rows("bulk")] == expected


def test_record_events_dates_rows_now_and_takes_deferred_records(customer_a):
    ticket = create_sample_ticket(title="One", customer=customer_a)
    deferred = SampleTicket.objects.only("pk").get(pk=ticket.pk)
    before = datetime.now(UTC)
    record_events([Event(deferred, "seen")])
    entry = TimelineEntry.objects.get(verb="seen")
    assert entry.content_type.model_class() is SampleTicket
    assert entry.object_id == str(ticket.pk)
    assert entry.at >= before
    assert record_events([]) == []
