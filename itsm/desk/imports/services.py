"""The only writers of historic ticket import: upload, mapping, dry run, queueing, the run.

The run writes through ``itsm.desk.services.imported`` (the bulk writer) in batches of
incidents, each batch one transaction, and moves the import's progress after each batch in a
statement of its own so that the progress page sees it. Imported tickets start no clocks and
send no notifications. A file with bad rows is imported only when the user chose to skip the
bad incidents; the skipped ones are then listed in the import's log.
"""

from __future__ import annotations

import logging
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from itsm.cmdb.selectors import all_cis
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation
from itsm.core.services import transition
from itsm.core.stored_text import stored
from itsm.core.writes import insert_record
from itsm.desk.imports.choices import BAD_STATE, TARGETS, ImportStatus, UnknownValues
from itsm.desk.imports.engine import build, mapping, reading
from itsm.desk.imports.models import ImportFile, TicketImport
from itsm.desk.services import imported

log = logging.getLogger(__name__)

#: incidents written per transaction
BATCH_INCIDENTS = 1000


def _zone() -> str:
    return settings.TIME_ZONE or "UTC"


def table_of(ticket_import: TicketImport) -> reading.Table:
    return reading.read_table(bytes(ticket_import.file.content), ticket_import.file_name)


def create_import(
    *, by, upload, source: str, customer: Organisation, file_name: str = ""
) -> TicketImport:
    """Store an uploaded export with the mapping guessed from its headers."""
    file_name = file_name or getattr(upload, "name", "") or ""
    problems: dict[str, list[str]] = {}
    source = (source or "").strip()
    if not source:
        problems["source"] = [_("Name the source system (e.g. ServiceNow).")]
    elif len(source) > 60:
        problems["source"] = [_("At most 60 characters.")]
    reading.check_name(file_name)
    if problems:
        raise ValidationFailed(fields=problems)
    data = reading.read_bytes(upload)
    table = reading.read_table(data, file_name)
    column_map = mapping.default_mapping(table.headers)
    values = build.scan_values(table, column_map)
    ticket_import = TicketImport(
        file_name=file_name[:255],
        source=source,
        customer=customer,
        headers=table.headers,
        mapping=column_map,
        state_map=build.default_state_map(values),
        priority_map=build.default_priority_map(values),
        total_rows=len(table.rows),
        created_by=by if getattr(by, "pk", None) else None,
    )
    with transaction.atomic():
        insert_record(ticket_import, by=by)
        ImportFile.objects.create(ticket_import=ticket_import, content=data)
    return ticket_import


def set_mapping(
    ticket_import: TicketImport,
    *,
    by,
    column_map=None,
    state_map=None,
    priority_map=None,
    day_first: bool | None = None,
    unknown_groups: str | None = None,
    unknown_categories: str | None = None,
) -> TicketImport:
    """Change the column and value mappings (back to "uploaded" if it was checked)."""
    if ticket_import.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED):
        raise ValidationFailed(fields={"status": [_("This import can no longer be changed.")]})
    problems: dict[str, list[str]] = {}
    if column_map is not None:
        before = _value_columns(ticket_import.mapping)
        ticket_import.mapping = mapping.check_mapping(column_map, ticket_import.headers)
        if (
            state_map is None
            or priority_map is None
            or before != _value_columns(ticket_import.mapping)
        ):
            # the values of the (new) state and priority columns, the choices sent kept
            values = build.scan_values(table_of(ticket_import), ticket_import.mapping)
            found_states = build.default_state_map(values)
            found_priorities = build.default_priority_map(values)
            state_map = {
                **found_states,
                **{k: v for k, v in (state_map or {}).items() if k in found_states},
            }
            priority_map = {
                **found_priorities,
                **{k: v for k, v in (priority_map or {}).items() if k in found_priorities},
            }
    statuses = {value for value, _label in mapping.state_choices()}
    priorities = {value for value, _label in mapping.priority_choices()}
    if state_map is not None:
        if not isinstance(state_map, dict) or any(v not in statuses for v in state_map.values()):
            problems["state_map"] = [_("Map each state to a ticket status or to “bad row”.")]
        else:
            ticket_import.state_map = {str(k): str(v) for k, v in state_map.items()}
    if priority_map is not None:
        if not isinstance(priority_map, dict) or any(
            (v or "") not in priorities for v in priority_map.values()
        ):
            problems["priority_map"] = [_("Map each priority to P1 … P4 or to none.")]
        else:
            ticket_import.priority_map = {str(k): str(v or "") for k, v in priority_map.items()}
    for name, value in (
        ("unknown_groups", unknown_groups),
        ("unknown_categories", unknown_categories),
    ):
        if value is not None:
            if value not in UnknownValues.values:
                problems[name] = [_("Choose create or leave empty.")]
            else:
                setattr(ticket_import, name, value)
    if day_first is not None:
        ticket_import.day_first = bool(day_first)
    if problems:
        raise ValidationFailed(fields=problems)
    ticket_import.problems = []
    if ticket_import.status == ImportStatus.CHECKED:
        return transition(ticket_import, ImportStatus.UPLOADED, by=by)
    from itsm.core.services import save_versioned

    return save_versioned(ticket_import, expected_version=None, by=by)


