"""Serializers of the improvement register API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.improvement.choices import ItemStatus
from itsm.improvement.models import Item

ITEM_FIELDS = [
    "id",
    "display",
    "number",
    "title",
    "description",
    "source",
    "source_key",
    "review_action",
    "incident",
    "customer",
    "status",
    "raised_by",
    "goal",
    "owner",
    "plan",
    "due_date",
    "change",
    "approved_by",
    "approved_at",
    "implementation_notes",
    "kpi_id",
    "before_start",
    "before_end",
    "before_value",
    "after_start",
    "after_end",
    "after_value",
    "effect_note",
    "verified_by",
    "verified_at",
    "closure_note",
    "closed_at",
    "internal_notes",
    "transitions",
    "version",
    "created_at",
    "updated_at",
]
ITEM_READ_ONLY = [
    "number",
    "review_action",
    "status",
    "raised_by",
    "approved_by",
    "approved_at",
    "before_value",
    "after_value",
    "effect_note",
    "verified_by",
    "verified_at",
    "closure_note",
    "closed_at",
    "created_at",
    "updated_at",
]


class ItemSerializer(DomainSerializer):
    transitions = serializers.SerializerMethodField()
    source_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="What raised the item (empty: the item's own number).",
    )

    class Meta:
        model = Item
        fields = ITEM_FIELDS
        read_only_fields = ITEM_READ_ONLY

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return []
        return [t.name for t in Item.state_machine.available(obj, user)]


class ItemTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ItemStatus.choices)
    implementation_notes = serializers.CharField(required=False, allow_blank=True)


class EffectInputSerializer(serializers.Serializer):
    effect_note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class VersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
