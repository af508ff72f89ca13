"""Timeline rows written by services (X-03), read back merged with field history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.models import TimelineEntry

#: translated labels of timeline verbs; apps add theirs with ``register_verb_labels``
_VERB_LABELS: dict[str, object] = {
    "created": _("Created"),
    "updated": _("Updated"),
    "changed": _("Changed"),
    "deleted": _("Deleted"),
    "roles_changed": _("Roles changed"),
    "members_changed": _("Members changed"),
}


def register_verb_labels(labels: Mapping[str, object]) -> None:
    """Declare the translated labels of an app's timeline verbs (call in ``AppConfig.ready``)."""
    _VERB_LABELS.update(labels)


def verb_label(verb: str, model=None) -> str:
    """The label of *verb*: the transition's label when *model*'s state machine has a
    transition of that name, else a registered label, else the verb made readable."""
    machine = getattr(model, "state_machine", None)
    transition = machine.by_name(verb) if machine is not None else None
    if transition is not None and transition.label:
        return str(transition.label)
    label = _VERB_LABELS.get(verb)
    return str(label) if label is not None else verb.replace("_", " ")


def record_event(
    obj, verb: str, *, by=None, note: str = "", data: dict | None = None, at: datetime | None = None
) -> TimelineEntry:
    """Append one timeline row for *obj*. Services call this inside their transaction."""
    entry = _entry(Event(obj, verb, by=by, note=note, data=data, at=at), timezone.now())
    entry.save()
    return entry


@dataclass(frozen=True)
class Event:
    """One timeline row for :func:`record_events` (the arguments of :func:`record_event`)."""

    obj: Any
    verb: str
    by: Any = None
    note: str = ""
    data: dict | None = None
    at: datetime | None = None


def record_events(events: Iterable[Event]) -> list[TimelineEntry]:
    """Append many timeline rows in bulk INSERTs, each as :func:`record_event` writes it
    (actor, verb, note, data, time; now when *at* is empty). Services call this inside their
    transaction, e.g. the clock sweep for every clock it moved."""
    now = timezone.now()
    entries = [_entry(event, now) for event in events]
    return TimelineEntry.objects.bulk_create(entries, batch_size=500)


def _entry(event: Event, now: datetime) -> TimelineEntry:
    return TimelineEntry(
        content_type=ContentType.objects.get_for_model(type(event.obj)),
        object_id=str(event.obj.pk),
        verb=event.verb,
        actor=event.by if getattr(event.by, "pk", None) else None,
        note=event.note,
        data=event.data or {},
        at=event.at or now,
    )


def timeline_for(obj):
    return TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class HistoryItem:
    """One line of a record's history page: a field diff or a timeline event."""

    at: datetime
    actor: object
    kind: str  # "created", "changed", "deleted" or "event"
    verb: str
    changes: tuple[tuple[str, str, str], ...]  # (field label, old, new)
    note: str
    label: str = ""


def history_for(obj) -> list[HistoryItem]:
    """Field history (django-simple-history) and timeline rows of *obj*, oldest first.

    A creation is one event written twice — the ``+`` field-history row and the service's
    ``created`` timeline row — so it is shown once: at the timeline's time (a service may date
    it, e.g. a test ticket opened in the past), by whichever row names the actor, with the
    timeline's note.
    """
    items: list[HistoryItem] = []
    entries = list(timeline_for(obj))
    created_entry = next((e for e in entries if e.verb == "created"), None)
    history = getattr(obj, "history", None)
    if history is not None:
        records = list(history.all().select_related("history_user").order_by("history_date"))
        related: dict = {}  # (model, pk) → name, so each related record is read once
        previous = None
        for record in records:
            kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
            changes: tuple = ()
            if previous is not None:
                delta = record.diff_against(previous)
                changes = tuple(
                    (
                        _field_label(type(obj), c.field),
                        _display(type(obj), c.field, c.old, related),
                        _display(type(obj), c.field, c.new, related),
                    )
                    for c in delta.changes
                    if c.field not in ("version", "updated_at")
                )
                if kind == "changed" and not changes:
                    previous = record
                    continue
            if kind == "created" and created_entry is not None:
                entries.remove(created_entry)
                items.append(
                    HistoryItem(
                        created_entry.at,
                        created_entry.actor or record.history_user,
                        kind,
                        kind,
                        changes,
                        created_entry.note or record.history_change_reason or "",
                        verb_label(kind),
                    )
                )
                created_entry = None
                previous = record
                continue
            items.append(
                HistoryItem(
                    record.history_date,
                    record.history_user,
                    kind,
                    kind,
                    changes,
                    record.history_change_reason or "",
                    verb_label(kind),
                )
            )
            previous = record
    for entry in entries:
        items.append(
            HistoryItem(
                entry.at,
                entry.actor,
                "event",
                entry.verb,
                (),
                entry.note,
                verb_label(entry.verb, type(obj)),
            )
        )
    items.sort(key=lambda item: item.at)
    return items


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the history row was written
        return name


def _display(model, name: str, value, related: dict) -> str:
    """A history value as a reader expects it: a choice's label, the related record's name
    (read once per history page through *related*), a local date and time."""
    if value is None or value == "":
        return ""
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field removed since the history row was written
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_one:
        key = (field.related_model, value)
        if key not in related:
            record = field.related_model._base_manager.filter(pk=value).first()
            related[key] = str(record) if record is not None else str(value)
        return related[key]
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(value)