def _value_columns(column_map: dict[str, str]) -> dict[str, str]:
    return {t: c for c, t in column_map.items() if t in ("state", "sub_state", "priority")}


def _ci_ids(table: reading.Table, column_map: dict[str, str]) -> dict[str, int]:
    column = next((c for c, t in column_map.items() if t == "ci"), None)
    if column is None:
        return {}
    index = table.headers.index(column)
    names = {cells[index].strip() for _line, cells in table.rows} - {"", "?"}
    found: dict[str, int] = {}
    names_list = sorted(names)
    for start in range(0, len(names_list), 5000):
        chunk = names_list[start : start + 5000]
        for pk, name in all_cis().filter(name__in=chunk).values_list("pk", "name"):
            found.setdefault(name, pk)
    return found


def _plan(ticket_import: TicketImport) -> build.Plan:
    table = table_of(ticket_import)
    plan = build.build(
        table,
        mapping=ticket_import.mapping,
        state_map=ticket_import.state_map,
        priority_map=ticket_import.priority_map,
        day_first=ticket_import.day_first,
        zone=_zone(),
        ci_ids=_ci_ids(table, ticket_import.mapping),
        source=ticket_import.source,
    )
    numbers = [t.source_number for t in plan.tickets]
    taken = imported.numbers_taken(ticket_import.source, numbers)
    if taken:
        kept = []
        for ticket in plan.tickets:
            if ticket.source_number in taken:
                line = _first_line(table, ticket_import.mapping, ticket.source_number)
                plan.problems.append(
                    build.Problem(
                        line,
                        ticket.source_number,
                        _("Another ticket already has the number “{number}”.").format(
                            number=ticket.source_number
                        ),
                    )
                )
                plan.bad_numbers[ticket.source_number] = line
            else:
                kept.append(ticket)
        plan.tickets = kept
        plan.problems.sort(key=lambda p: p.line)
    return plan


def _first_line(table: reading.Table, column_map: dict[str, str], number: str) -> int:
    index = table.headers.index(next(c for c, t in column_map.items() if t == "number"))
    return next((line for line, cells in table.rows if cells[index].strip() == number), 0)


def dry_run(ticket_import: TicketImport, *, by) -> TicketImport:
    """Check the whole file as the run would, writing nothing but the report: every bad row
    with its line and reason, the incidents, how many were already imported."""
    plan = _plan(ticket_import)
    already = imported.imported_numbers(
        ticket_import.source, [t.source_number for t in plan.tickets]
    )
    return transition(
        ticket_import,
        ImportStatus.CHECKED,
        by=by,
        shape=plan.shape,
        incident_count=plan.incident_count,
        unchanged_count=len(already),
        problems=[p.as_dict() for p in plan.problems],
    )


def queue_import(ticket_import: TicketImport, *, by, skip_bad: bool = False) -> TicketImport:
    """Hand a checked import to the worker. With bad rows, only if *skip_bad* is chosen."""
    if ticket_import.problems and not skip_bad:
        raise ValidationFailed(
            _("The file has bad rows: correct it, or choose to skip the bad incidents."),
            fields={
                "skip_bad": [
                    _("{count} bad rows: skip their incidents to import the others.").format(
                        count=len(ticket_import.problems)
                    )
                ]
            },
        )
    return transition(ticket_import, ImportStatus.QUEUED, by=by, skip_bad=bool(skip_bad))


