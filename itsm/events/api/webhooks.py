"""The alert endpoints (R-EVT-01): ``/api/events/sources/<id>/alertmanager/``, ``…/zabbix/``,
``…/generic/``.

Plain Django views, not DRF: no session, no CSRF (the source's token or HMAC signature is the
authentication), no content negotiation — a delivery is read, authenticated, parsed and
stored in a few statements. Answers: 200 with the counts; 400 naming the field for a bad
payload; 401 without a valid secret; 404 for an unknown, inactive or other-kind source; 413
for a body over the limit; 405 for anything but POST. Never a 500 for bad input.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from itsm.core.errors import DomainError
from itsm.events import selectors, services
from itsm.events.payloads import PARSERS, load_json

log = logging.getLogger(__name__)

#: the largest delivery accepted (Alertmanager sends at most ``max_alerts`` per group)
MAX_BODY_BYTES = 5 * 1024 * 1024


def _error(status: int, code: str, detail: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "detail": detail, "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _receive(request: HttpRequest, pk: int, kind: str) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "method_not_allowed", _("Only POST is accepted."))
        response["Allow"] = "POST"
        return response
    source = selectors.active_source(pk, kind)
    if source is None:
        return _error(404, "not_found", _("No active alert source of this kind has this id."))
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY_BYTES:
        return _error(413, "too_large", _("The body is too large."))
    body = request.body
    if not services.authenticate(
        source,
        authorization=request.headers.get("Authorization", ""),
        signature=request.headers.get(services.SIGNATURE_HEADER, ""),
        body=body,
    ):
        response = _error(
            401, "not_authenticated", _("Send the source's token or the body's signature.")
        )
        response["WWW-Authenticate"] = 'Bearer realm="alerts"'
        return response
    try:
        alerts = PARSERS[kind](load_json(body))
        result = services.ingest(source, alerts)
    except DomainError as error:
        return _error(error.status, error.code, str(error.detail), error.fields)
    except DatabaseError:  # e.g. a value the database refuses: the sender retries
        log.warning("events: a delivery to source %s was not stored", source.pk, exc_info=True)
        return _error(503, "unavailable", _("The alert could not be stored; send it again."))
    return JsonResponse(result.as_dict())


@csrf_exempt
def alertmanager(request: HttpRequest, pk: int) -> JsonResponse:
    """Prometheus Alertmanager's webhook (payload version 4)."""
    return _receive(request, pk, "alertmanager")


@csrf_exempt
def zabbix(request: HttpRequest, pk: int) -> JsonResponse:
    """Zabbix's webhook media type."""
    return _receive(request, pk, "zabbix")


@csrf_exempt
def generic(request: HttpRequest, pk: int) -> JsonResponse:
    """The generic JSON payload."""
    return _receive(request, pk, "generic")
