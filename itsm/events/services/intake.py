"""Alert intake (R-EVT-01, R-EVT-02): :func:`ingest` stores one delivery in one transaction.

1. a recovery of a known firing alert is its own UPDATE (a change of state, acted on);
2. one ``UPDATE … WHERE (fingerprint, start) IN (VALUES …) RETURNING`` counts the repeats
   of every other known alert (count, last seen) and tells which alerts are new;
3. the new ones are matched to a rule, CI, service and monitoring point with one read of each
   per delivery (rules, CIs by label value, points, suppression candidates, flapping history),
   then stored by one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING``: an alert inserted
   meanwhile by another delivery (an HA pair) is counted as a repeat, never stored twice;
4. only new firing alerts and recoveries go through the incident path (``desk.services``,
   as the monitoring user), and there the outage (``availability.services``) is recorded or
   closed; values carried by the alerts become capacity samples (``capacity.services``).

A deadlock between two concurrent deliveries (rows locked in different orders) makes the
delivery run again, at most :data:`ATTEMPTS` times.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.catalog import selectors as catalog_selectors
from itsm.change import selectors as change_selectors
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.choices import OrganisationKind, Role
from itsm.core.compiled import shaped
from itsm.core.errors import DomainError, ValidationFailed
from itsm.core.models import Organisation, User
from itsm.core.services import create_user
from itsm.desk import services as desk
from itsm.desk.choices import DONE_STATES, OPEN_STATES, Channel, EntryKind, TicketKind, TicketStatus
from itsm.events import selectors
from itsm.events.choices import AlertStatus, CIMatch, RecoveryAction, RuleAction
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint
from itsm.events.payloads import Incoming
from itsm.events.services import effects

log = logging.getLogger(__name__)

#: the user the incidents of monitoring are opened by (a provider service desk account)
MONITORING_USERNAME = "monitoring"
#: a delivery that meets a deadlock runs again, at most this many times in all
ATTEMPTS = 3
_RETRY_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


@dataclass
class IngestResult:
    """What a delivery did: alerts new, repeated (already known) and recovered."""

    received: int = 0
    new: int = 0
    repeats: int = 0
    resolved: int = 0
    incidents: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "new": self.new,
            "repeats": self.repeats,
            "resolved": self.resolved,
        }


def monitoring_user() -> User | None:
    """The provider's service desk account that monitoring acts as, created on first use."""
    user = User.objects.filter(username=MONITORING_USERNAME).first()
    if user is not None:
        return user
    provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        return None
    try:
        with transaction.atomic():
            return create_user(
                username=MONITORING_USERNAME,
                organisation=provider,
                roles=(Role.SERVICE_DESK.value,),
                display_name=_("Monitoring"),
            )
    except IntegrityError:  # created meanwhile by another delivery
        return User.objects.get(username=MONITORING_USERNAME)


def _retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in _RETRY_SQLSTATES


def ingest(source: AlertSource, alerts: list[Incoming], *, at: datetime | None = None):
    """Store the alerts of one delivery and act on them (see the module's docstring), in one
    transaction: a delivery that fails leaves nothing, and its sender sends it again."""
    now = at or timezone.now()
    outermost = not connection.in_atomic_block
    for attempt in range(1, ATTEMPTS + 1):
        result = IngestResult(received=len(alerts))
        try:
            with transaction.atomic():
                _Delivery(source, now, result).run(alerts)
            return result
        except OperationalError as error:
            if not (outermost and attempt < ATTEMPTS and _retryable(error)):
                raise
            log.info("events: delivery to source %s met a deadlock; run again", source.pk)
    raise AssertionError("unreachable")  # pragma: no cover


Key = tuple[str, datetime]


