"""The queryset every domain model uses: ``.restrict(user, action)`` applies the one policy."""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model, covariant=True)


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user, action: str = "view") -> Self:
        """Rows of this queryset that *user* may see or act on (``core.policy``)."""
        from itsm.core import policy

        return policy.restrict(self, user, action)
