"""Every API error has the shape ``{"code": …, "detail": …, "fields": {…}}`` (X-07).

Client mistakes answer 400/401/403/404/405/409/422 with a code; never 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from itsm.core.errors import DomainError
from itsm.core.jsoninput import printable

_CODES = {
    400: "validation",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}


def error_body(code: str, detail, fields: dict | None = None) -> dict:
    """The error shape; messages that echo input are made encodable (a lone surrogate in a
    value would otherwise make the answer itself fail)."""
    return {
        "code": code,
        "detail": printable(str(detail)),
        "fields": {
            printable(str(name)): [printable(str(m)) for m in messages]
            for name, messages in (fields or {}).items()
        },
    }


def _flatten(detail) -> dict:
    """DRF's nested validation detail → ``{field: [message, …]}`` with dotted paths."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, (dict, list)) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, sub in enumerate(value):
                    walk(f"{prefix}.{index}" if prefix else str(index), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def _django_validation_fields(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.detail, exc.fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response(
            error_body(
                "validation", _("Some fields are not valid."), _django_validation_fields(exc)
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # Safety net: serializers and services validate uniqueness first; this is only reached
        # when a concurrent request inserted the same value in between (a race, not a bug).
        return Response(
            error_body(
                "conflict", _("The record conflicts with an existing one; reload and try again.")
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OverflowError):
        # Safety net: a number in a filter or body too large for the database column.
        return Response(
            error_body("validation", _("A number is out of range.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("validation", _("Some fields are not valid."), fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, (dict, list)):
            response.data = error_body(
                code, _("The request could not be processed."), _flatten(detail)
            )
        else:
            api_code = getattr(detail, "code", None)
            if api_code in ("not_authenticated", "authentication_failed", "parse_error"):
                code = api_code
            response.data = error_body(code, detail)
    return response
