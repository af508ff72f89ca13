"""Conflict detection and the scheduling assistant (R-CHG-04). Reads only; the service
``services.changes.check_conflicts`` stores what it finds on the change.

A change's planned window [start, end) conflicts, each conflict with its reason, when:

1. ``same_ci``: another booked change (assessment, approval, scheduled, implementing) on one
   of its CIs overlaps it;
2. ``nearby_ci``: a booked change on a CI connected to one of its CIs within ``depth``
   relations (either direction, the path given) overlaps it;
3. ``outside_maintenance``: a CI of the change has maintenance windows (or, without any of its
   own, there are global ones), or a service of the change has some, and none of them covers
   the whole window;
4. ``blackout``: a blackout window on one of its CIs, a connected CI within ``depth``, one of
   its services, or a global one, overlaps it;
5. ``implementer_busy``: its implementer implements another booked change in an overlapping
   window;
6. ``sla_service_hours``: an affected SLA (from the assessment's impact, and the active
   agreements covering its services) has service hours inside the window and no planned
   interruption window agreed in that SLA (a maintenance window on the agreement) covers it.

Kinds 1, 2 and 4 (CIs) come from ONE statement: a recursive CTE walks the CMDB relations from
the change's CIs up to ``depth`` hops inside the database (no Python loop over rows), keeps
each CI once at its smallest depth with one path, and joins the booked changes and blackout
windows on those CIs. The other kinds read small tables (windows, agreements) or one index
(the implementer's changes).

Windows are half-open: a change ending at 02:00 does not conflict with one starting at 02:00.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from itsm.catalog import selectors as catalog_selectors
from itsm.change.choices import BOOKED_STATES, ConflictKind, WindowKind
from itsm.change.models import Change, Window
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.calendars.businesstime import business_time_between
from itsm.core.formatting import datetime_text
from itsm.slm import selectors as slm_selectors

DEFAULT_DEPTH = 2
MAX_DEPTH = 4
#: the assistant's grid and how far ahead it looks
STEP = timedelta(minutes=30)
HORIZON = timedelta(days=60)


@dataclass
class Conflict:
    """One conflict; ``reason`` renders it in the active language."""

    kind: str
    change_id: int | None = None
    change_number: str = ""
    change_title: str = ""
    ci_id: int | None = None
    ci_number: str = ""
    depth: int = 0
    path: list[str] = field(default_factory=list)
    window_id: int | None = None
    window_name: str = ""
    agreement_id: int | None = None
    agreement_number: str = ""
    service_id: int | None = None
    service_name: str = ""
    starts_at: str = ""
    ends_at: str = ""

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, "", [])}


def reason(item: dict) -> str:
    """The translated reason of a stored conflict (a :meth:`Conflict.as_dict`)."""
    kind = item.get("kind")
    when = _window_text(item)
    if kind == ConflictKind.SAME_CI:
        return _("{change} is planned on {ci} in an overlapping window ({when}).").format(
            change=item.get("change_number", ""), ci=item.get("ci_number", ""), when=when
        )
    if kind == ConflictKind.NEARBY_CI:
        return _(
            "{change} is planned on {ci}, {depth} relation(s) away ({path}), in an "
            "overlapping window ({when})."
        ).format(
            change=item.get("change_number", ""),
            ci=item.get("ci_number", ""),
            depth=item.get("depth", 0),
            path=" → ".join(item.get("path", [])),
            when=when,
        )
    if kind == ConflictKind.OUTSIDE_MAINTENANCE:
        target = item.get("ci_number") or item.get("service_name", "")
        return _("The window is outside the maintenance windows of {target}.").format(target=target)
    if kind == ConflictKind.BLACKOUT:
        if item.get("ci_number"):
            where = (
                _("on {ci}").format(ci=item["ci_number"])
                if not item.get("depth")
                else _("on {ci}, {depth} relation(s) away ({path})").format(
                    ci=item["ci_number"],
                    depth=item["depth"],
                    path=" → ".join(item.get("path", [])),
                )
            )
        elif item.get("service_name"):
            where = _("on the service {service}").format(service=item["service_name"])
        else:
            where = _("for everything (global)")
        return _("The blackout window “{name}” {where} overlaps the window.").format(
            name=item.get("window_name", ""), where=where
        )
    if kind == ConflictKind.IMPLEMENTER_BUSY:
        return _("The implementer is already scheduled for {change} ({when}).").format(
            change=item.get("change_number", ""), when=when
        )
    if kind == ConflictKind.SLA_SERVICE_HOURS:
        return _(
            "The window overlaps the service hours of {agreement} and no planned interruption "
            "agreed in it covers the window."
        ).format(agreement=item.get("agreement_number", ""))
    return str(kind)


def _window_text(item: dict) -> str:
    start, end = item.get("starts_at"), item.get("ends_at")
    if not start:
        return ""
    first, last = datetime.fromisoformat(start), datetime.fromisoformat(end or start)
    return f"{datetime_text(first)} – {datetime_text(last)}"


# --- windows (maintenance, blackout): one-off or weekly ------------------------------------------


def occurrences(
    window: Window, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The intervals of *window* that meet [start - 1 day, end + 1 day] (aware datetimes)."""
    if not window.weekdays:
        if window.starts_at and window.ends_at:
            yield window.starts_at, window.ends_at
        return
    if window.start_time is None or window.end_time is None:
        return
    zone = zoneinfo.ZoneInfo(window.time_zone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    weekdays = {int(d) for d in window.weekdays}
    while day <= last:
        if day.weekday() in weekdays:
            opens = datetime.combine(day, window.start_time, zone)
            closes = datetime.combine(day, window.end_time, zone)
            if closes <= opens:
                closes += timedelta(days=1)
            if window.starts_at:
                opens = max(opens, window.starts_at)
            if window.ends_at:
                closes = min(closes, window.ends_at)
            if opens < closes:
                yield opens, closes
        day += timedelta(days=1)


def covers(window: Window, start: datetime, end: datetime) -> bool:
    """Whether one interval of *window* holds the whole of [start, end)."""
    return any(
        opens <= start and end <= closes for opens, closes in occurrences(window, start, end)
    )


def overlaps(window: Window, start: datetime, end: datetime) -> bool:
    return any(opens < end and start < closes for opens, closes in occurrences(window, start, end))


def _active_windows(kind: str, start: datetime, end: datetime):
    """Active windows of *kind* that may meet [start, end) (weekly ones always may)."""
    return (
        Window.objects.filter(kind=kind, is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lt=end))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
    )


