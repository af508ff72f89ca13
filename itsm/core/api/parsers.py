"""The API's JSON parser: ``itsm.core.jsoninput.loads`` (depth limit, lone surrogates
refused) instead of ``json.load``, so a hostile body answers 400, never a 500."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from itsm.core.jsoninput import JSONInputError, loads


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser over ``jsoninput.loads``.

    Invalid or too deeply nested JSON is a ``parse_error``; a string that is not valid
    Unicode is a validation error on the field that holds it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        # get_encoding is new in DRF 3.18 and not yet in djangorestframework-stubs
        encoding = parsers.get_encoding(parser_context)  # type: ignore[attr-defined]
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit else -1) if stream is not None else b""
        if limit and len(raw) > limit:
            raise exceptions.ParseError(_("The request body is too large."))
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(
                _("The request body is not {encoding} text.").format(encoding=encoding)
            )
        try:
            return loads(text)
        except JSONInputError as exc:
            if exc.path:
                raise exceptions.ValidationError({exc.path: [exc.message]})
            raise exceptions.ParseError(exc.message)
