from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core import policy
from itsm.core.api.base import DomainViewSet
from itsm.core.outbox import services
from itsm.core.outbox.api.serializers import (
    JobSerializer,
    NotificationChannelSerializer,
    OutboxMessageSerializer,
)
from itsm.core.outbox.filtersets import (
    JobFilterSet,
    NotificationChannelFilterSet,
    OutboxMessageFilterSet,
)
from itsm.core.outbox.lists import JobList, MessageList
from itsm.core.outbox.models import Job, NotificationChannel, OutboxMessage


class OutboxMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Outgoing messages (read-only); administrators may retry a dead one."""

    queryset = OutboxMessage.objects.all()
    list_view = MessageList  # ?sort= takes its list page's sortable columns
    serializer_class = OutboxMessageSerializer
    filterset_class = OutboxMessageFilterSet

    @property
    def policy_action(self):
        return "change" if getattr(self, "action", None) == "retry" else None

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")

    @extend_schema(request=None, responses=OutboxMessageSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Queue a dead message again with a fresh attempt count (422 if it is not dead)."""
        message = self.get_object()
        message = services.retry_message(message, by=request.user)
        return Response(self.get_serializer(message).data)


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs of periodic jobs and worker actions, newest first (read-only)."""

    queryset = Job.objects.all()
    list_view = JobList  # ?sort= takes its list page's sortable columns
    serializer_class = JobSerializer
    filterset_class = JobFilterSet

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")


class NotificationChannelViewSet(DomainViewSet):
    """Chat and webhook channels configured by administrators (URL checked against SSRF)."""

    queryset = NotificationChannel.objects.all()
    serializer_class = NotificationChannelSerializer
    filterset_class = NotificationChannelFilterSet

    def create_record(self, data, *, by):
        return services.create_channel(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        if not data.get("secret"):
            data.pop("secret", None)
        return services.update_channel(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_channel(instance, by=by)