# --- the graph statement: changes and blackouts on the CIs within N hops --------------------------


def _relation_table() -> str:
    """The CMDB relation table, found from the CI model (other apps' models are not imported)."""
    ci_model = cmdb_selectors.all_cis().model
    for related in ci_model._meta.related_objects:
        if related.field.name == "source" and related.related_model._meta.model_name == "relation":
            return related.related_model._meta.db_table
    raise LookupError("the CMDB relation table")


def _tables() -> dict[str, str]:
    through = Change.cis.through
    return {
        "rel": _relation_table(),
        "ci": cmdb_selectors.all_cis().model._meta.db_table,
        "change": Change._meta.db_table,
        "change_ci": through._meta.db_table,
        "window": Window._meta.db_table,
    }


def graph_statement(ci_ids: list[int], *, depth: int, exclude_change: int | None, start, end):
    """SQL and parameters of the walk: rows ``(kind, ci, depth, path, id, number, title,
    starts_at, ends_at)`` — kind ``c`` a booked change on a CI found, ``w`` an active blackout
    window on one (weekly ones come whatever their times; the caller checks them)."""
    t = _tables()
    states = ", ".join(["%s"] * len(BOOKED_STATES))
    if connection.vendor == "postgresql":
        sql = f"""
WITH RECURSIVE walk(ci, depth, path) AS (
    SELECT s.ci, 0, ARRAY[s.ci] FROM unnest(%s::bigint[]) AS s(ci)
  UNION ALL
    SELECT e.far, w.depth + 1, w.path || e.far
    FROM walk w
    JOIN (SELECT source_id AS near, target_id AS far FROM {t["rel"]}
          UNION ALL SELECT target_id, source_id FROM {t["rel"]}) e ON e.near = w.ci
    WHERE w.depth < %s AND e.far <> ALL(w.path)
),
found AS MATERIALIZED (
    SELECT DISTINCT ON (ci) ci, depth, path FROM walk ORDER BY ci, depth, path
)
SELECT 'c', f.ci, f.depth, f.path, c.id, c.number, c.title, c.planned_start, c.planned_end
FROM found f
CROSS JOIN LATERAL (
    SELECT c.id, c.number, c.title, c.planned_start, c.planned_end
    FROM {t["change_ci"]} cc JOIN {t["change"]} c ON c.id = cc.change_id
    WHERE cc.configurationitem_id = f.ci AND c.id <> %s AND c.status IN ({states})
      AND c.planned_start < %s AND c.planned_end > %s
    OFFSET 0
) c
UNION ALL
SELECT 'w', f.ci, f.depth, f.path, w.id, '', w.name, w.starts_at, w.ends_at
FROM found f
CROSS JOIN LATERAL (
    SELECT w.id, w.name, w.starts_at, w.ends_at FROM {t["window"]} w
    WHERE w.ci_id = f.ci AND w.kind = %s AND w.is_active
      AND (w.starts_at IS NULL OR w.starts_at < %s) AND (w.ends_at IS NULL OR w.ends_at > %s)
    OFFSET 0
) w
"""
        params: list = [list(ci_ids), depth]
    else:
        starts = " UNION ALL ".join(["SELECT %s AS ci"] + ["SELECT %s"] * (len(ci_ids) - 1))
        sql = f"""
WITH RECURSIVE walk(ci, depth, path) AS (
    SELECT s.ci, 0, ',' || s.ci || ',' FROM ({starts}) AS s
  UNION ALL
    SELECT CASE WHEN r.source_id = w.ci THEN r.target_id ELSE r.source_id END, w.depth + 1,
           w.path || (CASE WHEN r.source_id = w.ci THEN r.target_id ELSE r.source_id END) || ','
    FROM walk w JOIN {t["rel"]} r ON (r.source_id = w.ci OR r.target_id = w.ci)
    WHERE w.depth < %s AND instr(w.path, ',' ||
          (CASE WHEN r.source_id = w.ci THEN r.target_id ELSE r.source_id END) || ',') = 0
),
found AS (SELECT ci, MIN(depth) AS depth, path FROM walk GROUP BY ci)
SELECT 'c', f.ci, f.depth, f.path, c.id, c.number, c.title, c.planned_start, c.planned_end
FROM found f
JOIN {t["change_ci"]} cc ON cc.configurationitem_id = f.ci
JOIN {t["change"]} c ON c.id = cc.change_id
WHERE c.id <> %s AND c.status IN ({states}) AND c.planned_start < %s AND c.planned_end > %s
UNION ALL
SELECT 'w', f.ci, f.depth, f.path, w.id, '', w.name, w.starts_at, w.ends_at
FROM found f JOIN {t["window"]} w ON w.ci_id = f.ci
WHERE w.kind = %s AND w.is_active AND (w.starts_at IS NULL OR w.starts_at < %s)
  AND (w.ends_at IS NULL OR w.ends_at > %s)
"""
        params = [*ci_ids, depth]
    end, start = (connection.ops.adapt_datetimefield_value(v) for v in (end, start))
    params += [exclude_change or 0, *BOOKED_STATES, end, start, WindowKind.BLACKOUT, end, start]
    return sql, params


