"""Abstract bases every domain model builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from itsm.core.querysets import RestrictedQuerySet


class TimeStampedModel(models.Model):
    """Creation and last-update timestamps."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    if TYPE_CHECKING:
        # set on an instance before save(): django-simple-history writes them to the history row
        _history_user: Any
        _change_reason: str

    class Meta:
        abstract = True


class DomainModel(TimeStampedModel):
    """Base of every domain record.

    - ``version`` turns concurrent edits into conflicts (``core.services.save_versioned``);
    - ``history`` keeps every field change (django-simple-history, inherited by subclasses);
    - ``objects`` is a ``RestrictedQuerySet``: anything that reaches a user goes through
      ``.restrict(user, action)`` (``core.policy``);
    - ``policy`` (a ``core.policy.ModelPolicy``) says which roles may do what, and which
      field leads to the customer organisation that owns the row.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords(inherit=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
