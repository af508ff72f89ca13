"""Parsing of the three payloads an alert source posts (R-EVT-01) into :class:`Incoming`
alerts: Prometheus Alertmanager's webhook (version 4), Zabbix's webhook media type and the
generic JSON documented in ``docs/modules/events.en.md``.

Every error names the field (``alerts[2].startsAt``) in a translated message; nothing here
touches the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from itsm.core.errors import ValidationFailed
from itsm.events.choices import SEVERITY_ALIASES, AlertStatus, Severity, SourceKind

#: at most this many alerts in one delivery
MAX_ALERTS = 1000
#: Alertmanager's "no end yet" (Go's zero time)
_ZERO_TIME_YEAR = 1


@dataclass
class Incoming:
    """One alert of a delivery, as the services store it."""

    fingerprint: str
    status: str
    starts_at: datetime | None
    ends_at: datetime | None = None
    labels: dict = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)
    alertname: str = ""
    summary: str = ""
    severity: str = Severity.WARNING.value
    #: Zabbix: an update of a problem (acknowledged, commented): a repeat, never a new state
    update_only: bool = False


def _fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("The alert payload is not valid."), fields={name: [message]})


def load_json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _fail("body", _("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise _fail("body", _("The body must be a JSON object."))
    return data


def _time(value, name: str, *, required: bool) -> datetime | None:
    if value in (None, ""):
        if required:
            raise _fail(name, _("This field is required."))
        return None
    if not isinstance(value, str):
        raise _fail(name, _("Enter a date and time in ISO 8601 format."))
    try:
        parsed = parse_datetime(value.strip().replace(" ", "T", 1))
    except ValueError:
        parsed = None
    if parsed is None:
        raise _fail(name, _("Enter a date and time in ISO 8601 format."))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year <= _ZERO_TIME_YEAR:
        return None
    return parsed.astimezone(UTC)


def _strings(value, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(name, _("Expected an object of names and texts."))
    return {str(k)[:200]: str(v)[:2000] for k, v in value.items()}


def severity_of(value: str) -> str:
    return SEVERITY_ALIASES.get((value or "").strip().lower(), Severity.WARNING).value


def _status(value, name: str) -> str:
    if value not in AlertStatus.values:
        raise _fail(name, _("Expected “firing” or “resolved”."))
    return value


def _list(data: dict, key: str) -> list:
    alerts = data.get(key)
    if not isinstance(alerts, list):
        raise _fail(key, _("Expected a list of alerts."))
    if len(alerts) > MAX_ALERTS:
        raise _fail(key, _("At most {n} alerts per delivery.").format(n=MAX_ALERTS))
    return alerts


def _fingerprint_of(labels: dict) -> str:
    """A stable fingerprint of a label set when the sender gives none."""
    text = json.dumps(labels, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def parse_alertmanager(data: dict) -> list[Incoming]:
    """Alertmanager webhook v4: ``{"version": "4", "groupKey", "status", "alerts": [{"status",
    "labels", "annotations", "startsAt", "endsAt", "fingerprint", "generatorURL"}],
    "truncatedAlerts"}``."""
    version = str(data.get("version", "4"))
    if version != "4":
        raise _fail("version", _("Only version 4 of the webhook payload is understood."))
    result = []
    for i, raw in enumerate(_list(data, "alerts")):
        at = f"alerts[{i}]"
        if not isinstance(raw, dict):
            raise _fail(at, _("Expected an object."))
        labels = _strings(raw.get("labels"), f"{at}.labels")
        annotations = _strings(raw.get("annotations"), f"{at}.annotations")
        fingerprint = str(raw.get("fingerprint") or "") or _fingerprint_of(labels)
        result.append(
            Incoming(
                fingerprint=fingerprint[:128],
                status=_status(raw.get("status", data.get("status")), f"{at}.status"),
                starts_at=_time(raw.get("startsAt"), f"{at}.startsAt", required=True),
                ends_at=_time(raw.get("endsAt"), f"{at}.endsAt", required=False),
                labels=labels,
                annotations=annotations,
                alertname=labels.get("alertname", "")[:200],
                summary=(annotations.get("summary") or annotations.get("description") or "")[:500],
                severity=severity_of(labels.get("severity", "")),
            )
        )
    return result


def _zabbix_tags(value, name: str) -> dict:
    """Zabbix sends tags as ``[{"tag": "a", "value": "b"}]``, as an object, or as the text
    ``"a:b,c:d"`` of its ``{EVENT.TAGS}`` macro."""
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return _strings(value, name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pairs = [p.strip() for p in value.split(",") if p.strip()]
            return {p.partition(":")[0].strip(): p.partition(":")[2].strip() for p in pairs}
        return _zabbix_tags(value, name)
    if isinstance(value, list):
        tags = {}
        for j, tag in enumerate(value):
            if not isinstance(tag, dict) or "tag" not in tag:
                raise _fail(f"{name}[{j}]", _("Expected an object with “tag” and “value”."))
            tags[str(tag["tag"])[:200]] = str(tag.get("value", ""))[:2000]
        return tags
    raise _fail(name, _("Expected a list of tags."))


def _zabbix_time(data: dict, prefix: str, name: str) -> datetime | None:
    """``event_date`` ``2026.11.30`` and ``event_time`` ``12:00:00`` (Zabbix's macros, in UTC
    unless ``event_timezone`` is given), or one ISO ``event_datetime``."""
    if data.get(f"{prefix}_datetime"):
        return _time(data[f"{prefix}_datetime"], f"{prefix}_datetime", required=False)
    day, clock = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
    if not day or not clock:
        return None
    text = f"{str(day).replace('.', '-')}T{clock}"
    return _time(text, name, required=False)


def parse_zabbix(data: dict) -> list[Incoming]:
    """Zabbix webhook media type: ``event_id``, ``event_value`` (1 problem, 0 recovery),
    ``event_update_status`` (1: an update of the problem), ``trigger_id``, ``trigger_name``
    or ``event_name``, ``event_severity``, ``host``, ``tags``; optional ``event_date`` and
    ``event_time`` (start), ``event_recovery_date``/``event_recovery_time`` (end)."""
    event_id = str(data.get("event_id") or "").strip()
    if not event_id or event_id.startswith("{"):
        raise _fail("event_id", _("This field is required."))
    value = str(data.get("event_value", "")).strip()
    if value not in ("0", "1"):
        raise _fail("event_value", _("Expected 1 (problem) or 0 (recovery)."))
    tags = _zabbix_tags(data.get("tags", data.get("event_tags")), "tags")
    labels = dict(tags)
    for key in ("host", "trigger_id", "hostname"):
        if data.get(key) not in (None, ""):
            labels.setdefault(key, str(data[key])[:200])
    name = str(data.get("event_name") or data.get("trigger_name") or "")[:200]
    if name:
        labels.setdefault("alertname", name)
    status = AlertStatus.FIRING.value if value == "1" else AlertStatus.RESOLVED.value
    return [
        Incoming(
            fingerprint=f"zabbix-{event_id}"[:128],
            status=status,
            starts_at=_zabbix_time(data, "event", "event_date"),
            ends_at=_zabbix_time(data, "event_recovery", "event_recovery_date"),
            labels=labels,
            annotations=_strings(
                {k: data[k] for k in ("message", "event_opdata") if data.get(k)}, "message"
            ),
            alertname=name,
            summary=str(data.get("subject") or name)[:500],
            severity=severity_of(str(data.get("event_severity") or data.get("severity") or "")),
            update_only=str(data.get("event_update_status", "0")).strip() == "1",
        )
    ]


def parse_generic(data: dict) -> list[Incoming]:
    """Generic JSON: ``{"alerts": [{"fingerprint", "status": "firing"|"resolved",
    "starts_at", "ends_at", "summary", "severity", "labels", "annotations"}]}`` — one alert
    object alone is accepted too. ``fingerprint`` and ``starts_at`` are required."""
    raw_alerts = _list(data, "alerts") if "alerts" in data else [data]
    prefix = "alerts" if "alerts" in data else ""
    result = []
    for i, raw in enumerate(raw_alerts):
        at = f"{prefix}[{i}]." if prefix else ""
        if not isinstance(raw, dict):
            raise _fail(at.rstrip(".") or "body", _("Expected an object."))
        fingerprint = str(raw.get("fingerprint") or "").strip()
        if not fingerprint:
            raise _fail(f"{at}fingerprint", _("This field is required."))
        labels = _strings(raw.get("labels"), f"{at}labels")
        annotations = _strings(raw.get("annotations"), f"{at}annotations")
        summary = raw.get("summary") or annotations.get("summary") or ""
        result.append(
            Incoming(
                fingerprint=fingerprint[:128],
                status=_status(raw.get("status", "firing"), f"{at}status"),
                starts_at=_time(raw.get("starts_at"), f"{at}starts_at", required=True),
                ends_at=_time(raw.get("ends_at"), f"{at}ends_at", required=False),
                labels=labels,
                annotations=annotations,
                alertname=str(raw.get("alertname") or labels.get("alertname", ""))[:200],
                summary=str(summary)[:500],
                severity=severity_of(str(raw.get("severity") or labels.get("severity", ""))),
            )
        )
    return result


PARSERS = {
    SourceKind.ALERTMANAGER.value: parse_alertmanager,
    SourceKind.ZABBIX.value: parse_zabbix,
    SourceKind.GENERIC.value: parse_generic,
}
