"""The bulk writer of imported tickets (R-DEP-04): tickets of another tool, their facts and
their rebuilt timelines, written in a few statements per batch.

Imported tickets are history: they start no clock (no agreement, no due time), are not
dispatched and send no notification, and they keep the old tool's number. The caller
(``itsm.desk.imports``) has read, mapped and checked the file; this module only resolves
categories and groups (created when the user chose so) and writes. Importing the same
source numbers again writes nothing (``ImportedFacts`` is unique per source and number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from itsm.core.models import Organisation, Team, TimelineEntry
from itsm.desk.choices import TicketKind
from itsm.desk.models import Category, ImportedFacts, Ticket

BATCH = 1000

#: labels of the timeline verbs written here (registered by ``desk.imports``' AppConfig)
IMPORTED_VERB_LABELS = {
    "imported": _("Imported"),
    "imported_state": _("State changed (old tool)"),
    "imported_reassigned": _("Reassigned (old tool)"),
    "imported_reopened": _("Reopened (old tool)"),
}


@dataclass
class ImportedEvent:
    """One event of an imported ticket's rebuilt timeline."""

    verb: str
    at: datetime
    actor: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class ImportedTicket:
    """One incident of the old tool as it ended (its final snapshot) with its timeline."""

    source_number: str
    title: str
    status: str
    opened_at: datetime
    description: str = ""
    source_state: str = ""
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    priority: str = ""
    impact: str = ""
    urgency: str = ""
    channel: str = "console"
    category: str = ""
    group: str = ""
    ci_ids: list[int] = field(default_factory=list)
    caller: str = ""
    made_sla: bool | None = None
    reassignment_count: int = 0
    reopen_count: int = 0
    kind: str = TicketKind.INCIDENT
    events: list[ImportedEvent] = field(default_factory=list)


