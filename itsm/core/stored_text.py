"""Text the product writes now for a person to read later, shown in the reader's language.

The worker and services write messages (a job run's result, an outbox delivery error) long
before anyone reads them, and without a reader's language. They store the English source
text with its values and translate it when it is shown:

    from django.utils.translation import gettext_noop

    detail = stored(gettext_noop("{count} meetings planned"), count=3)   # what is saved
    shown(detail)   # "3 meetings planned" / "已安排 3 次会议", in the active language

``gettext_noop`` marks the text for ``makemessages`` without translating it. ``shown`` of any
other stored text (a traceback, an exception message, text saved before this helper) gives
its translation when the whole text is a known message, else the text as it is.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext

_KEY = "itsm_text"


def stored(message: str, /, **values) -> str:
    """*message* (English source, marked with ``gettext_noop``) and *values*, as one string."""
    return json.dumps({_KEY: str(message), "values": values}, ensure_ascii=False, default=str)


def shown(value: str | None) -> str:
    """The stored text in the active language (see the module docstring)."""
    if not value:
        return ""
    if value.startswith("{") and _KEY in value:
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get(_KEY), str):
            raw = data.get("values")
            values = raw if isinstance(raw, dict) else {}
            try:
                return gettext(data[_KEY]).format(**values)
            except (KeyError, IndexError, ValueError):  # a translation naming other values
                return data[_KEY].format(**values)
    return gettext(value)
