"""API tokens: users create (with a name and an expiry), list and revoke their own tokens.

A token is shown once, when created; only its digest is stored (django-rest-knox). Expired
and revoked tokens answer 401. Saving a new password revokes all the user's tokens, whatever
changed it (``RevokeTokensOnPasswordChange``, a password "validator" whose
``password_changed`` hook Django calls on every password save).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.core.errors import ValidationFailed
from itsm.core.models import ApiToken, User
from itsm.core.timeline import record_event

#: expiry choices offered in the UI, in days
EXPIRY_CHOICES_DAYS = (7, 30, 90, 180, 365)


def max_days() -> int:
    return int(getattr(settings, "ITSM_API_TOKEN_MAX_DAYS", 365))


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created", "-id")


def create_token(user: User, *, name: str, days: int) -> tuple[ApiToken, str]:
    """Create a token for *user* named *name* that expires in *days* days.

    Returns (the row, the token text). The text is not stored and cannot be shown again.
    """
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name, such as the script that uses it.")]
    elif len(name) > 100:
        errors["name"] = [_("Enter at most {count} characters.").format(count=100)]
    elif tokens_of(user).filter(name=name).exists():
        errors["name"] = [_("You already have a token with this name.")]
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= max_days():
        errors["expires_in_days"] = [
            _("Enter a number of days from 1 to {days}.").format(days=max_days())
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        token, text = ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name)
        record_event(user, "api_token_created", by=user, data={"name": name, "days": days})
    return token, text


def revoke_token(token: ApiToken, *, by: User) -> None:
    """Revoke *token* (it answers 401 from now on)."""
    with transaction.atomic():
        name = token.name
        user = token.user
        token.delete()
        record_event(user, "api_token_revoked", by=by, data={"name": name})


def forget_expired_token(token: ApiToken) -> None:
    """Delete an expired *token* that was presented (it answered 401), as knox does, so
    expired rows do not pile up."""
    token.delete()


def revoke_all_tokens(user: User) -> int:
    """Revoke every token of *user*; the number revoked."""
    if user.pk is None:
        return 0
    count, _detail = ApiToken.objects.filter(user=user).delete()
    return count


class RevokeTokensOnPasswordChange:
    """Listed in ``AUTH_PASSWORD_VALIDATORS`` for its ``password_changed`` hook: a new
    password (changed by the user, reset by an administrator, set in the admin) revokes all
    the user's API tokens. It refuses no password."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None:
            revoke_all_tokens(user)

    def get_help_text(self):
        return _("Saving a new password revokes all API tokens of the account.")
