"""Serializers of the CMDB API.

API fields named ``label`` carry ``type: ignore[assignment]``: mypy reads them as overriding
``Field.label``, but DRF's metaclass takes declared fields off the class, so they do not.
"""

from __future__ import annotations

from rest_framework import serializers

from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.core import policy
from itsm.core.api.base import DomainSerializer, TransitionSerializer


class AttributeDefinitionSerializer(DomainSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = AttributeDefinition
        fields = [
            "id",
            "display",
            "ci_class",
            "key",
            "name_zh",
            "name_en",
            "label",
            "type",
            "required",
            "choices",
            "unit",
            "min_value",
            "max_value",
            "order",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service names a duplicate key


class BriefAttributeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = AttributeDefinition
        fields = ["id", "key", "label", "type", "required", "choices", "unit"]
        read_only_fields = fields


class CIClassSerializer(DomainSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    attribute_definitions = BriefAttributeSerializer(many=True, read_only=True)

    class Meta:
        model = CIClass
        fields = [
            "id",
            "display",
            "code",
            "name_zh",
            "name_en",
            "label",
            "description",
            "icon",
            "is_hardware",
            "is_business_service",
            "is_agreement",
            "is_builtin",
            "order",
            "attribute_definitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_builtin", "created_at", "updated_at"]
        validators: list = []


class RelationTypeSerializer(DomainSerializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    reverse_label = serializers.CharField(read_only=True)

    class Meta:
        model = RelationType
        fields = [
            "id",
            "display",
            "code",
            "name_zh",
            "name_en",
            "reverse_zh",
            "reverse_en",
            "label",
            "reverse_label",
            "source_classes",
            "target_classes",
            "is_builtin",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_builtin", "created_at", "updated_at"]
        validators: list = []


class ConfigurationItemSerializer(DomainSerializer):
    ci_class_code = serializers.CharField(source="ci_class.code", read_only=True)
    attributes = serializers.JSONField(required=False)

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "display",
            "number",
            "name",
            "ci_class",
            "ci_class_code",
            "identifier",
            "status",
            "criticality",
            "owner",
            "customer",
            "supplier",
            "location",
            "description",
            "attributes",
            "change_reference",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "status", "created_at", "updated_at"]
        validators: list = []  # the service names a duplicate identifier


class CITransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=CIStatus.choices)
    change_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default=""
    )


class RelationSerializer(DomainSerializer):
    type_code = serializers.CharField(source="type.code", read_only=True)
    source_display = serializers.SerializerMethodField()
    target_display = serializers.SerializerMethodField()

    class Meta:
        model = Relation
        fields = [
            "id",
            "display",
            "source",
            "source_display",
            "target",
            "target_display",
            "type",
            "type_code",
            "note",
            "change_reference",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service refuses a duplicate with a clear message

    def _end(self, ci) -> str | None:
        """The CI's number and name, or ``None`` when the user may not view it (shared
        infrastructure or another organisation's CI at the end of a customer's relation;
        no request: nobody)."""
        return str(ci) if policy.may_view_row(self._tenancy_user(), ci) else None

    def get_source_display(self, obj) -> str | None:
        return self._end(obj.source)

    def get_target_display(self, obj) -> str | None:
        return self._end(obj.target)


class AsOfAttributeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField(allow_null=True)
    unit = serializers.CharField()


class AsOfRelationSerializer(serializers.Serializer):
    relation = serializers.IntegerField()
    type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    direction = serializers.CharField()
    other = serializers.DictField(allow_null=True)


class AsOfSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.CharField(allow_null=True)
    change_reference = serializers.CharField(allow_blank=True)
    ci = serializers.DictField()
    attributes = AsOfAttributeSerializer(many=True)
    outgoing = AsOfRelationSerializer(many=True)
    incoming = AsOfRelationSerializer(many=True)
