"""How times reach a reader (X-06): in the reader's time zone, in one format per language.

Templates use Django's ``date`` filter with a *named* format (``{{ value|date:"DATETIME_FORMAT"
}}``, ``"DATE_FORMAT"``, ``"SHORT_DATETIME_FORMAT"``), never a hard-coded pattern; the patterns
live once per language in ``itsm/config/formats/<language>/formats.py`` (``FORMAT_MODULE_PATH``).
Python code that builds display text (panels, notes, JSON for charts) calls
:func:`datetime_text` / :func:`date_text`. Aware datetimes are converted to the current time
zone, which :class:`itsm.core.middleware.UserTimeZoneMiddleware` sets to the signed-in user's
``time_zone`` (or ``settings.TIME_ZONE``).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

#: what a missing time shows
EMPTY = "—"


def field_label(model: type[Model], name: str) -> str:
    """The verbose name of *model*'s field *name* in the active language (the name itself for
    a reverse relation, which has none); ``FieldDoesNotExist`` for an unknown name."""
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, Field) else name


def validate_time_zone(value: str) -> None:
    """An IANA time zone name known to ``zoneinfo`` (e.g. ``Asia/Shanghai``).

    The message does not repeat the value (it may hold characters that cannot be encoded)."""
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, UnicodeError):
        raise ValidationError(
            _("Not a known time zone; use an IANA name such as Asia/Shanghai."),
            code="invalid_time_zone",
        )


def time_zone_of(user) -> zoneinfo.ZoneInfo | None:
    """The time zone *user* reads times in, or ``None`` for the installation's default."""
    name = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, UnicodeError):
        return None


def datetime_text(value: datetime.datetime | None, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """*value* in the current time zone and the active language's format ("—" when empty)."""
    if value is None:
        return EMPTY
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, fmt)


def date_text(value: datetime.date | None, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """A date (or the local date of an aware datetime) in the active language's format."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, fmt)
