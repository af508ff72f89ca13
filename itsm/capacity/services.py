"""Capacity management services (容量管理, R-CAP) — the only writers of metrics, samples and
capacity plans.

Rules:

- a metric measures a CI and/or a service the writer may view; its customer (who sees it) is
  the CI's customer; a warning threshold lies before the critical one in the bad direction;
- samples are stored once per (metric, instant): :func:`record_samples` inserts new ones,
  replaces the value of a resent one and counts unchanged repeats; a batch with any invalid
  row writes nothing and names each bad row (its position, or its CSV line);
- a capacity plan is drafted per service, approved (with current and forecast demand filled
  in), revised back to draft, or archived (``choices.PLAN_MACHINE``); its planned changes are
  changes the user may view (``change.selectors.changes_for``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from itsm.capacity.choices import (
    EDITABLE_STATES,
    PLAN_MACHINE,
    Direction,
    ForecastMethod,
    PlanStatus,
)
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.catalog import selectors as catalog_selectors
from itsm.change import selectors as change_selectors
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core import policy
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record

PLAN_PREFIX = "CAP"
#: rows one call of :func:`record_samples` (an API batch, a CSV file) may hold
MAX_BATCH = 10_000
#: how far in the future a sample's time may lie (clocks drift)
FUTURE_TOLERANCE = timedelta(minutes=5)
#: at most this many row errors are reported (the rest are counted)
MAX_ROW_ERRORS = 50

METRIC_FIELDS = frozenset(
    {
        "name",
        "unit",
        "description",
        "ci",
        "service",
        "key",
        "direction",
        "warning_threshold",
        "critical_threshold",
        "forecast_method",
        "season_days",
    }
)
PLAN_FIELDS = frozenset(
    {
        "title",
        "service",
        "period_start",
        "period_end",
        "current_demand",
        "forecast_demand",
        "upgrade_due",
        "upgrade_cost",
        "upgrade_description",
        "changes_effect",
        "changes",
        "metrics",
    }
)


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


# --- metrics ---------------------------------------------------------------------------------


def _check_metric(metric: Metric, by) -> None:
    if metric.ci_id is None and metric.service_id is None:
        raise _error("ci", _("Choose the CI or the service the metric measures (or both)."))
    if (
        metric.ci_id is not None
        and by is not None
        and not cmdb_selectors.cis_for(by).filter(pk=metric.ci_id).exists()
    ):
        raise _error("ci", _("Choose a CI you may view."))
    if (
        metric.service_id is not None
        and by is not None
        and not catalog_selectors.visible_services(by).filter(pk=metric.service_id).exists()
    ):
        raise _error("service", _("Choose a service you may view."))
    if metric.direction not in Direction.values:
        raise _error("direction", _("Choose whether higher or lower values are worse."))
    if metric.forecast_method not in ForecastMethod.values:
        raise _error("forecast_method", _("Choose automatic, linear or seasonal."))
    if not 2 <= (metric.season_days or 0) <= 366:
        raise _error("season_days", _("A season lasts from 2 to 366 days."))
    for name in ("warning_threshold", "critical_threshold"):
        value = getattr(metric, name)
        if value is not None and not math.isfinite(value):
            raise _error(name, _("Enter a number."))
    warning, critical = metric.warning_threshold, metric.critical_threshold
    if warning is not None and critical is not None:
        wrong = warning > critical if metric.direction == Direction.UP else warning < critical
        if wrong:
            raise _error(
                "warning_threshold",
                _("The warning threshold must be reached before the critical one."),
            )
    metric.name = (metric.name or "").strip()
    metric.unit = (metric.unit or "").strip()
    metric.key = (metric.key or "").strip()
    if metric.key and Metric.objects.filter(key=metric.key).exclude(pk=metric.pk).exists():
        raise _error("key", _("Another metric has this key."))
    metric.customer_id = (
        cmdb_selectors.all_cis().filter(pk=metric.ci_id).values_list("customer_id", flat=True)[0]
        if metric.ci_id is not None
        else None
    )


def create_metric(
    *,
    by,
    name: str,
    ci=None,
    service=None,
    unit: str = "",
    description: str = "",
    key: str = "",
    direction: str = Direction.UP,
    warning_threshold: float | None = None,
    critical_threshold: float | None = None,
    forecast_method: str = ForecastMethod.AUTO,
    season_days: int = 7,
) -> Metric:
    """Define a metric of a CI and/or a service."""
    metric = Metric(
        name=name,
        ci=ci,
        service=service,
        unit=unit,
        description=description or "",
        key=key or "",
        direction=direction,
        warning_threshold=warning_threshold,
        critical_threshold=critical_threshold,
        forecast_method=forecast_method,
        season_days=season_days,
    )
    _check_metric(metric, by)
    try:
        clean_record(metric, checked=("key",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error
    set_actor(metric, by)
    return insert_record(metric, by=by)


def update_metric(metric: Metric, *, by, expected_version: int | None = None, **fields) -> Metric:
    """Change a metric's definition (thresholds, method, what it measures)."""
    refuse_unknown_fields(fields, METRIC_FIELDS)
    for name, value in fields.items():
        setattr(metric, name, value)
    _check_metric(metric, by)
    with transaction.atomic():
        try:
            save_versioned(metric, expected_version=expected_version, by=by, checked=("key",))
        except ValidationError as error:
            raise ValidationFailed.from_django(error) from error
        if fields:
            record_event(metric, "updated", by=by, data={"fields": sorted(fields)})
    return metric


