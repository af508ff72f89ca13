"""Serializers of the service-catalogue API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.catalog.choices import ServiceMode, ServiceStatus
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core import policy
from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation


class ServiceCategorySerializer(DomainSerializer):
    class Meta:
        model = ServiceCategory
        fields = [
            "id",
            "display",
            "code",
            "name",
            "parent",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service names a duplicate code on the field


class ServiceItemBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "description", "order", "form_fields"]


class ServiceSerializer(DomainSerializer):
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceMode.choices), required=False
    )
    customers = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
    )
    items = ServiceItemBriefSerializer(many=True, read_only=True)
    transitions = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id",
            "display",
            "code",
            "name",
            "category",
            "description",
            "owner",
            "modes",
            "service_hours",
            "charging_basis",
            "price",
            "price_note",
            "status",
            "customers",
            "business_ci",
            "linked_cis",
            "items",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "published_by",
            "published_at",
            "retired_by",
            "retired_at",
            "transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "published_by",
            "published_at",
            "retired_by",
            "retired_at",
            "created_at",
            "updated_at",
        ]
        validators: list = []  # the service names a duplicate code on the field

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return []
        return [t.name for t in Service.state_machine.available(obj, user)]

    def to_representation(self, instance):
        data = super().to_representation(instance)  # internal fields: the policy's
        user = self._tenancy_user()
        if not policy.sees_internal(user, Service):
            # a customer learns only whether the service is offered to them
            own = getattr(user, "organisation_id", None)
            data["customers"] = [pk for pk in data["customers"] if pk == own]
        return data


class ServiceTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ServiceStatus.choices)


class ServiceItemSerializer(DomainSerializer):
    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "display",
            "service",
            "code",
            "name",
            "description",
            "order",
            "form_fields",
            "fulfilment_tasks",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service names a duplicate code on the field
        extra_kwargs = {
            "form_fields": {
                "help_text": "The order form: a list of {name, label_zh, label_en, type "
                "(text, textarea, number, date, choice, yesno), required, choices}."
            },
            "fulfilment_tasks": {
                "help_text": "The tasks of a request of the item: a list of {title, group} "
                "(group: a team's code, optional). Provider staff only."
            },
        }

    def validate_service(self, value):
        if self.instance is not None and value != self.instance.service:
            raise serializers.ValidationError(_("An item cannot move to another service."))
        return value
