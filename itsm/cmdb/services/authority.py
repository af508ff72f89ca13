"""The change that authorises a CMDB or agreement modification (issue 12; seed 003: a signed
agreement changes only through an approved change).

The CMDB cannot import change management (change reads the CMDB), so the check is a registry:
the app above both (``itsm.releases``, which wires changes to the CMDB) registers the function
that knows the changes. A reference a person types — on the CMDB's forms, API and import, and
on a signed agreement's edits — must then name an approved change in its window; references
the services write themselves (an audit's or an agreement's number, a release's change) are not
typed by a person and are not checked. Rows written before the check keep their free text.
"""

from __future__ import annotations

from collections.abc import Callable

_AUTHORITY: list[Callable[..., str]] = []


def register_change_authority(check: Callable[..., str]) -> None:
    """Register ``check(reference, *, field) -> str``: the normalised number of the approved
    change *reference* names, or ``ValidationFailed`` naming *field*."""
    _AUTHORITY[:] = [check]


def authorised_change(reference: str | None, *, field: str = "change_reference") -> str:
    """*reference* stripped; when change management answers (a check is registered), a
    non-empty reference must name an approved change in its window (``ValidationFailed``
    naming *field* otherwise) and is returned as the change's number."""
    reference = (reference or "").strip()
    if not reference or not _AUTHORITY:
        return reference
    return _AUTHORITY[0](reference, field=field)
