from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core import policy
from itsm.core.api.base import DomainViewSet
from itsm.core.errors import ValidationFailed
from itsm.desk.mail import services
from itsm.desk.mail.api.serializers import (
    InboundMailSerializer,
    MailboxSerializer,
    PollResultSerializer,
)
from itsm.desk.mail.filtersets import InboundMailFilterSet, MailboxFilterSet
from itsm.desk.mail.lists import InboundMailList, MailboxList
from itsm.desk.mail.models import InboundMail, Mailbox


class MailboxViewSet(DomainViewSet):
    """Mailboxes the desk reads over IMAP (provider staff read, administrators write)."""

    queryset = Mailbox.objects.select_related("default_customer")
    serializer_class = MailboxSerializer
    filterset_class = MailboxFilterSet
    list_view = MailboxList

    def create_record(self, data, *, by):
        return services.create_mailbox(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_mailbox(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_mailbox(instance, by=by)

    @extend_schema(request=None, responses=PollResultSerializer)
    @action(detail=True, methods=["post"], policy_action="change")
    def poll(self, request, pk=None):
        """Read the mailbox's new mail now (422 with the server's answer if it cannot)."""
        mailbox = self.get_object()
        try:
            result = services.poll(mailbox)
        except services.PollError as exc:
            raise ValidationFailed(
                fields={"host": [str(exc)]},
            ) from exc
        return Response(
            PollResultSerializer(
                {"mailbox": result.mailbox, "read": result.read, "outcomes": result.outcomes}
            ).data
        )


class InboundMailViewSet(viewsets.ReadOnlyModelViewSet):
    """Every mail read from the mailboxes and what became of it (provider staff, read-only)."""

    queryset = InboundMail.objects.select_related("mailbox", "ticket")
    serializer_class = InboundMailSerializer
    filterset_class = InboundMailFilterSet
    list_view = InboundMailList

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")