@dataclass
class _Hit:
    kind: str
    ci: int
    depth: int
    path: list[int]
    id: int
    number: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None


def _path(value) -> list[int]:
    if isinstance(value, list):
        return [int(v) for v in value]
    return [int(v) for v in str(value).strip(",").split(",") if v]


def _aware(value):
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=UTC)


def graph_hits(ci_ids: list[int], *, depth: int, exclude_change: int | None, start, end):
    """The booked changes and blackout windows on the CIs within *depth* hops of *ci_ids*
    that meet [start, end): each once, at its smallest depth."""
    if not ci_ids:
        return []
    sql, params = graph_statement(
        sorted(ci_ids), depth=depth, exclude_change=exclude_change, start=start, end=end
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the planner cannot estimate a recursive walk (it assumes ~10⁶ rows), and the
            # plan's cost would switch JIT compilation on: ~45 ms to save nothing on ~50 rows
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    best: dict[tuple[str, int], _Hit] = {}
    for kind, ci, hops, path, pk, number, title, starts_at, ends_at in rows:
        hit = _Hit(
            kind, ci, hops, _path(path), pk, number, title, _aware(starts_at), _aware(ends_at)
        )
        key = (kind, pk)
        if key not in best or (hit.depth, hit.ci) < (best[key].depth, best[key].ci):
            best[key] = hit
    return sorted(best.values(), key=lambda h: (h.kind, h.depth, h.starts_at or start, h.id))


# --- the whole check ------------------------------------------------------------------------------


@dataclass
class Subject:
    """What is checked: a change as it is or as it would be (a proposed window)."""

    change_id: int | None
    ci_ids: list[int]
    service_ids: list[int]
    implementer_id: int | None
    agreement_ids: list[int]
    start: datetime
    end: datetime

    @classmethod
    def of(cls, change: Change, *, start=None, end=None) -> Subject:
        impact = change.impact or {}
        return cls(
            change_id=change.pk,
            ci_ids=sorted(change.cis.values_list("pk", flat=True)) if change.pk else [],
            service_ids=sorted(change.services.values_list("pk", flat=True)) if change.pk else [],
            implementer_id=change.implementer_id,
            agreement_ids=sorted({a["id"] for a in impact.get("agreements", [])}),
            # a change without a window gives a subject detect() finds nothing for
            start=cast(datetime, start or change.planned_start),
            end=cast(datetime, end or change.planned_end),
        )


def detect(subject: Subject, *, depth: int = DEFAULT_DEPTH) -> list[Conflict]:
    """Every conflict of *subject*'s window, in the order of the kinds above."""
    start, end = subject.start, subject.end
    if start is None or end is None or end <= start:
        return []
    found: list[Conflict] = []
    hits = graph_hits(
        subject.ci_ids, depth=depth, exclude_change=subject.change_id, start=start, end=end
    )
    numbers = _ci_numbers({ci for hit in hits for ci in hit.path})
    blackouts = []
    for hit in hits:
        path = [numbers.get(ci, str(ci)) for ci in hit.path]
        if hit.kind == "c":
            found.append(
                Conflict(
                    kind=ConflictKind.SAME_CI if hit.depth == 0 else ConflictKind.NEARBY_CI,
                    change_id=hit.id,
                    change_number=hit.number,
                    change_title=hit.title,
                    ci_id=hit.ci,
                    ci_number=numbers.get(hit.ci, ""),
                    depth=hit.depth,
                    path=path if hit.depth else [],
                    starts_at=_iso(hit.starts_at),
                    ends_at=_iso(hit.ends_at),
                )
            )
        else:
            blackouts.append((hit, path))
    maintenance, other_blackouts = _windows_for(subject, start, end)
    found.extend(_maintenance_conflicts(subject, maintenance))
    found.extend(_blackout_conflicts(subject, blackouts, numbers, other_blackouts))
    found.extend(_implementer_conflicts(subject))
    found.extend(_sla_conflicts(subject))
    order = list(ConflictKind.values)
    found.sort(key=lambda c: (order.index(c.kind), c.depth, c.starts_at, c.change_number))
    return found


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _ci_numbers(ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(cmdb_selectors.all_cis().filter(pk__in=ids).values_list("pk", "number"))


def _maintenance_windows(subject: Subject, start: datetime, end: datetime) -> list[Window]:
    """Active maintenance windows of the subject's CIs and services and the global ones."""
    return list(
        _active_windows(WindowKind.MAINTENANCE, start - timedelta(days=1), end).filter(
            Q(ci_id__in=subject.ci_ids)
            | Q(service_id__in=subject.service_ids)
            | Q(ci__isnull=True, service__isnull=True, agreement__isnull=True)
        )
    )


def _maintenance_conflicts(
    subject: Subject, windows: list[Window] | None = None, numbers: dict | None = None
) -> list[Conflict]:
    start, end = subject.start, subject.end
    if windows is None:
        windows = _maintenance_windows(subject, start, end)
    own: dict[int, list[Window]] = {}
    by_service: dict[int, list[Window]] = {}
    global_windows = []
    for window in windows:
        if window.ci_id:
            own.setdefault(window.ci_id, []).append(window)
        elif window.service_id:
            by_service.setdefault(window.service_id, []).append(window)
        else:
            global_windows.append(window)
    found = []
    if numbers is None:
        numbers = _ci_numbers(subject.ci_ids) if (own or global_windows) else {}
    for ci in subject.ci_ids:
        applying = own.get(ci) or global_windows
        if applying and not any(covers(w, start, end) for w in applying):
            found.append(
                Conflict(
                    kind=ConflictKind.OUTSIDE_MAINTENANCE, ci_id=ci, ci_number=numbers.get(ci, "")
                )
            )
    if by_service:
        for service_id, applying in sorted(by_service.items()):
            if not any(covers(w, start, end) for w in applying):
                names = _service_names(by_service)
                found.append(
                    Conflict(
                        kind=ConflictKind.OUTSIDE_MAINTENANCE,
                        service_id=service_id,
                        service_name=names.get(service_id, ""),
                    )
                )
    return found


def _windows_for(subject: Subject, start: datetime, end: datetime):
    """In one query: the maintenance windows of the subject's CIs and services and the global
    ones, and the blackouts of its services and the global ones, that may meet [start, end)."""
    unattached = Q(ci__isnull=True, service__isnull=True, agreement__isnull=True)
    rows = (
        Window.objects.filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lt=end))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start - timedelta(days=1)))
        .filter(
            Q(
                Q(ci_id__in=subject.ci_ids) | Q(service_id__in=subject.service_ids) | unattached,
                kind=WindowKind.MAINTENANCE,
            )
            | Q(Q(service_id__in=subject.service_ids) | unattached, kind=WindowKind.BLACKOUT)
        )
        .select_related("service")
    )
    maintenance: list = []
    blackouts: list = []
    for window in rows:
        (maintenance if window.kind == WindowKind.MAINTENANCE else blackouts).append(window)
    return maintenance, blackouts


