"""Timeline rows written by services (X-03), read back merged with field history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from itsm.core.models import TimelineEntry


def record_event(
    obj, verb: str, *, by=None, note: str = "", data: dict | None = None, at: datetime | None = None
) -> TimelineEntry:
    """Append one timeline row for *obj*. Services call this inside their transaction."""
    return TimelineEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        verb=verb,
        actor=by if getattr(by, "pk", None) else None,
        note=note,
        data=data or {},
        at=at or timezone.now(),
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


def history_for(obj) -> list[HistoryItem]:
    """Field history (django-simple-history) and timeline rows of *obj*, oldest first."""
    items: list[HistoryItem] = []
    history = getattr(obj, "history", None)
    if history is not None:
        records = list(history.all().select_related("history_user").order_by("history_date"))
        previous = None
        for record in records:
            kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
            changes: tuple = ()
            if previous is not None:
                delta = record.diff_against(previous)
                changes = tuple(
                    (_field_label(type(obj), c.field), _display(c.old), _display(c.new))
                    for c in delta.changes
                    if c.field not in ("version", "updated_at")
                )
                if kind == "changed" and not changes:
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
                )
            )
            previous = record
    for entry in timeline_for(obj):
        items.append(HistoryItem(entry.at, entry.actor, "event", entry.verb, (), entry.note))
    items.sort(key=lambda item: item.at)
    return items


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the history row was written
        return name


def _display(value) -> str:
    return "" if value is None else str(value)