class _Delivery:
    """One delivery: what it reads once (rules, CIs, points, suppression candidates, the
    monitoring user) and the steps of the module's docstring."""

    def __init__(self, source: AlertSource, now: datetime, result: IngestResult):
        self.source = source
        self.now = now
        self.result = result
        self._rules: list[AlertRule] | None = None
        self._user: User | None | bool = False
        self._suppressible: tuple[frozenset[int], frozenset[int]] | None = None

    # -- what is read once ----------------------------------------------------------------

    @property
    def rules(self) -> list[AlertRule]:
        if self._rules is None:
            self._rules = selectors.active_rules(self.source.pk)
        return self._rules

    @property
    def user(self) -> User | None:
        if self._user is False:
            self._user = monitoring_user()
        return self._user  # type: ignore[return-value]

    def may_be_suppressed(self, ci_id, service_id) -> bool:
        if self._suppressible is None:
            self._suppressible = change_selectors.suppression_candidates()
        cis, services = self._suppressible
        return ci_id in cis or service_id in services

    # -- the steps ------------------------------------------------------------------------

    def run(self, alerts: list[Incoming]) -> None:
        # the same alert twice in one delivery: stored once, counted twice
        groups: dict[Key, list[Incoming]] = {}
        for incoming in alerts:
            start = incoming.starts_at
            if start is None:
                start = incoming.starts_at = _known_start(self.source, incoming, self.now)
            groups.setdefault((incoming.fingerprint, start), []).append(incoming)
        pending = {key: _decisive(group) for key, group in groups.items()}
        for key, incoming in list(pending.items()):
            if _recovers(incoming) and self._recover(key, incoming, len(groups[key])):
                del pending[key]
        by_count: dict[int, list[Key]] = defaultdict(list)
        for key in pending:
            by_count[len(groups[key])].append(key)
        counted: set[Key] = set()
        for count, keys in by_count.items():
            counted |= _count_repeats(self.source, sorted(keys), count, self.now)
        self.result.repeats += len(counted)
        new = [
            (incoming, len(groups[k]))
            for k, incoming in sorted(pending.items(), key=lambda item: item[0])
            if k not in counted
        ]
        if new:
            self._store_new(new)
        effects.record_values(alerts, source=self.source, now=self.now)

    def _recover(self, key: Key, incoming: Incoming, count: int) -> bool:
        """Move the known firing alert *key* to resolved and act on it; ``False`` when it is
        not stored or not firing (a repeat or a new alert, then)."""
        stored = Alert.objects.filter(source=self.source, fingerprint=key[0], starts_at=key[1])
        recovered = stored.filter(status=AlertStatus.FIRING).update(
            status=AlertStatus.RESOLVED,
            ends_at=incoming.ends_at or self.now,
            repeat_count=F("repeat_count") + count,
            last_seen=self.now,
        )
        if not recovered:
            return False
        self.result.repeats += 1
        self.result.resolved += 1
        _recovered(self, stored.select_related("rule", "ticket").get())
        return True

    def _store_new(self, new: list[tuple[Incoming, int]]) -> None:
        alerts = self._build([incoming for incoming, _count in new])
        counts = [count for _incoming, count in new]
        inserted = _upsert(alerts, counts, self.now)
        for alert, is_new in zip(alerts, inserted, strict=True):
            if not is_new:
                self.result.repeats += 1
                continue
            self.result.new += 1
            if alert.status == AlertStatus.FIRING:
                _fired(self, alert)

    # -- matching -------------------------------------------------------------------------

    def _build(self, incomings: list[Incoming]) -> list[Alert]:
        """The new alerts, matched to their rule, CI, service, point, suppression and flapping
        with one read of each kind for the delivery."""
        matched = []
        for incoming in incomings:
            rule = next((r for r in self.rules if _matches(r, incoming.labels)), None)
            matched.append((incoming, rule))
        cis = _find_cis(matched, self.source)
        alerts = []
        for incoming, rule in matched:
            ci = cis.get(_ci_key(rule, incoming.labels), self.source.default_ci)
            if rule is not None and rule.ci_id:
                ci = rule.ci
            service = (rule.service if rule is not None and rule.service_id else None) or (
                self.source.default_service
            )
            alerts.append(
                Alert(
                    source=self.source,
                    fingerprint=incoming.fingerprint,
                    starts_at=incoming.starts_at or self.now,
                    ends_at=incoming.ends_at if incoming.status == AlertStatus.RESOLVED else None,
                    status=incoming.status,
                    alertname=incoming.alertname,
                    summary=incoming.summary,
                    severity=incoming.severity,
                    labels=incoming.labels,
                    annotations=incoming.annotations,
                    ci=ci,
                    service=service,
                    customer_id=(getattr(ci, "customer_id", None) or self.source.customer_id),
                    rule=rule,
                    last_seen=self.now,
                )
            )
        points = _Points(alerts)
        history = _FlapHistory(self.source, alerts)
        for alert in alerts:
            alert.monitoring_point = points.find(alert)
            self._decide(alert, history)
        return alerts

    def _decide(self, alert: Alert, history: _FlapHistory) -> None:
        rule = alert.rule
        if rule is None:
            alert.outcome = _("No rule matched: recorded only.")
        elif rule.action == RuleAction.RECORD_ONLY:
            alert.outcome = _("Recorded only (rule “{rule}”).").format(rule=rule)
        if alert.status == AlertStatus.RESOLVED:
            alert.outcome = _("Received already recovered: recorded only.")
        elif rule is not None and rule.flap_changes:
            # this firing is one more change than the rows already stored
            alert.flapping = history.changes(alert, rule) + 1 >= rule.flap_changes
        history.add(alert)
        reason = ""
        if self.may_be_suppressed(alert.ci_id, alert.service_id):
            reason = change_selectors.suppression_at(
                at=alert.starts_at, ci=alert.ci_id, service=alert.service_id
            )
        if reason:
            alert.suppressed, alert.suppression_reason = True, reason[:300]
            alert.outcome = _("Suppressed: no incident.")


