"""One guard for every uploaded file (CMDB import and audit snapshots, calendar CSV import):
a size limit read before parsing, a row limit checked while parsing, text decoding, and a
cap on the number of row errors reported, so that a hostile or mistaken upload costs
bounded time and memory and answers with a bounded error body.

Limits come from the settings (``ITSM_UPLOAD_MAX_BYTES``, ``ITSM_UPLOAD_MAX_ROWS``,
``ITSM_UPLOAD_MAX_ERRORS``) and are read at call time.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from itsm.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_ERRORS = 100


def max_bytes() -> int:
    return int(getattr(settings, "ITSM_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "ITSM_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_errors() -> int:
    return int(getattr(settings, "ITSM_UPLOAD_MAX_ERRORS", DEFAULT_MAX_ERRORS))


def too_large(field: str = "file", *, limit: int | None = None) -> ValidationFailed:
    limit = max_bytes() if limit is None else limit
    return ValidationFailed(
        fields={
            field: [
                _("The file is larger than {size} MB.").format(size=f"{limit / (1024 * 1024):g}")
            ]
        }
    )


def too_many_rows(field: str = "file", *, limit: int | None = None) -> ValidationFailed:
    return ValidationFailed(
        fields={
            field: [
                _("The file has more than {count} rows; split it.").format(
                    count=max_rows() if limit is None else limit
                )
            ]
        }
    )


def read_upload_bytes(upload, *, limit: int | None = None, field: str = "file") -> bytes:
    """The content of an uploaded file (or bytes, or text), refusing more than *limit* bytes
    (default ``max_bytes()``) before reading the rest: at most *limit* + 1 bytes are read."""
    limit = max_bytes() if limit is None else limit
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    elif isinstance(upload, str):
        if len(upload) > limit:  # a character is at least one byte
            raise too_large(field, limit=limit)
        data = upload.encode("utf-8", "surrogatepass")
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise too_large(field, limit=limit)
        if hasattr(upload, "seek"):
            try:
                upload.seek(0)
            except (OSError, ValueError):
                pass
        data = upload.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        raise too_large(field, limit=limit)
    return data


def decode_text(data: bytes, *, encodings=("utf-8-sig", "gb18030"), field: str = "file") -> str:
    """Text of a CSV/JSON file: the first of *encodings* that decodes it (UTF-8 with or
    without BOM, then GBK/GB18030 as Excel in China saves it). NUL bytes mean binary."""
    if b"\x00" in data:
        raise ValidationFailed(fields={field: [_("The file is not a text file.")]})
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if list(encodings) == ["utf-8-sig"]:
        raise ValidationFailed(fields={field: [_("The file is not UTF-8 text.")]})
    raise ValidationFailed(fields={field: [_("The file is neither UTF-8 nor GBK text.")]})


def check_row_count(count: int, field: str = "file") -> None:
    """Refuse a file whose data rows (read so far) exceed ``max_rows()``."""
    if count > max_rows():
        raise too_many_rows(field)


def cap_errors(errors: dict[str, list[str]], *, limit: int | None = None) -> dict:
    """At most *limit* (default ``max_errors()``) row entries of *errors*, in their order,
    plus a ``more`` entry saying how many rows with errors were left out. Keys that are not
    row errors (``file`` …) are always kept."""
    limit = max_errors() if limit is None else limit
    row_keys = [key for key in errors if key.startswith("rows.")]
    if len(row_keys) <= limit:
        return errors
    kept = set(row_keys[:limit])
    capped = {
        key: value for key, value in errors.items() if not key.startswith("rows.") or key in kept
    }
    capped["more"] = [
        _("{count} more rows have errors; correct the rows listed and import again.").format(
            count=len(row_keys) - limit
        )
    ]
    return capped
