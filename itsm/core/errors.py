"""Typed domain errors. Services raise them; the API and views turn them into answers.

Each carries a machine-readable ``code`` (``invalid_transition``, ``conflict``, ``not_found``,
``validation`` …), a translated ``detail`` and, for validation, per-field messages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "error"
    default_detail = _("The request could not be processed.")

    def __init__(self, detail=None, *, fields: dict | None = None, code: str | None = None):
        self.detail = detail if detail is not None else self.default_detail
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(str(self.detail))


class ValidationFailed(DomainError):
    status = 400
    code = "validation"
    default_detail = _("Some fields are not valid.")

    @classmethod
    def from_django(cls, error) -> ValidationFailed:
        """A Django ``ValidationError`` (from ``full_clean``) as field → translated messages;
        an error not tied to fields goes under ``__all__``."""
        if hasattr(error, "error_dict"):
            return cls(
                fields={name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
            )
        return cls(fields={"__all__": [str(m) for m in error.messages]})


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_detail = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "permission_denied"
    default_detail = _("You do not have permission to do this.")


class FourEyes(Forbidden):
    """The same person may not both prepare and approve a step (four-eyes principle): a
    service's submitter does not review it, an agreement's drafter does not sign it."""

    code = "four_eyes"
    default_detail = _("A second person must approve this step.")


class Conflict(DomainError):
    """The record changed since the client read it (version mismatch)."""

    status = 409
    code = "conflict"
    default_detail = _("The record was changed by someone else; reload it and try again.")


class InvalidTransition(DomainError):
    status = 422
    code = "invalid_transition"
    default_detail = _("This status change is not allowed.")


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"
    default_detail = _("The request cannot be applied.")