def _blackout_conflicts(
    subject: Subject, graph: list, numbers: dict[int, str], others: list[Window] | None = None
) -> list[Conflict]:
    start, end = subject.start, subject.end
    found = []
    windows = Window.objects.in_bulk([hit.id for hit, _path in graph]) if graph else {}
    for hit, path in graph:
        window = windows.get(hit.id)
        if window is None or not overlaps(window, start, end):
            continue
        found.append(
            Conflict(
                kind=ConflictKind.BLACKOUT,
                window_id=hit.id,
                window_name=hit.title,
                ci_id=hit.ci,
                ci_number=numbers.get(hit.ci, ""),
                depth=hit.depth,
                path=path if hit.depth else [],
            )
        )
    if others is None:
        others = _other_blackouts(subject, start, end)
    for window in others:
        if overlaps(window, start, end):
            found.append(
                Conflict(
                    kind=ConflictKind.BLACKOUT,
                    window_id=window.pk,
                    window_name=window.name,
                    service_id=window.service_id,
                    service_name=window.service.name if window.service else "",
                )
            )
    return found


def _other_blackouts(subject: Subject, start: datetime, end: datetime) -> list[Window]:
    """Active blackouts on the subject's services and the global ones meeting [start, end)."""
    return list(
        _active_windows(WindowKind.BLACKOUT, start - timedelta(days=1), end)
        .filter(
            Q(service_id__in=subject.service_ids)
            | Q(ci__isnull=True, service__isnull=True, agreement__isnull=True)
        )
        .select_related("service")
    )


