"""API of the portal's ordering: ``POST /api/desk/orders/`` orders a catalogue item — a
service request carrying the answers to the item's order form, with its fulfilment tasks
(``desk.services.ordering``). Send ``Idempotency-Key`` to make a retried order safe: the same
key and body answer the first request's ticket again, without a second one.

Customers order for their own organisation and only items of published services offered to
it; provider staff name the ``customer``. An item the caller may not order is an error on
``item`` (400); a wrong answer is an error on ``answers.<field name>``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from itsm.catalog import selectors as catalog
from itsm.core import policy
from itsm.core.api.idempotency import IdempotentCreateMixin
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation
from itsm.desk import selectors
from itsm.desk.api.serializers import TicketSerializer
from itsm.desk.choices import Channel, Urgency
from itsm.desk.models import Task, Ticket
from itsm.desk.services import ordering


class OrderSerializer(serializers.Serializer):
    """The body of an order."""

    item = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The catalogue item (service item) id."
    )
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text="The answers to the item's order form: field name → value (text, number, "
        "YYYY-MM-DD date, one of the choices, true/false).",
    )
    customer = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Provider staff: the customer organisation ordering. Customers order for "
        "their own organisation.",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices, required=False, allow_blank=True, default=""
    )


class TaskBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "order", "title", "status", "done_at"]


class OrderedTicketSerializer(TicketSerializer):
    """The service request an order created, with its fulfilment tasks."""

    tasks = TaskBriefSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "tasks"]


class _OrderCreate:
    """The create behind ``IdempotentCreateMixin`` (which stores and replays its answer)."""

    def create(self, request, *args, **kwargs):
        body = OrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = request.user
        item = catalog.orderable_items(user).filter(pk=data["item"]).first()
        if item is None:
            raise ValidationFailed(fields={"item": [str(_("No item you may order has this id."))]})
        customer = None
        if data["customer"] is not None:
            customer = (
                Organisation.objects.restrict(user)
                .filter(pk=data["customer"], kind="customer")
                .first()
            )
            if customer is None:
                raise ValidationFailed(fields={"customer": [str(_("Unknown customer."))]})
            if not policy.is_provider_staff(user) and customer.pk != user.organisation_id:
                raise ValidationFailed(
                    fields={"customer": [str(_("You can order only for your own organisation."))]}
                )
        ticket = ordering.order_item(
            by=user,
            item=item,
            answers=data["answers"],
            customer=customer,
            description=data["description"],
            urgency=data["urgency"],
            channel=Channel.API,
        )
        fresh = selectors.tickets_for(user).prefetch_related("cis", "tasks").get(pk=ticket.pk)
        answer = OrderedTicketSerializer(fresh, context={"request": request})
        return Response(answer.data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=OrderSerializer, responses={201: OrderedTicketSerializer})
)
class OrderViewSet(IdempotentCreateMixin, _OrderCreate, viewsets.GenericViewSet):
    """Order a catalogue item: ``POST`` creates the service request and its fulfilment tasks
    in one transaction (``Idempotency-Key`` makes a retry safe)."""

    queryset = Ticket.objects.none()  # the policy's model: ordering needs "add" on tickets
    serializer_class = OrderSerializer
    pagination_class = None
    filter_backends: list = []