def _decisive(group: list[Incoming]) -> Incoming:
    """Of the copies of one alert in a delivery, the one that decides: a recovery if any."""
    return next((i for i in group if _recovers(i)), group[-1])


def _recovers(incoming: Incoming) -> bool:
    return incoming.status == AlertStatus.RESOLVED and not incoming.update_only


def _count_repeats(source: AlertSource, keys: list[Key], count: int, now: datetime) -> set[Key]:
    """Count one more delivery (*count*) of each stored alert of *keys* with one
    ``UPDATE … WHERE (fingerprint, start) IN (VALUES …) RETURNING``; returns the keys
    found. A fingerprint twice among *keys* (two starts) is counted by its own UPDATE."""
    by_fingerprint: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        by_fingerprint[key[0]].append(key)
    single = [key for key in keys if len(by_fingerprint[key[0]]) == 1]
    found: set[Key] = set()
    for key in keys:
        if len(by_fingerprint[key[0]]) > 1:
            updated = Alert.objects.filter(
                source=source, fingerprint=key[0], starts_at=key[1]
            ).update(repeat_count=F("repeat_count") + count, last_seen=now)
            if updated:
                found.add(key)
    if not single:
        return found
    start = Alert._meta.get_field("starts_at")
    quote = connection.ops.quote_name
    table = quote(str(Alert._meta.db_table))
    params: list = [count, start.get_db_prep_value(now, connection), source.pk]
    for fingerprint, starts_at in single:
        params += [fingerprint, start.get_db_prep_value(starts_at, connection)]
    sql = (
        f"UPDATE {table} SET {quote('repeat_count')} = {quote('repeat_count')} + %s, "
        f"{quote('last_seen')} = %s WHERE {quote('source_id')} = %s "
        f"AND ({quote('fingerprint')}, {quote('starts_at')}) IN "
        f"(VALUES {', '.join(['(%s, %s)'] * len(single))}) RETURNING {quote('fingerprint')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found.update(by_fingerprint[row[0]][0] for row in cursor.fetchall())
    return found


@functools.cache
def _alert_columns() -> tuple[tuple, frozenset[str]]:
    """The alert's columns as ``_upsert`` writes them, and the attribute names of the created
    and updated times among them (set to the delivery's time): worked out once per process."""
    fields = tuple(f for f in Alert._meta.concrete_fields if not f.primary_key)
    stamped = frozenset(
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    )
    return fields, stamped


def _upsert(alerts: list[Alert], counts: list[int], now: datetime) -> list[bool]:
    """Insert *alerts* (each delivered *count* times) with one statement; an alert already
    stored meanwhile gets its count and last-seen time instead. Sets the primary keys and
    returns, per alert, whether it was inserted (its returned count is its own: a stored
    row's count was at least 1 before it grew)."""
    fields, stamped = _alert_columns()
    quote = connection.ops.quote_name
    table = quote(str(Alert._meta.db_table))
    params: list = []
    # a value the alerts share (their source, status, rule, the delivery's time …) is
    # prepared for the database once
    prepared: dict[tuple, object] = {}
    for alert, count in zip(alerts, counts, strict=True):
        alert.repeat_count = count
        for index, f in enumerate(fields):
            if f.attname in stamped:  # created and updated: the delivery's time
                setattr(alert, f.attname, now)
            value = getattr(alert, f.attname)
            try:
                key = (index, type(value), value)
                params.append(prepared[key])
            except KeyError:
                params.append(prepared.setdefault(key, f.get_db_prep_save(value, connection)))
            except TypeError:  # a JSON document
                params.append(f.get_db_prep_save(value, connection))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES {', '.join([row] * len(alerts))} "
        f"ON CONFLICT ({quote('source_id')}, {quote('fingerprint')}, {quote('starts_at')}) "
        f"DO UPDATE SET {quote('repeat_count')} = {table}.{quote('repeat_count')} "
        f"+ EXCLUDED.{quote('repeat_count')}, {quote('last_seen')} = EXCLUDED.{quote('last_seen')} "
        f"RETURNING {quote('id')}, {quote('fingerprint')}, {quote('repeat_count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # rows come back in the order of VALUES (as Django's bulk_create relies on); matched by
    # fingerprint all the same
    waiting: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        waiting[alert.fingerprint].append(alert)
    inserted: dict[int, bool] = {}
    for pk, fingerprint, repeat_count in rows:
        alert = waiting[fingerprint].pop(0)
        alert.pk = pk
        alert._state.adding, alert._state.db = False, connection.alias
        inserted[id(alert)] = repeat_count == alert.repeat_count
    return [inserted[id(alert)] for alert in alerts]


def _known_start(source: AlertSource, incoming: Incoming, now: datetime) -> datetime:
    """A start for an alert sent without one (Zabbix without its date macros): the start of the
    known firing alert of that fingerprint, else now."""
    known = (
        Alert.objects.filter(source=source, fingerprint=incoming.fingerprint)
        .order_by(F("status").asc(), "-starts_at")  # "firing" sorts before "resolved"
        .values_list("starts_at", "status")
        .first()
    )
    if known is not None and (
        known[1] == AlertStatus.FIRING or incoming.status == AlertStatus.RESOLVED
    ):
        return known[0]
    return now


def _matches(rule: AlertRule, labels: dict) -> bool:
    for name, value in (rule.match_labels or {}).items():
        if name not in labels or (value != "*" and labels[name] != value):
            return False
    return True


_CI_LOOKUPS = {CIMatch.IDENTIFIER: "identifier", CIMatch.NAME: "name", CIMatch.NUMBER: "number"}


def _ci_key(rule: AlertRule | None, labels: dict) -> tuple[str, str] | None:
    if rule is None or rule.ci_id or not rule.ci_label or not labels.get(rule.ci_label):
        return None
    return (_CI_LOOKUPS[CIMatch(rule.ci_match)], labels[rule.ci_label])


def _find_cis(matched, source: AlertSource) -> dict:
    """The CIs named by the alerts' labels, one query per way of finding them: (lookup, value)
    → CI (the lowest id of a name shared by several; an identifier "host:9100" falls back to
    "host")."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for incoming, rule in matched:
        key = _ci_key(rule, incoming.labels)
        if key is not None:
            wanted[key[0]].add(key[1])
            if key[0] == "identifier" and ":" in key[1]:
                wanted[key[0]].add(key[1].rsplit(":", 1)[0])
    found: dict = {}
    for lookup, values in wanted.items():
        # compiled once per number of values (core.compiled.shaped): building this query
        # cost a delivery more than the database's answer did
        rows = shaped(
            cmdb_selectors.all_cis().filter(**{f"{lookup}__in": sorted(values)}).order_by("-id")
        )
        by_value = {getattr(ci, lookup): ci for ci in rows}  # the lowest id wins
        for value in values:
            ci = by_value.get(value)
            if ci is None and lookup == "identifier" and ":" in value:
                ci = by_value.get(value.rsplit(":", 1)[0])
            if ci is not None:
                found[(lookup, value)] = ci
    return found


class _Points:
    """The monitoring points the new alerts of a delivery may name, read once: by a
    ``monitoring_point`` label holding the code, else the active point of the alert name on
    the alert's CI, else one without a CI."""

    def __init__(self, alerts: list[Alert]):
        self.by_code: dict[str, MonitoringPoint] = {}
        self.by_name: dict[str, list[MonitoringPoint]] = defaultdict(list)
        if not any(a.alertname or a.labels.get("monitoring_point") for a in alerts):
            return
        for point in selectors.monitoring_points():  # CI-bound ones first, then by id
            self.by_code[point.code] = point
            if point.alertname and point.is_active:
                self.by_name[point.alertname].append(point)

    def find(self, alert: Alert) -> MonitoringPoint | None:
        code = alert.labels.get("monitoring_point")
        if code and code in self.by_code:
            return self.by_code[code]
        for point in self.by_name.get(alert.alertname, ()):
            if alert.ci_id is None or point.ci_id in (None, alert.ci_id):
                return point
        return None


class _FlapHistory:
    """The stored firings and recoveries of the fingerprints whose rule detects flapping, read
    once per delivery; the delivery's own new alerts are added as they are decided."""

    def __init__(self, source: AlertSource, alerts: list[Alert]):
        self.rows: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        flapping = [(a, a.rule) for a in alerts if a.rule is not None and a.rule.flap_changes]
        if not flapping:
            return
        since = min(a.starts_at - timedelta(minutes=rule.flap_minutes) for a, rule in flapping)
        rows = Alert.objects.filter(
            source=source,
            fingerprint__in=sorted({a.fingerprint for a, _rule in flapping}),
            starts_at__gte=since,
        ).values_list("fingerprint", "starts_at", "status")
        for fingerprint, start, status in rows:
            self.rows[fingerprint].append((start, status))

    def add(self, alert: Alert) -> None:
        self.rows[alert.fingerprint].append((alert.starts_at, alert.status))

    def changes(self, alert: Alert, rule: AlertRule) -> int:
        """Firings and recoveries of *alert*'s fingerprint in the rule's flapping window."""
        since = alert.starts_at - timedelta(minutes=rule.flap_minutes)
        statuses = [s for start, s in self.rows.get(alert.fingerprint, ()) if start >= since]
        return len(statuses) + sum(1 for s in statuses if s == AlertStatus.RESOLVED)


def _state_changes(alert: Alert, rule: AlertRule) -> int:
    """Firings and recoveries of *alert*'s fingerprint in the rule's flapping window, stored."""
    since = alert.starts_at - timedelta(minutes=rule.flap_minutes)
    statuses = list(
        Alert.objects.filter(
            source_id=alert.source_id, fingerprint=alert.fingerprint, starts_at__gte=since
        ).values_list("status", flat=True)
    )
    return len(statuses) + sum(1 for s in statuses if s == AlertStatus.RESOLVED)


# --- the incident path ---------------------------------------------------------------------------


def _set(alert: Alert, **fields) -> None:
    """Write *fields* of *alert* in one UPDATE (and on the instance)."""
    for name, value in fields.items():
        setattr(alert, name, value)
    Alert.objects.filter(pk=alert.pk).update(**fields)


def _earlier_incident(alert: Alert, rule: AlertRule):
    """The incident of an earlier alert of the same fingerprint within the flapping window
    (reused: a flapping alert makes one incident), or of the CI for "add to the open one"."""
    # compiled once per shape (core.compiled.shaped): building these queries cost an alert
    # that joins an incident more than the database's answers did
    rows = shaped(Alert.objects.filter(ticket__isnull=False).exclude(pk=alert.pk))
    found = None
    if rule.flap_changes:
        since = alert.starts_at - timedelta(minutes=rule.flap_minutes)
        found = (
            rows.filter(
                source_id=alert.source_id,
                fingerprint=alert.fingerprint,
                starts_at__gte=since,
            )
            .exclude(ticket__status__in=(TicketStatus.CLOSED, TicketStatus.CANCELLED))
            .order_by("-starts_at")
            .select_related("ticket")
            .first()
        )
    if found is None and rule.action == RuleAction.ADD_TO_OPEN and alert.ci_id:
        found = (
            rows.filter(ci_id=alert.ci_id, ticket__status__in=list(OPEN_STATES))
            .order_by("-id")
            .select_related("ticket")
            .first()
        )
    return found.ticket if found is not None else None


def _fired(delivery: _Delivery, alert: Alert) -> None:
    rule = alert.rule
    if rule is None or alert.suppressed or rule.action == RuleAction.RECORD_ONLY:
        return
    now = delivery.now
    by = delivery.user
    ticket = _earlier_incident(alert, rule)
    try:
        with transaction.atomic():
            if ticket is not None:
                _join(ticket, alert, by=by, now=now)
                outcome = _("Added to incident {number}.").format(number=ticket.number)
            else:
                ticket = _open_incident(alert, rule, by=by, now=now)
                outcome = _("Opened incident {number}.").format(number=ticket.number)
            if alert.flapping:  # the incident's mark (a badge and a filter of the queue)
                desk.mark_flapping(ticket, by=by, note=alert.summary or alert.alertname)
            effects.outage_fired(alert, ticket)
    except DomainError as error:
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.fields.items())
        _set(alert, outcome=(_("No incident: {error}").format(error=detail or error.detail))[:300])
        return
    _set(alert, ticket=ticket, outcome=outcome[:300])
    delivery.result.incidents.append(ticket.pk)


