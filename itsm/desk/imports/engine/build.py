"""From a mapped table to the tickets to write and the bad rows to report.

An event log (a number on several rows) is grouped by number; each incident's rows are put
in update order (the update sequence, else the update time, else the file's order); the
ticket is the final snapshot and its timeline the differences between consecutive snapshots:
each state change with its time and actor, each change of assignment group (a reassignment
after the first assignment), each move from resolved or closed back to an open state (a
reopening). A one-row-per-incident export gives the opening, resolution and closure events.

A row is bad when its state is mapped to nothing (ServiceNow's ``-100``), a date is not a
date, a count is not a number or the number is missing or too long; an incident with a bad
row is a bad incident: every bad row is reported with its line and reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from itsm.desk.choices import TicketStatus
from itsm.desk.imports.choices import BAD_STATE, ImportShape
from itsm.desk.imports.engine import mapping as m
from itsm.desk.imports.engine.reading import Table
from itsm.desk.services.imported import ImportedEvent, ImportedTicket

_DONE = {TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value, TicketStatus.CANCELLED.value}
NUMBER_LENGTH = 20
#: cells that are empty as they are (the usual case, without stripping them)
_EMPTY_CELLS = frozenset({"", "?"})


@dataclass
class Problem:
    """One bad row: its line in the file, the incident's number and the reason."""

    line: int
    number: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "number": self.number, "reason": self.reason}


@dataclass
class Plan:
    """What a file gives: its shape, the tickets to write, every bad row."""

    shape: str
    tickets: list[ImportedTicket] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bad_numbers: dict[str, int] = field(default_factory=dict)
    rows_of: dict[str, int] = field(default_factory=dict)
    incident_count: int = 0


@dataclass
class Values:
    """The distinct states and priorities of a file, with their row counts."""

    states: Counter = field(default_factory=Counter)
    priorities: Counter = field(default_factory=Counter)


def _columns(table: Table, mapping: dict[str, str]) -> dict[str, int]:
    position = {header: index for index, header in enumerate(table.headers)}
    return {target: position[column] for column, target in mapping.items() if target}


def _state_key(cells: list[str], state: int, sub: int | None) -> str:
    value = cells[state].strip()
    if sub is not None and not m.empty(cells[sub]):
        return f"{value} / {cells[sub].strip()}"
    return value


def scan_values(table: Table, mapping: dict[str, str]) -> Values:
    """The distinct states (with their sub-state when one is mapped) and priorities."""
    columns = _columns(table, mapping)
    values = Values()
    state, sub, priority = columns.get("state"), columns.get("sub_state"), columns.get("priority")
    for _line, cells in table.rows:
        if state is not None:
            values.states[_state_key(cells, state, sub)] += 1
        if priority is not None and not m.empty(cells[priority]):
            values.priorities[cells[priority].strip()] += 1
    return values


def default_state_map(values: Values) -> dict[str, str]:
    return {value: (m.default_state(value) or BAD_STATE) for value in values.states}


def default_priority_map(values: Values) -> dict[str, str]:
    return {value: m.default_priority(value) for value in values.priorities}


def build(
    table: Table,
    *,
    mapping: dict[str, str],
    state_map: dict[str, str],
    priority_map: dict[str, str],
    day_first: bool,
    zone: str,
    ci_ids: dict[str, int] | None = None,
    source: str = "",
) -> Plan:
    """The tickets and bad rows of *table* mapped by *mapping* (see the module's text)."""
    c = _columns(table, mapping)
    ci_ids = ci_ids or {}
    number_col = c["number"]
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for line, cells in table.rows:
        groups.setdefault(cells[number_col].strip(), []).append((line, cells))
    shape = (
        ImportShape.EVENTS if any(len(rows) > 1 for rows in groups.values()) else ImportShape.ROWS
    )
    plan = Plan(shape=str(shape), incident_count=len(groups))
    builder = _Builder(c, state_map, priority_map, day_first, zone, ci_ids, source)
    for number, rows in groups.items():
        plan.rows_of[number] = len(rows)
        problems: list[Problem] = []
        ticket = builder.ticket(number, rows, problems)
        if problems:
            plan.problems.extend(problems)
            plan.bad_numbers[number] = problems[0].line
        elif ticket is not None:
            plan.tickets.append(ticket)
    plan.problems.sort(key=lambda p: p.line)
    return plan


