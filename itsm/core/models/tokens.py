"""Named API tokens (django-rest-knox's token model, with a name and an id)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    """An API token of a user, for scripts and integrations (``Authorization: Token …``).

    Only the SHA-512 digest is stored; the token itself is shown once, when it is created.
    ``token_key`` (the first characters) identifies it in lists. A token ends at its expiry,
    when revoked (the row is deleted), when its user's password changes and when its user is
    deactivated. Users manage their own tokens (``itsm.core.tokens``).
    """

    if TYPE_CHECKING:
        # knox ships no types: the default manager is declared so that the checker can type
        # the reverse accessor of knox's ``user`` foreign key (``User.auth_token_set``).
        _default_manager: ClassVar[models.Manager[ApiToken]]

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