def _implementer_conflicts(subject: Subject) -> list[Conflict]:
    if subject.implementer_id is None:
        return []
    rows = (
        Change.objects.filter(
            implementer_id=subject.implementer_id,
            status__in=BOOKED_STATES,
            planned_start__lt=subject.end,
            planned_end__gt=subject.start,
        )
        .exclude(pk=subject.change_id or 0)
        .order_by("planned_start", "id")
        .values_list("pk", "number", "title", "planned_start", "planned_end")
    )
    return [
        Conflict(
            kind=ConflictKind.IMPLEMENTER_BUSY,
            change_id=pk,
            change_number=number,
            change_title=title,
            starts_at=_iso(starts),
            ends_at=_iso(ends),
        )
        for pk, number, title, starts, ends in rows
    ]


def affected_agreements(subject: Subject):
    """The agreements whose service hours the window must respect: those the assessment found
    in the CMDB and the active ones covering the change's services."""
    query = Q(pk__in=subject.agreement_ids)
    if subject.service_ids:
        query |= Q(services__in=subject.service_ids, status="active")
    return (
        slm_selectors.all_agreements()
        .filter(query, calendar__isnull=False)
        .select_related("calendar")
        .distinct()
        .order_by("number")
    )


def _service_names(ids) -> dict[int, str]:
    return dict(catalog_selectors.all_services().filter(pk__in=list(ids)).values_list("pk", "name"))


