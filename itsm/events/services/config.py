"""Configuration of event management: alert sources (their secret made here and shown once),
rules and monitoring points, and the authentication of a delivery."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from itsm.core.choices import Priority
from itsm.core.errors import ValidationFailed
from itsm.core.services import (
    clean_record,
    refuse_unknown_fields,
    save_versioned,
    set_actor,
)
from itsm.core.timeline import record_event
from itsm.events.choices import (
    AuthMethod,
    Severity,
)
from itsm.events.models import AlertRule, AlertSource, MonitoringPoint

log = logging.getLogger(__name__)

#: the header carrying the HMAC-SHA256 of the body (hex, optionally ``sha256=``-prefixed)
SIGNATURE_HEADER = "X-Signature-SHA256"

#: what a source's, a rule's and a monitoring point's services may change, in the order their
#: forms and API show them (``events.forms``, ``events.api.serializers``)
SOURCE_EDITABLE = (
    "name",
    "kind",
    "auth",
    "is_active",
    "customer",
    "default_service",
    "default_ci",
    "note",
)
RULE_EDITABLE = (
    "name",
    "position",
    "is_active",
    "source",
    "match_labels",
    "ci_label",
    "ci_match",
    "ci",
    "service",
    "action",
    "priority_map",
    "flap_changes",
    "flap_minutes",
    "on_recovery",
)
POINT_EDITABLE = (
    "code",
    "category",
    "name_zh",
    "name_en",
    "ci",
    "alertname",
    "metric",
    "unit",
    "warning_threshold",
    "critical_threshold",
    "is_active",
    "note",
)


def _clean(obj) -> None:
    try:
        clean_record(obj)
    except DjangoValidationError as error:
        raise ValidationFailed.from_django(error) from None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sources ----------------------------------------------------------------------------------


def _new_secret(source: AlertSource) -> str:
    """Give *source* a new secret and return it (shown once: a token is kept only hashed)."""
    secret = secrets.token_urlsafe(32)
    if source.auth == AuthMethod.HMAC:
        source.hmac_key, source.token_hash = secret, ""
    else:
        source.token_hash, source.hmac_key = _hash(secret), ""
    return secret


def create_source(*, by, name: str, kind: str, auth: str = AuthMethod.BEARER, **fields):
    """Create an alert source; returns ``(source, secret)`` — the secret is shown once."""
    refuse_unknown_fields(fields, SOURCE_EDITABLE)
    source = AlertSource(name=(name or "").strip(), kind=kind, auth=auth, **fields)
    secret = _new_secret(source)
    _clean(source)
    set_actor(source, by)
    with transaction.atomic():
        source.save()
        record_event(source, "created", by=by)
    return source, secret


def update_source(source: AlertSource, *, by, expected_version: int | None, **fields):
    """Edit a source; a change of authentication method makes a new secret, returned (or
    ``None``) as the second value."""
    refuse_unknown_fields(fields, SOURCE_EDITABLE)
    secret = None
    with transaction.atomic():
        auth_changed = "auth" in fields and fields["auth"] != source.auth
        for name, value in fields.items():
            setattr(source, name, value)
        if auth_changed:
            secret = _new_secret(source)
        try:
            save_versioned(source, expected_version=expected_version, by=by)
        except DjangoValidationError as error:
            raise ValidationFailed.from_django(error) from None
        record_event(source, "updated", by=by, data={"fields": sorted(fields)})
    return source, secret


def renew_secret(source: AlertSource, *, by) -> str:
    """Replace the source's secret (the old one stops working at once); returns the new one."""
    with transaction.atomic():
        secret = _new_secret(source)
        save_versioned(source, expected_version=None, by=by)
        record_event(source, "secret_rotated", by=by)
    return secret


def delete_source(source: AlertSource, *, by) -> None:
    """Delete a source with its alerts (the incidents they opened stay)."""
    with transaction.atomic():
        record_event(source, "deleted", by=by)
        source.delete()


def authenticate(source: AlertSource, *, authorization: str, signature: str, body: bytes) -> bool:
    """Whether a delivery carries *source*'s secret: ``Authorization: Bearer <token>`` compared
    by its SHA-256, or the HMAC-SHA256 of the body in :data:`SIGNATURE_HEADER`."""
    if source.auth == AuthMethod.HMAC:
        if not source.hmac_key or not signature:
            return False
        expected = hmac.new(source.hmac_key.encode(), body, hashlib.sha256).hexdigest()
        given = signature.strip().removeprefix("sha256=").lower()
        return hmac.compare_digest(expected, given)
    scheme, _sep, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not source.token_hash:
        return False
    return hmac.compare_digest(_hash(token.strip()), source.token_hash)


# --- rules and monitoring points -------------------------------------------------------------


def _check_rule(rule: AlertRule) -> None:
    errors = {}
    if not isinstance(rule.match_labels, dict) or not all(
        isinstance(v, str) for v in rule.match_labels.values()
    ):
        errors["match_labels"] = [_("Enter an object of label names and texts.")]
    priorities = set(Priority.values)
    severities = set(Severity.values)
    if not isinstance(rule.priority_map, dict) or any(
        k not in severities or v not in priorities for k, v in rule.priority_map.items()
    ):
        errors["priority_map"] = [
            _("Map severities ({severities}) to priorities ({priorities}).").format(
                severities=", ".join(sorted(severities)), priorities=", ".join(sorted(priorities))
            )
        ]
    if rule.flap_changes and rule.flap_minutes < 1:
        errors["flap_minutes"] = [_("Enter at least one minute.")]
    if errors:
        raise ValidationFailed(fields=errors)


def create_rule(*, by, name: str, **fields) -> AlertRule:
    """Create an alert rule."""
    refuse_unknown_fields(fields, RULE_EDITABLE)
    rule = AlertRule(name=(name or "").strip(), **fields)
    _check_rule(rule)
    _clean(rule)
    set_actor(rule, by)
    with transaction.atomic():
        rule.save()
        record_event(rule, "created", by=by)
    return rule


def update_rule(rule: AlertRule, *, by, expected_version: int | None, **fields) -> AlertRule:
    """Edit an alert rule."""
    refuse_unknown_fields(fields, RULE_EDITABLE)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(rule, name, value)
        _check_rule(rule)
        try:
            save_versioned(rule, expected_version=expected_version, by=by)
        except DjangoValidationError as error:
            raise ValidationFailed.from_django(error) from None
        record_event(rule, "updated", by=by, data={"fields": sorted(fields)})
    return rule


def delete_rule(rule: AlertRule, *, by) -> None:
    with transaction.atomic():
        record_event(rule, "deleted", by=by)
        rule.delete()


def create_point(*, by, code: str, **fields) -> MonitoringPoint:
    """Create a monitoring point."""
    refuse_unknown_fields(fields, POINT_EDITABLE)
    point = MonitoringPoint(code=(code or "").strip(), **fields)
    _clean(point)
    set_actor(point, by)
    with transaction.atomic():
        point.save()
        record_event(point, "created", by=by)
    return point


def update_point(
    point: MonitoringPoint, *, by, expected_version: int | None, **fields
) -> MonitoringPoint:
    """Edit a monitoring point."""
    refuse_unknown_fields(fields, POINT_EDITABLE)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(point, name, value)
        try:
            save_versioned(point, expected_version=expected_version, by=by)
        except DjangoValidationError as error:
            raise ValidationFailed.from_django(error) from None
        record_event(point, "updated", by=by, data={"fields": sorted(fields)})
    return point


def delete_point(point: MonitoringPoint, *, by) -> None:
    with transaction.atomic():
        record_event(point, "deleted", by=by)
        point.delete()