def _description(alert: Alert) -> str:
    lines = [alert.summary]
    for name, value in sorted(alert.annotations.items()):
        if value and value != alert.summary:
            lines.append(f"{name}: {value}")
    lines.append("")
    lines.extend(f"{name}={value}" for name, value in sorted(alert.labels.items()))
    return "\n".join(lines).strip()


def _open_incident(alert: Alert, rule: AlertRule, *, by, now: datetime):
    if alert.customer is None:
        raise ValidationFailed(
            fields={"customer": [_("Neither the CI nor the source names a customer.")]}
        )
    # the summary alone: the alert name is in the description (a title reads as a sentence)
    title = alert.summary or alert.alertname or alert.fingerprint
    priority = (rule.priority_map or {}).get(alert.severity, "")
    service = alert.service
    if service is not None and not catalog_selectors.is_offered(service, alert.customer):
        service = None  # the ticket names the CI; the service stays on the alert
    return desk.create_ticket(
        by=by,
        kind=TicketKind.INCIDENT,
        channel=Channel.MONITORING,
        customer=alert.customer,
        title=title[:200],
        description=_description(alert),
        priority=priority,
        service=service,
        cis=[alert.ci] if alert.ci is not None else [],
        opened_at=min(alert.starts_at, now),
    )


def _join(ticket, alert: Alert, *, by, now: datetime) -> None:
    """Note the alert on the incident; reopen it when it was resolved meanwhile."""
    if ticket.status == TicketStatus.RESOLVED:
        desk.move(ticket, TicketStatus.IN_PROGRESS, by=by, note=_("The alert fired again."))
    text = _("Alert fired again: {summary} (since {start}).").format(
        summary=alert.summary or alert.alertname, start=alert.starts_at.isoformat()
    )
    if alert.flapping and alert.rule is not None:
        text = _(
            "Flapping: the alert changed state {n} times in {minutes} minutes; the incident "
            "stays open until someone resolves it."
        ).format(n=_state_changes(alert, alert.rule), minutes=alert.rule.flap_minutes)
    desk.add_entry(ticket, by=by, kind=EntryKind.NOTE, body=text, at=now, notify=False)


