"""CMDB API: configuration items (with transitions, history and as-of), CI classes,
attribute definitions, relation types and relations. Writes go through ``services``."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count, F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.cmdb import services
from itsm.cmdb.api.serializers import (
    AsOfSerializer,
    AttributeDefinitionSerializer,
    CIClassSerializer,
    CITransitionSerializer,
    ConfigurationItemSerializer,
    RelationSerializer,
    RelationTypeSerializer,
)
from itsm.cmdb.filtersets import (
    AttributeDefinitionFilterSet,
    CIClassFilterSet,
    CIFilterSet,
    RelationFilterSet,
    RelationTypeFilterSet,
)
from itsm.cmdb.lists import CIClassList, CIList, RelationTypeList
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.cmdb.selectors import ci_as_of
from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.api.pagination import KeysetPagination
from itsm.core.errors import ValidationFailed
from itsm.core.lists.rows import page_rows


def parse_moment(value: str | None) -> datetime:
    """An ISO date or date-time (naive: server time zone; a date: its end) or a 400 on ``at``."""
    value = (value or "").strip()
    moment = None
    if value:
        try:
            moment = parse_datetime(value.replace(" ", "T", 1))
            if moment is None:
                day = parse_date(value)
                if day is not None:
                    moment = datetime.combine(day, time.max)
        except ValueError:
            moment = None
    if moment is None or not 1900 <= moment.year <= 9998:
        raise ValidationFailed(
            fields={"at": [str(_("Enter a date or date and time, e.g. 2026-03-01T09:00."))]}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def as_of_payload(snapshot) -> dict:
    ci = snapshot.ci

    def other(row):
        if row.other is None:
            return None
        return {"id": row.other.pk, "number": row.other.number, "name": row.other.name}

    def relation(row):
        return {
            "relation": row.relation.pk,
            "type": row.relation.type.code,
            "label": row.label,
            "direction": row.direction,
            "other": other(row),
        }

    return {
        "at": snapshot.when,
        "changed_at": snapshot.changed_at,
        "changed_by": str(snapshot.changed_by) if snapshot.changed_by else None,
        "change_reference": snapshot.change_reference,
        "ci": {
            "id": ci.pk,
            "number": ci.number,
            "name": ci.name,
            "ci_class": ci.ci_class_id,
            "ci_class_code": snapshot.ci_class.code,
            "identifier": ci.identifier,
            "status": ci.status,
            "criticality": ci.criticality,
            "owner": ci.owner_id,
            "customer": ci.customer_id,
            "supplier": ci.supplier_id,
            "location": ci.location,
            "description": ci.description,
            "attributes": ci.attributes,
            "change_reference": ci.change_reference,
            "version": ci.version,
        },
        "attributes": [
            {"key": r.key, "label": str(r.label), "value": r.value, "unit": r.unit}
            for r in snapshot.attributes
        ],
        "outgoing": [relation(r) for r in snapshot.outgoing],
        "incoming": [relation(r) for r in snapshot.incoming],
    }


class ConfigurationItemViewSet(TransitionMixin, DomainViewSet):
    """Configuration items. Customer users see only their organisation's CIs (shared
    infrastructure, with no customer, is invisible to them)."""

    queryset = ConfigurationItem.objects.select_related("ci_class")
    serializer_class = ConfigurationItemSerializer
    filterset_class = CIFilterSet
    list_view = CIList  # ?sort= as on the CI list page (and its search's sorts)
    transition_serializer_class = CITransitionSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # a page shows the class's code only: one column of the join (read by the
            # serializer's plan, core/api/reading.py) instead of the whole class row built
            # into an object per CI (0.6-0.9 ms of a 50-row page, issue 10)
            page = queryset.select_related(None).annotate(ci_class__code=F("ci_class__code"))
            return page_rows(page)  # the HTML lists' reader: no Model.__init__, C date-times
        return queryset

    def create_record(self, data, *, by):
        if "change_reference" in data:
            data["change_reference"] = services.authorised_change(data["change_reference"])
        return services.create_ci(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        change_reference = services.authorised_change(data.pop("change_reference", ""))
        return services.update_ci(
            instance,
            by=self.request.user,
            version=expected_version,
            change_reference=change_reference,
            **data,
        )

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        return services.transition_ci(
            obj,
            to=to,
            by=self.request.user,
            version=expected_version,
            note=note,
            change_reference=services.authorised_change(fields.get("change_reference", "")),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "at",
                OpenApiTypes.DATETIME,
                required=True,
                description=_("The moment (ISO 8601 date or date-time)."),
            )
        ],
        responses=AsOfSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="as-of",
        pagination_class=None,
        filterset_class=None,
    )
    def as_of(self, request, pk=None):
        """The CI as it was at ``at``, with its relations then; 404 if it did not exist."""
        ci = self.get_object()
        moment = parse_moment(request.query_params.get("at"))
        snapshot = ci_as_of(ci, moment, user=request.user)
        return Response(AsOfSerializer(as_of_payload(snapshot)).data)


class CIClassViewSet(DomainViewSet):
    """CI classes and (read-only, nested) their attribute definitions."""

    queryset = CIClass.objects.prefetch_related("attribute_definitions")
    serializer_class = CIClassSerializer
    filterset_class = CIClassFilterSet
    list_view = CIClassList

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":  # the list page's "attributes" column, a sort key
            return queryset.annotate(attribute_count=Count("attribute_definitions"))
        return queryset

    def create_record(self, data, *, by):
        return services.create_class(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        services.update_class(instance, by=self.request.user, version=expected_version, **data)
        return self.get_queryset().get(pk=instance.pk)


class ReferencePagination(KeysetPagination):
    """Reference lists (a few hundred rows at most) come in one page by default."""

    page_size = 500


class AttributeDefinitionViewSet(DomainViewSet):
    """Typed attributes of CI classes; CI writes are validated against them."""

    pagination_class = ReferencePagination
    queryset = AttributeDefinition.objects.select_related("ci_class")
    serializer_class = AttributeDefinitionSerializer
    filterset_class = AttributeDefinitionFilterSet

    def create_record(self, data, *, by):
        return services.create_attribute(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_attribute(
            instance, by=self.request.user, version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_attribute(instance, by=by)


class RelationTypeViewSet(DomainViewSet):
    """Relation types and the classes each end may take (empty: any class)."""

    queryset = RelationType.objects.prefetch_related("source_classes", "target_classes")
    serializer_class = RelationTypeSerializer
    filterset_class = RelationTypeFilterSet
    list_view = RelationTypeList

    def create_record(self, data, *, by):
        return services.create_relation_type(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        services.update_relation_type(
            instance, by=self.request.user, version=expected_version, **data
        )
        return self.get_queryset().get(pk=instance.pk)


class RelationViewSet(DomainViewSet):
    """Directed, typed relations (``source`` depends on ``target``). Customer users see the
    relations whose source CI is theirs."""

    queryset = Relation.objects.select_related("type", "source", "target")
    serializer_class = RelationSerializer
    filterset_class = RelationFilterSet

    def create_record(self, data, *, by):
        if "change_reference" in data:
            data["change_reference"] = services.authorised_change(data["change_reference"])
        return services.create_relation(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        for name in ("source", "target", "type"):
            value = data.pop(name, None)
            if value is not None and value.pk != getattr(instance, f"{name}_id"):
                raise ValidationFailed(
                    fields={
                        name: [str(_("Cannot be changed; delete the relation and add it again."))]
                    }
                )
        change_reference = services.authorised_change(data.pop("change_reference", ""))
        return services.update_relation(
            instance,
            by=self.request.user,
            version=expected_version,
            change_reference=change_reference,
            **data,
        )

    def delete_record(self, instance, *, by):
        services.delete_relation(
            instance,
            by=by,
            change_reference=services.authorised_change(
                self.request.query_params.get("change_reference")
            ),
        )