def _sla_inputs(subject: Subject, start: datetime, end: datetime):
    """The affected agreements and the planned interruptions agreed in them."""
    if not subject.agreement_ids and not subject.service_ids:
        return [], {}
    agreements = list(affected_agreements(subject))
    interruptions: dict[int, list[Window]] = {}
    if agreements:
        for window in _active_windows(
            WindowKind.MAINTENANCE, start - timedelta(days=1), end
        ).filter(agreement_id__in=[a.pk for a in agreements]):
            interruptions.setdefault(window.agreement_id, []).append(window)
    return agreements, interruptions


def _sla_conflicts(subject: Subject, inputs=None) -> list[Conflict]:
    agreements, interruptions = inputs or _sla_inputs(subject, subject.start, subject.end)
    found = []
    for agreement in agreements:
        if business_time_between(subject.start, subject.end, agreement.calendar) <= timedelta(0):
            continue
        if any(covers(w, subject.start, subject.end) for w in interruptions.get(agreement.pk, [])):
            continue
        found.append(
            Conflict(
                kind=ConflictKind.SLA_SERVICE_HOURS,
                agreement_id=agreement.pk,
                agreement_number=agreement.number,
            )
        )
    return found


# --- the scheduling assistant ---------------------------------------------------------------------


def propose_window(
    subject: Subject,
    *,
    duration: timedelta,
    after: datetime | None = None,
    depth: int = DEFAULT_DEPTH,
    horizon: timedelta = HORIZON,
) -> tuple[datetime, datetime] | None:
    """The earliest window of *duration* from *after* (default now) without any conflict, on
    a half-hour grid or right after a busy interval ends; None within *horizon*.

    What can conflict over the whole horizon is read once — the booked changes and blackouts
    near the CIs (one run of the graph statement), the implementer's changes, the maintenance
    and blackout windows, the affected agreements — and each candidate is checked in memory;
    the first that passes is confirmed with :func:`detect`."""
    if duration <= timedelta(0):
        return None
    after = _ceil(after or timezone.now())
    limit = after + horizon
    busy: list[tuple[datetime, datetime]] = []
    blackouts: list[Window] = []
    hits = graph_hits(
        subject.ci_ids, depth=depth, exclude_change=subject.change_id, start=after, end=limit
    )
    windows = Window.objects.in_bulk([hit.id for hit in hits if hit.kind == "w"])
    for hit in hits:
        if hit.kind == "c" and hit.starts_at and hit.ends_at:
            busy.append((hit.starts_at, hit.ends_at))
        elif hit.kind == "w" and hit.id in windows:
            blackouts.append(windows[hit.id])
    blackouts.extend(_other_blackouts(subject, after, limit))
    for window in blackouts:
        busy.extend(occurrences(window, after, limit))
    if subject.implementer_id:
        for booked_start, booked_end in (
            Change.objects.filter(
                implementer_id=subject.implementer_id,
                status__in=BOOKED_STATES,
                planned_start__lt=limit,
                planned_end__gt=after,
            )
            .exclude(pk=subject.change_id or 0)
            .values_list("planned_start", "planned_end")
        ):
            if booked_start and booked_end:
                busy.append((booked_start, booked_end))
    busy.sort()
    maintenance = _maintenance_windows(subject, after, limit)
    numbers = _ci_numbers(subject.ci_ids)
    sla = _sla_inputs(subject, after, limit)
    candidates = {after + STEP * i for i in range(int(horizon / STEP))}
    candidates.update(end for _start, end in busy if after <= end < limit)
    for window in maintenance:
        candidates.update(opens for opens, _end in occurrences(window, after, limit))
    confirmed = 0
    for start in sorted(c for c in candidates if c >= after):
        end = start + duration
        if any(b_start < end and start < b_end for b_start, b_end in busy):
            continue
        trial = Subject(**{**subject.__dict__, "start": start, "end": end})
        if _maintenance_conflicts(trial, maintenance, numbers) or _sla_conflicts(trial, sla):
            continue
        if not detect(trial, depth=depth):
            return start, end
        confirmed += 1
        if confirmed >= 20:  # something the in-memory check does not see keeps failing
            return None
    return None


def _ceil(value: datetime) -> datetime:
    """*value* rounded up to the next full or half hour."""
    if value.second or value.microsecond:
        value = value.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return value + timedelta(minutes=(-value.minute) % 30)