def _recovered(delivery: _Delivery, alert: Alert) -> None:
    """A firing alert recovered: resolve its incident (rule "auto-resolve", when no other alert
    of the incident still fires and the alert is not flapping) or note the recovery; the
    incident's outage ends at the alert's end when no other of its alerts still fires."""
    if alert.ticket_id is None:
        return
    now = delivery.now
    rule = alert.rule
    ticket = alert.ticket
    if ticket is None:
        return
    others_firing = (
        Alert.objects.filter(ticket_id=ticket.pk, status=AlertStatus.FIRING)
        .exclude(pk=alert.pk)
        .exists()
    )
    if not others_firing:
        effects.outage_recovered(alert, ticket, ended_at=alert.ends_at or now)
    if ticket.status in DONE_STATES:
        return
    by = delivery.user
    resolve = (
        rule is not None
        and rule.on_recovery == RecoveryAction.AUTO_RESOLVE
        and not alert.flapping
        and not others_firing
    )
    text = _("Alert recovered at {end}: {summary}").format(
        end=(alert.ends_at or now).isoformat(), summary=alert.summary or alert.alertname
    )
    try:
        with transaction.atomic():
            if resolve:
                desk.move(
                    ticket,
                    TicketStatus.RESOLVED,
                    by=by,
                    note=text,
                    resolution=text,
                    resolution_code="solved",
                )
                _set(
                    alert,
                    outcome=_("Recovered: incident {number} resolved.").format(
                        number=ticket.number
                    ),
                )
            else:
                desk.add_entry(ticket, by=by, kind=EntryKind.NOTE, body=text, at=now, notify=False)
                _set(
                    alert,
                    outcome=_("Recovered: noted on incident {number}.").format(
                        number=ticket.number
                    ),
                )
    except DomainError as error:
        log.warning(
            "events: the recovery of alert %s left incident %s: %s", alert.pk, ticket.pk, error
        )
        _set(
            alert,
            outcome=(
                _("Recovered; the incident was not changed: {error}").format(error=error.detail)
            )[:300],
        )
