"""Base classes every domain API uses: a viewset is a queryset + serializer + filterset +
the service functions that write (DESIGN rule 1)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api.idempotency import IdempotentCreateMixin
from itsm.core.errors import ValidationFailed
from itsm.core.services import update_record
from itsm.core.timeline import history_for


class DomainSerializer(serializers.ModelSerializer):
    """Model serializer with the ``version`` column used for optimistic concurrency.

    ``version`` is read on GET and must be sent back on PUT/PATCH (or as ``If-Match``): an
    edit based on an older version answers 409 instead of overwriting someone else's change.
    """

    version = serializers.IntegerField(required=False, min_value=1)

    #: fields of the brief nested form other serializers embed
    brief_fields: tuple[str, ...] = ("id", "display")

    display = serializers.SerializerMethodField()

    def get_display(self, obj) -> str:
        return str(obj)


class HistoryItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    verb = serializers.CharField()
    changes = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    note = serializers.CharField()


class DomainViewSet(IdempotentCreateMixin, viewsets.ModelViewSet):
    """CRUD through services, tenancy through ``restrict``, history read-only.

    Subclasses set ``queryset``, ``serializer_class``, ``filterset_class`` and implement
    ``create_record(data, by)``; updates go through ``update_record`` unless they override
    ``update_fields``; deletes are refused unless ``delete_record`` is implemented.
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    # --- writes go through services ----------------------------------------------------------
    def create_record(self, data: dict, *, by):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = self.create_record(data, by=self.request.user)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = data.pop("version", None)
        if_match = self.request.headers.get("If-Match")
        if expected is None and if_match:
            try:
                expected = int(if_match.strip('"W/ '))
            except ValueError:
                raise ValidationFailed(fields={"If-Match": [str(_("Must be a version number."))]})
        if expected is None:
            raise ValidationFailed(fields={"version": [str(_(
                "Send the version you edited (field “version” or If-Match header)."))]})
        serializer.instance = self.update_fields(serializer.instance, data, expected_version=expected)

    def update_fields(self, instance, data: dict, *, expected_version: int):
        m2m = {k: data.pop(k) for k in list(data) if _is_m2m(instance, k)}
        with transaction.atomic():
            instance = update_record(instance, by=self.request.user,
                                     expected_version=expected_version, **data)
            for name, values in m2m.items():
                getattr(instance, name).set(values)
        return instance

    def perform_destroy(self, instance):
        self.delete_record(instance, by=self.request.user)

    def delete_record(self, instance, *, by):
        raise ValidationFailed(_("Records of this kind cannot be deleted; retire them instead."),
                               code="delete_not_allowed")

    @extend_schema(responses=HistoryItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Field changes and timeline events of the record, oldest first (read-only)."""
        obj = self.get_object()
        items = [
            {"at": item.at, "actor": str(item.actor) if item.actor else None, "kind": item.kind,
             "verb": item.verb, "changes": [list(c) for c in item.changes], "note": item.note}
            for item in history_for(obj)
        ]
        return Response(HistoryItemSerializer(items, many=True).data)


def _is_m2m(instance, name: str) -> bool:
    try:
        return type(instance)._meta.get_field(name).many_to_many
    except Exception:
        return False
