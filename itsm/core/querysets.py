"""The queryset every domain model uses: ``.restrict(user, action)`` applies the one policy."""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """Rows of this queryset that *user* may see or act on (``core.policy``)."""
        from itsm.core import policy

        return policy.restrict(self, user, action)