class _Builder:
    def __init__(self, c, state_map, priority_map, day_first, zone, ci_ids, source):
        self.c = c
        self.state_map = state_map
        self.priority_map = priority_map
        self.day_first = day_first
        self.zone = zone
        self.ci_ids = ci_ids
        self.source = source
        #: cells already read (most repeat from row to row): good dates and counts
        self._dates: dict[str, datetime | None] = {}
        self._ints: dict[str, int | None] = {}
        self._checked_dates = [t for t in ("opened_at", "resolved_at", "closed_at") if t in c]
        self._checked_counts = [t for t in ("reassignment_count", "reopen_count") if t in c]

    def _get(self, cells: list[str], target: str) -> str:
        index = self.c.get(target)
        if index is None:
            return ""
        value = cells[index]
        if value in _EMPTY_CELLS:
            return ""
        value = value.strip()
        return "" if m.empty(value) else value

    def _date(self, cells, target, line, number, problems) -> datetime | None:
        index = self.c.get(target)
        if index is None:
            return None
        raw = cells[index]
        try:
            return self._dates[raw]
        except KeyError:
            pass
        value = self._get(cells, target)
        parsed = m.parse_date(value, self.day_first, self.zone) if value else None
        if value and parsed is None:
            problems.append(
                Problem(
                    line,
                    number,
                    _("{field}: “{value}” is not a date.").format(
                        field=m.target_label(target), value=value
                    ),
                )
            )
        else:
            self._dates[raw] = parsed
        return parsed

    def _count(self, cells, target, line, number, problems) -> int | None:
        index = self.c.get(target)
        if index is None:
            return None
        raw = cells[index]
        try:
            return self._ints[raw]
        except KeyError:
            pass
        value = self._get(cells, target)
        if not value:
            self._ints[raw] = None
            return None
        try:
            self._ints[raw] = result = max(0, int(float(value)))
            return result
        except ValueError:
            problems.append(
                Problem(
                    line,
                    number,
                    _("{field}: “{value}” is not a number.").format(
                        field=m.target_label(target), value=value
                    ),
                )
            )
            return None

    def _status(self, key: str) -> str:
        status = self.state_map.get(key)
        if status is None:
            status = m.default_state(key) or BAD_STATE
        return status

    def ticket(self, number, rows, problems: list[Problem]) -> ImportedTicket | None:
        c = self.c
        if not number:
            for line, _cells in rows:
                problems.append(Problem(line, "", _("The number is empty.")))
            return None
        if len(number) > NUMBER_LENGTH:
            problems.append(
                Problem(
                    rows[0][0],
                    number,
                    _("The number is longer than {count} characters.").format(count=NUMBER_LENGTH),
                )
            )
        state_col, sub_col = c["state"], c.get("sub_state")
        snapshots = []
        for line, cells in rows:
            key = _state_key(cells, state_col, sub_col)
            status = self._status(key)
            if status == BAD_STATE:
                problems.append(
                    Problem(line, number, _("Unknown state “{state}”.").format(state=key))
                )
            updated = self._date(cells, "updated_at", line, number, problems)
            for target in self._checked_dates:
                self._date(cells, target, line, number, problems)
            sequence = self._count(cells, "sequence", line, number, problems)
            for target in self._checked_counts:
                self._count(cells, target, line, number, problems)
            snapshots.append((sequence, updated, line, cells, key, status))
        if problems:
            return None
        if "sequence" in c:
            snapshots.sort(key=lambda s: (s[0] if s[0] is not None else -1, s[2]))
        elif "updated_at" in c:
            snapshots.sort(key=lambda s: (s[1].timestamp() if s[1] else 0.0, s[2]))
        final = snapshots[-1]
        cells = final[3]
        line = final[2]
        opened = self._date(cells, "opened_at", line, number, problems) or next(
            (s[1] for s in snapshots if s[1] is not None), None
        )
        if opened is None:
            problems.append(Problem(line, number, _("The opening time is missing.")))
            return None
        events = [
            ImportedEvent(
                "imported",
                opened,
                note=_("Opened in {source}").format(source=self.source) if self.source else "",
                data={"state": snapshots[0][4], "number": number},
            )
        ]
        reassignments = reopens = 0
        resolved_seen = closed_seen = None
        previous = None
        for _seq, updated, _line, row, key, status in snapshots:
            at = updated or opened
            actor = self._get(row, "updated_by")
            group = self._get(row, "group")
            if previous is not None:
                p_key, p_status, p_group = previous
                if key != p_key:
                    events.append(
                        ImportedEvent(
                            "imported_state",
                            at,
                            actor,
                            f"{p_key} → {key}",
                            {"from": p_key, "to": key, "status": status},
                        )
                    )
                    if p_status in _DONE and status not in _DONE:
                        reopens += 1
                        events.append(
                            ImportedEvent("imported_reopened", at, actor, key, {"from": p_key})
                        )
                if group != p_group and group:
                    if p_group:
                        reassignments += 1
                    events.append(
                        ImportedEvent(
                            "imported_reassigned",
                            at,
                            actor,
                            "{} → {}".format(p_group or "—", group),
                            {"from": p_group, "to": group},
                        )
                    )
            if status == TicketStatus.RESOLVED and p_status_of(previous) != status:
                resolved_seen = at
            if status == TicketStatus.CLOSED and p_status_of(previous) != status:
                closed_seen = at
            previous = (key, status, group)
        status = final[5]
        resolved = self._date(cells, "resolved_at", line, number, problems) or resolved_seen
        closed = self._date(cells, "closed_at", line, number, problems) or closed_seen
        if status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            resolved = closed = None
        else:
            resolved = resolved or final[1] or opened
            if status == TicketStatus.CLOSED:
                closed = closed or final[1] or resolved
            else:
                closed = None
        if len(snapshots) == 1:  # one row per incident: its times are its timeline
            if resolved:
                events.append(ImportedEvent("imported_state", resolved, "", "", {"to": "resolved"}))
            if closed:
                events.append(ImportedEvent("imported_state", closed, "", "", {"to": "closed"}))
        impact, urgency = m.level(self._get(cells, "impact")), m.level(self._get(cells, "urgency"))
        raw_priority = self._get(cells, "priority")
        if raw_priority:
            priority = self.priority_map.get(raw_priority)
            if priority is None:
                priority = m.default_priority(raw_priority)
        else:
            priority = m.priority_of(impact, urgency)
        category, subcategory = self._get(cells, "category"), self._get(cells, "subcategory")
        title = (
            self._get(cells, "title")
            or " / ".join(v for v in (category, subcategory) if v)
            or number
        )
        ci = self._get(cells, "ci")
        counted_reassignments = self._count(cells, "reassignment_count", line, number, problems)
        counted_reopens = self._count(cells, "reopen_count", line, number, problems)
        return ImportedTicket(
            source_number=number,
            title=title,
            description=self._get(cells, "description"),
            status=status,
            source_state=final[4],
            opened_at=opened,
            resolved_at=resolved,
            closed_at=closed,
            priority=priority or "",
            impact=impact,
            urgency=urgency,
            channel=m.channel(self._get(cells, "channel")),
            category=category,
            group=self._get(cells, "group"),
            ci_ids=[self.ci_ids[ci]] if ci in self.ci_ids else [],
            caller=self._get(cells, "caller"),
            made_sla=m.boolean(self._get(cells, "made_sla")),
            reassignment_count=(
                counted_reassignments if counted_reassignments is not None else reassignments
            ),
            reopen_count=counted_reopens if counted_reopens is not None else reopens,
            events=events,
        )


def p_status_of(previous) -> str | None:
    return previous[1] if previous is not None else None
