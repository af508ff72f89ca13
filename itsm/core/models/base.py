"""Abstract bases every domain model builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from itsm.core.querysets import RestrictedQuerySet


class _HistoryDescriptor(HistoryDescriptor):
    """simple-history's ``Model.history`` with its manager class built once: the stock
    descriptor builds it (``Manager.from_queryset``, ~0.1 ms) at every access — every history
    row a save writes, every history page."""

    def __init__(self, model, manager, queryset):
        super().__init__(model, manager=manager, queryset=queryset)
        self._manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager(self.model, instance)


class DomainHistoricalRecords(HistoricalRecords):
    """``HistoricalRecords`` whose ``history`` descriptor reuses its manager class, and whose
    history tables index only what history is read by: the record's id (its own history)
    and ``history_date``, plus the fields a model names in ``history_indexed`` (a CI's
    relations as of a date are read by ``source``/``target``). simple-history indexes every
    foreign key, unique and indexed column of the record again — 17 secondary indexes on the
    ticket's history, each one more write per save (issue 11); the history user is not
    indexed either (nothing reads history by user)."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        kept = {model._meta.pk.name, *getattr(model, "history_indexed", ())}
        for name, field in fields.items():
            if name not in kept:
                field.db_index = False
        return fields

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        user = fields.get("history_user")
        if user is not None:
            user.db_index = False
        return fields

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(getattr(self, "manager_name", ""))
        if type(descriptor) is HistoryDescriptor and issubclass(sender, self.cls):
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(
                    descriptor.model, descriptor.manager_class, descriptor.queryset_class
                ),
            )


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
    history = DomainHistoricalRecords(inherit=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