def claim_next() -> TicketImport | None:
    """The oldest queued import, marked running (one worker takes it)."""
    with transaction.atomic():
        candidate = (
            TicketImport.objects.select_for_update(skip_locked=True)
            .filter(status=ImportStatus.QUEUED)
            .order_by("id")
            .first()
        )
        if candidate is None:
            return None
        return transition(candidate, ImportStatus.RUNNING, by=None, started_at=timezone.now())


def run_import(ticket_import: TicketImport, *, progress=None) -> TicketImport:
    """Write a running (or queued) import: the tickets not yet imported, in batches."""
    if ticket_import.status == ImportStatus.QUEUED:
        ticket_import = transition(
            ticket_import, ImportStatus.RUNNING, by=None, started_at=timezone.now()
        )
    try:
        return _run(ticket_import, progress)
    except Exception as exc:  # recorded on the import; the worker goes on
        log.exception("ticket import %s failed", ticket_import.pk)
        ticket_import.refresh_from_db()
        return transition(
            ticket_import,
            ImportStatus.FAILED,
            by=None,
            finished_at=timezone.now(),
            log=(ticket_import.log + "\n" + "".join(traceback.format_exception_only(exc)))[-20000:],
        )


def _run(ticket_import: TicketImport, progress) -> TicketImport:
    plan = _plan(ticket_import)
    lines: list[str] = []
    if plan.problems and not ticket_import.skip_bad:
        raise ValidationFailed(_("The file has bad rows and skipping them was not chosen."))
    skipped = [
        {"number": number, "line": line}
        for number, line in sorted(plan.bad_numbers.items(), key=lambda item: item[1])
    ]
    if skipped:
        lines.append(
            stored(gettext_noop("{count} bad incidents skipped, as chosen"), count=len(skipped))
        )
    organisation = Organisation.objects.filter(kind="provider").order_by("id").first()
    groups = imported.resolve_teams(
        {t.group for t in plan.tickets},
        create=ticket_import.unknown_groups == UnknownValues.CREATE,
        organisation=organisation,
    )
    categories = imported.resolve_categories(
        {t.category for t in plan.tickets},
        create=ticket_import.unknown_categories == UnknownValues.CREATE,
    )
    done_rows = sum(plan.rows_of[n] for n in plan.bad_numbers)
    created = 0
    for start in range(0, len(plan.tickets), BATCH_INCIDENTS):
        batch = plan.tickets[start : start + BATCH_INCIDENTS]
        created += imported.write_imported_tickets(
            batch,
            source=ticket_import.source,
            customer=ticket_import.customer,
            reference=ticket_import.reference,
            categories=categories,
            teams=groups,
        )
        done_rows += sum(plan.rows_of[t.source_number] for t in batch)
        TicketImport.objects.filter(pk=ticket_import.pk).update(
            done_rows=done_rows, created_count=created
        )
        if progress is not None:
            progress(done_rows, ticket_import.total_rows)
    unchanged = len(plan.tickets) - created
    lines.append(
        stored(
            gettext_noop("{created} tickets created, {unchanged} already imported"),
            created=created,
            unchanged=unchanged,
        )
    )
    ticket_import.refresh_from_db()
    return transition(
        ticket_import,
        ImportStatus.DONE,
        by=None,
        finished_at=timezone.now(),
        done_rows=ticket_import.total_rows,
        created_count=created,
        unchanged_count=unchanged,
        skipped=skipped,
        log="\n".join(lines),
    )


def run_queued() -> int:
    """Run every queued import (the worker's job); the number run."""
    count = 0
    while (ticket_import := claim_next()) is not None:
        run_import(ticket_import)
        count += 1
    return count


__all__ = [
    "BAD_STATE",
    "TARGETS",
    "create_import",
    "dry_run",
    "queue_import",
    "run_import",
    "run_queued",
    "set_mapping",
]