def _insert(objs: list) -> None:
    """Insert new rows of one model: on PostgreSQL with ``COPY`` (ids taken from the table's
    sequence first, values as the objects hold them — the callers set every column, including
    the times ``auto_now`` would set), elsewhere with ``bulk_create``. No signals, no field
    history: imported rows are history already."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs, batch_size=BATCH)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
        columns = ", ".join(quote(f.column) for f in fields)
        names = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row(
                    [Jsonb(values[name]) if name in json_fields else values[name] for name in names]
                )


def imported_numbers(source: str, numbers: Iterable[str]) -> set[str]:
    """The numbers among *numbers* already imported from *source*."""
    numbers = list(numbers)
    found: set[str] = set()
    for start in range(0, len(numbers), 5000):
        found.update(
            ImportedFacts.objects.filter(
                source=source, source_number__in=numbers[start : start + 5000]
            ).values_list("source_number", flat=True)
        )
    return found


def numbers_taken(source: str, numbers: Iterable[str]) -> set[str]:
    """The numbers among *numbers* that a ticket not imported from *source* already has."""
    numbers = list(numbers)
    taken: set[str] = set()
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        taken.update(
            Ticket.objects.filter(number__in=chunk)
            .exclude(imported_facts__source=source)
            .values_list("number", flat=True)
        )
    return taken


def _code(prefix: str, name: str, length: int) -> str:
    return (prefix + (slugify(name) or "x"))[:length]


def resolve_categories(names: Iterable[str], *, create: bool) -> dict[str, int]:
    """Category id of each name (matched by name or code); missing ones created under the
    ``imported`` code prefix when *create*, else left out."""
    wanted = {n for n in names if n}
    found: dict[str, int] = {}
    for pk, code, name in Category.objects.values_list("pk", "code", "name"):
        if name in wanted:
            found.setdefault(name, pk)
        if code in wanted:
            found.setdefault(code, pk)
    missing = sorted(wanted - set(found))
    if create and missing:
        codes = {name: _code("imported-", name, 60) for name in missing}
        Category.objects.bulk_create(
            [Category(code=codes[name], name=name[:200]) for name in missing],
            ignore_conflicts=True,
        )
        by_code = dict(Category.objects.filter(code__in=codes.values()).values_list("code", "pk"))
        found.update({name: by_code[codes[name]] for name in missing if codes[name] in by_code})
    return found


def resolve_teams(
    names: Iterable[str], *, create: bool, organisation: Organisation | None
) -> dict[str, int]:
    """Team (assignment group) id of each name (matched by name or code); missing ones
    created in *organisation* (the provider) when *create*, else left out."""
    wanted = {n for n in names if n}
    found: dict[str, int] = {}
    for pk, code, name in Team.objects.values_list("pk", "code", "name"):
        if name in wanted:
            found.setdefault(name, pk)
        if code in wanted:
            found.setdefault(code, pk)
    missing = sorted(wanted - set(found))
    if create and missing and organisation is not None:
        codes = {name: _code("imp-", name, 40) for name in missing}
        Team.objects.bulk_create(
            [Team(code=codes[n], name=n[:200], organisation=organisation) for n in missing],
            ignore_conflicts=True,
        )
        by_code = dict(Team.objects.filter(code__in=codes.values()).values_list("code", "pk"))
        found.update({name: by_code[codes[name]] for name in missing if codes[name] in by_code})
    return found


def write_imported_tickets(
    tickets: list[ImportedTicket],
    *,
    source: str,
    customer: Organisation,
    reference: str,
    categories: dict[str, int],
    teams: dict[str, int],
) -> int:
    """Write *tickets* (not yet imported from *source*) with their facts, affected CIs and
    timelines, in one transaction; the number written. Tickets already imported from
    *source* are left as they are (idempotent by source number)."""
    if not tickets:
        return 0
    done = imported_numbers(source, [t.source_number for t in tickets])
    tickets = [t for t in tickets if t.source_number not in done]
    if not tickets:
        return 0
    now = timezone.now()
    ticket_type = ContentType.objects.get_for_model(Ticket)
    rows = [
        Ticket(
            number=t.source_number[:20],
            kind=t.kind,
            title=t.title[:200] or t.source_number,
            description=t.description,
            status=t.status,
            category_id=categories.get(t.category),
            impact=t.impact,
            urgency=t.urgency,
            priority=t.priority,
            customer_id=customer.pk,
            channel=t.channel,
            assignment_group_id=teams.get(t.group),
            opened_at=t.opened_at,
            resolved_at=t.resolved_at,
            closed_at=t.closed_at,
            breached=t.made_sla is False,
            reassignment_count=min(t.reassignment_count, 32767),
            reopen_count=min(t.reopen_count, 32767),
            created_at=now,
            updated_at=now,
        )
        for t in tickets
    ]
    with transaction.atomic():
        _insert(rows)
        facts = [
            ImportedFacts(
                ticket_id=row.pk,
                source=source,
                source_number=t.source_number,
                source_state=t.source_state[:60],
                made_sla=t.made_sla,
                reassignment_count=t.reassignment_count,
                reopen_count=t.reopen_count,
                opened_at=t.opened_at,
                resolved_at=t.resolved_at,
                closed_at=t.closed_at,
                caller=t.caller[:200],
                import_reference=reference,
                imported_at=now,
            )
            for row, t in zip(rows, tickets, strict=True)
        ]
        _insert(facts)
        links = [
            Ticket.cis.through(ticket_id=row.pk, configurationitem_id=ci)
            for row, t in zip(rows, tickets, strict=True)
            for ci in dict.fromkeys(t.ci_ids)
        ]
        _insert(links)
        _insert(
            [
                TimelineEntry(
                    content_type_id=ticket_type.pk,
                    object_id=str(row.pk),
                    verb=event.verb,
                    at=event.at,
                    note=event.note,
                    data={**event.data, "by": event.actor} if event.actor else event.data,
                )
                for row, t in zip(rows, tickets, strict=True)
                for event in t.events
            ]
        )
    return len(rows)