# --- samples ---------------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What a batch of samples did: rows inserted, values replaced, repeats left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def _parse_at(value) -> datetime | None:
    at: datetime | None
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, str):
        try:
            at = parse_datetime(value.strip())
        except ValueError:
            return None
        if at is None:
            return None
    else:
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


def _parse_value(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _metrics_by_reference(references: set, *, by) -> tuple[dict, dict]:
    """The metrics named by id and by key among *references*, among those *by* may add
    samples to (``by=None``: a system caller, every metric)."""
    rows = Metric.objects.all() if by is None else Metric.objects.restrict(by, "view")
    ids = {r for r in references if isinstance(r, int)}
    keys = {r for r in references if isinstance(r, str)}
    by_id = {m.pk: m for m in rows.filter(pk__in=ids)} if ids else {}
    by_key = {m.key: m for m in rows.filter(key__in=keys)} if keys else {}
    return by_id, by_key


def _reference(raw) -> int | str | None:
    """A metric reference: an id (number) or a key (text)."""
    if isinstance(raw, Metric):
        return raw.pk
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        return int(text) if text.isdigit() and len(text) < 19 else text
    return None


def record_samples(
    *,
    by,
    samples: Iterable[Mapping],
    metric: Metric | None = None,
    line_offset: int = 0,
    row_word=None,
) -> IngestResult:
    """Store *samples* — mappings with ``metric`` (a Metric, its id, or its key; or the
    ``metric`` argument for all rows), ``at`` (an aware ``datetime`` or ISO 8601 text; naive is
    read in the site's time zone) and ``value`` (a number) — idempotently on (metric, at).

    All or nothing: any invalid row raises ``ValidationFailed`` with ``fields={"samples":
    ["Row 3: …", …]}`` (rows numbered from 1 + *line_offset*, so a CSV names its lines) and
    writes nothing. *by* must be allowed to add samples and to view each metric; ``by=None`` is a
    trusted system caller (the events module recording values from monitoring alerts)."""
    if by is not None and not policy.can(by, Sample, "add"):
        raise Forbidden()
    rows = list(samples)
    if not rows:
        raise _error("samples", _("Send at least one sample."))
    if len(rows) > MAX_BATCH:
        raise _error(
            "samples", _("Send at most {count} samples at a time.").format(count=MAX_BATCH)
        )
    word = row_word or _("Row {number}: {reason}")
    references = set()
    for row in rows:
        raw = (
            metric
            if metric is not None
            else (row.get("metric") if isinstance(row, Mapping) else None)
        )
        ref = _reference(raw)
        if ref is not None:
            references.add(ref)
    by_id, by_key = _metrics_by_reference(references, by=by)
    errors: list[str] = []
    wanted: dict[tuple[int, datetime], tuple[Metric, float]] = {}
    latest = timezone.now() + FUTURE_TOLERANCE
    for number, row in enumerate(rows, start=1 + line_offset):
        reason: object = None
        if not isinstance(row, Mapping):
            reason = _("not an object with metric, at and value")
        else:
            raw = metric if metric is not None else row.get("metric")
            ref = _reference(raw)
            found = by_id.get(ref) if isinstance(ref, int) else by_key.get(ref)
            at = _parse_at(row.get("at"))
            value = _parse_value(row.get("value"))
            if ref is None:
                reason = _("the metric is missing")
            elif found is None:
                reason = _("no metric “{metric}” that you may view").format(metric=ref)
            elif at is None:
                reason = _("the time “{at}” is not a date and time (ISO 8601)").format(
                    at=row.get("at", "")
                )
            elif at > latest:
                reason = _("the time lies in the future")
            elif value is None:
                reason = _("the value “{value}” is not a number").format(value=row.get("value", ""))
            else:
                wanted[(found.pk, at)] = (found, value)  # a repeat within the batch: the last wins
        if reason is not None:
            errors.append(str(word).format(number=number, reason=reason))
    if errors:
        shown = errors[:MAX_ROW_ERRORS]
        if len(errors) > MAX_ROW_ERRORS:
            shown.append(
                str(_("… and {count} more rows with errors.")).format(
                    count=len(errors) - MAX_ROW_ERRORS
                )
            )
        raise ValidationFailed(
            _("No sample was recorded: correct the rows named and send them again."),
            fields={"samples": shown},
        )
    result = IngestResult()
    with transaction.atomic():
        existing: dict[tuple[int, datetime], float] = {}
        metric_ids = sorted({pk for pk, _at in wanted})
        instants = sorted({at for _pk, at in wanted})
        for start in range(0, len(instants), 500):
            chunk = instants[start : start + 500]
            for pk, at, value in Sample.objects.filter(
                metric_id__in=metric_ids, at__in=chunk
            ).values_list("metric_id", "at", "value"):
                existing[(pk, at)] = value
        write = []
        for (pk, at), (_metric, value) in wanted.items():
            old = existing.get((pk, at))
            if old is None:
                result.created += 1
            elif old == value:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            write.append(Sample(metric_id=pk, at=at, value=value))
        if write:
            Sample.objects.bulk_create(
                write,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["metric", "at"],
                update_fields=["value"],
            )
        newest: dict[int, tuple[datetime, float]] = {}
        for (pk, at), (_metric, value) in wanted.items():
            if pk not in newest or at > newest[pk][0]:
                newest[pk] = (at, value)
        for pk, (at, value) in newest.items():
            Metric.objects.filter(pk=pk).filter(
                Q(last_at__isnull=True) | Q(last_at__lte=at)
            ).update(last_at=at, last_value=value)
    return result


def import_samples_csv(*, by, content: bytes | str, metric: Metric | None = None) -> IngestResult:
    """Samples from a CSV file: a header line with ``at`` and ``value`` and, unless *metric* is
    given, ``metric`` (a metric's key or id); comma or semicolon separated, UTF-8 (a BOM is
    allowed). Errors name the file's line numbers; nothing is written unless every line is
    valid."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _error("file", _("The file is not UTF-8 text.")) from None
    else:
        text = content.lstrip("\ufeff")
    if not text.strip():
        raise _error("file", _("The file is empty."))
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    needed = ["at", "value"] if metric is not None else ["metric", "at", "value"]
    missing = [name for name in needed if name not in header]
    if missing:
        raise _error(
            "file",
            _("Line 1: the header must name the columns {columns}; missing: {missing}.").format(
                columns=", ".join(needed), missing=", ".join(missing)
            ),
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    if not rows:
        raise _error("file", _("The file holds no samples."))
    try:
        return record_samples(
            by=by,
            samples=rows,
            metric=metric,
            line_offset=1,
            row_word=_("Line {number}: {reason}"),
        )
    except ValidationFailed as error:
        if "samples" in error.fields:
            raise ValidationFailed(error.detail, fields={"file": error.fields["samples"]}) from None
        raise


# --- capacity plans --------------------------------------------------------------------------


def _check_plan(plan: CapacityPlan, by, *, changes, metrics) -> tuple[list, list]:
    if not catalog_selectors.visible_services(by).filter(pk=plan.service_id).exists():
        raise _error("service", _("Choose a service you may view."))
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        raise _error("period_end", _("The period ends before it starts."))
    if plan.upgrade_cost is not None and plan.upgrade_cost < 0:
        raise _error("upgrade_cost", _("A cost cannot be negative."))
    plan.title = (plan.title or "").strip()
    found_changes: list = []
    if changes is not None:
        ids = sorted({getattr(c, "pk", c) for c in changes})
        found_changes = list(change_selectors.changes_for(by).filter(pk__in=ids)) if ids else []
        if len(found_changes) != len(ids):
            raise _error("changes", _("Choose changes you may view."))
    found_metrics: list = []
    if metrics is not None:
        ids = sorted({getattr(m, "pk", m) for m in metrics})
        found_metrics = list(Metric.objects.restrict(by, "view").filter(pk__in=ids)) if ids else []
        if len(found_metrics) != len(ids):
            raise _error("metrics", _("Choose metrics you may view."))
    return found_changes, found_metrics


def create_plan(
    *,
    by,
    service,
    title: str,
    period_start: date,
    period_end: date,
    current_demand: str = "",
    forecast_demand: str = "",
    upgrade_due: date | None = None,
    upgrade_cost: Decimal | None = None,
    upgrade_description: str = "",
    changes_effect: str = "",
    changes=(),
    metrics=(),
) -> CapacityPlan:
    """Draft the capacity plan of a service for a period (the next ``CAP-`` number)."""
    plan = CapacityPlan(
        service=service,
        title=title,
        period_start=period_start,
        period_end=period_end,
        current_demand=current_demand or "",
        forecast_demand=forecast_demand or "",
        upgrade_due=upgrade_due,
        upgrade_cost=upgrade_cost,
        upgrade_description=upgrade_description or "",
        changes_effect=changes_effect or "",
    )
    found_changes, found_metrics = _check_plan(plan, by, changes=changes, metrics=metrics)
    try:
        clean_record(plan, exclude=("number",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error
    set_actor(plan, by)
    with transaction.atomic():
        insert_record(plan, by=by, number_prefix=PLAN_PREFIX)
        plan.changes.set(found_changes)
        plan.metrics.set(found_metrics)
    return plan


def update_plan(
    plan: CapacityPlan, *, by, expected_version: int | None = None, **fields
) -> CapacityPlan:
    """Change a draft plan."""
    refuse_unknown_fields(fields, PLAN_FIELDS)
    if not fields:
        if expected_version is not None and expected_version != plan.version:
            save_versioned(plan, expected_version=expected_version, by=by)  # raises Conflict
        return plan
    if plan.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("Only a draft plan can be edited: revise the approved plan first."),
            fields={sorted(fields)[0]: [str(_("Not editable now."))]},
        )
    changes = fields.pop("changes", None)
    metrics = fields.pop("metrics", None)
    for name, value in fields.items():
        setattr(plan, name, value)
    found_changes, found_metrics = _check_plan(plan, by, changes=changes, metrics=metrics)
    with transaction.atomic():
        try:
            save_versioned(plan, expected_version=expected_version, by=by)
        except ValidationError as error:
            raise ValidationFailed.from_django(error) from error
        if changes is not None:
            plan.changes.set(found_changes)
        if metrics is not None:
            plan.metrics.set(found_metrics)
        changed = sorted({*fields, *(["changes"] if changes is not None else [])})
        if metrics is not None:
            changed.append("metrics")
        record_event(plan, "updated", by=by, data={"fields": changed})
    return plan


def move_plan(
    plan: CapacityPlan, to: str, *, by, note: str = "", expected_version: int | None = None
) -> CapacityPlan:
    """Approve, revise or archive a plan (``choices.PLAN_MACHINE``)."""
    with transaction.atomic():
        source = plan.status
        step = ensure_transition(plan, to, by=by, machine=PLAN_MACHINE)
        plan.status = to
        plan.approved_at = timezone.now() if to == PlanStatus.APPROVED else plan.approved_at
        save_versioned(plan, expected_version=expected_version, by=by)
        record_event(plan, step.name, by=by, note=note, data={"from": source, "to": to})
    return plan
