"""One FilterSet per model, shared by the HTML lists and the API."""

from __future__ import annotations

import django_filters

from itsm.core.filtersets import FilterSet
from itsm.core.outbox.models import Job, NotificationChannel, OutboxMessage


class OutboxMessageFilterSet(FilterSet):
    key = django_filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = OutboxMessage
        fields = ["status", "channel", "key"]


class JobFilterSet(FilterSet):
    class Meta:
        model = Job
        fields = ["name", "status"]


class NotificationChannelFilterSet(FilterSet):
    class Meta:
        model = NotificationChannel
        fields = ["kind", "is_active"]
