"""Reading untrusted JSON (API bodies and JSON import files) safely.

``json.loads`` recurses once per nesting level, so a body of ten thousand ``[`` raises
``RecursionError`` (a 500), and it accepts ``"\\ud800"``, a lone surrogate that no UTF-8
encoder can write back (the error message echoing it, the database and the JSON renderer
all fail). ``loads`` here refuses both with a ``JSONInputError`` naming where the problem is;
the API parser (``itsm.core.api.parsers.JSONParser``) and the importers use it.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

#: deepest nesting of arrays/objects accepted; our payloads nest three or four levels
MAX_DEPTH = 32


class JSONInputError(ValueError):
    """Invalid, too deeply nested or non-encodable JSON; ``path`` names the place
    (dotted, as in API field errors) or is empty for the document as a whole."""

    def __init__(self, message: str, *, path: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_document(document: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``JSONInputError`` if *document* nests deeper than *max_depth* or holds a
    string (key or value) that is not valid Unicode. Iterative: no recursion to exhaust."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if not _encodable(value):
                raise JSONInputError(
                    _("The text contains an invalid character (a lone surrogate)."), path=path
                )
            continue
        if isinstance(value, dict | list):
            if depth >= max_depth:
                raise JSONInputError(
                    _("The JSON document is nested more than {depth} levels deep.").format(
                        depth=max_depth
                    )
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, sub in items:
                sub_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not _encodable(key):
                    raise JSONInputError(
                        _("The text contains an invalid character (a lone surrogate)."),
                        path=path,
                    )
                stack.append((sub, sub_path, depth + 1))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted input: ``JSONInputError`` (a ``ValueError``) on invalid,
    too deep or non-encodable JSON (``NaN`` and ``Infinity`` are refused too)."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONInputError(
            _("The JSON document is nested more than {depth} levels deep.").format(depth=max_depth)
        ) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise JSONInputError(_("The JSON is not valid: {error}").format(error=exc)) from None
    check_document(document, max_depth=max_depth)
    return document


def describe(exc: JSONInputError) -> str:
    """The message of *exc* with the place it names, for a file-level error."""
    if not exc.path:
        return exc.message
    return _("{message} (at {path})").format(message=exc.message, path=exc.path)


def printable(text: str) -> str:
    """*text* with any character UTF-8 cannot encode written as an escape (``\\ud800``),
    so that an error message echoing user input can always be sent."""
    if _encodable(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
