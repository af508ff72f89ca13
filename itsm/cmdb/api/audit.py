"""REST API of configuration audits (R-CMDB-05) and of the CI import (R-CMDB-06).

GET/POST  /api/cmdb/audits/                  list; create from a snapshot (multipart
                                             ``file`` or JSON ``items``)
GET/PATCH /api/cmdb/audits/{id}/             one audit with its figures; rename
GET       /api/cmdb/audits/{id}/differences/ its differences (?kind=, ?decision=)
POST      /api/cmdb/audits/{id}/decide/      accept or reject pending differences in bulk
POST      /api/cmdb/audits/{id}/close/       close (``force`` while some are pending)
GET       /api/cmdb/differences/             every difference (?audit=, ?kind=, ?decision=)
POST      /api/cmdb/differences/{id}/accept/ and …/reject/
POST      /api/cmdb/import/                  import CIs from .csv/.xlsx/.json (``dry_run``)
"""

from __future__ import annotations

import django_filters
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from itsm.cmdb import importer
from itsm.cmdb.audit import services as audit_services
from itsm.cmdb.choices import DifferenceDecision, DifferenceKind
from itsm.cmdb.filtersets import ConfigurationAuditFilterSet
from itsm.cmdb.lists import AuditList
from itsm.cmdb.models import AuditDifference, CIClass, ConfigurationAudit, ConfigurationItem
from itsm.core import policy
from itsm.core.api.base import MAX_ID, CodeRelatedField, DomainSerializer, DomainViewSet
from itsm.core.api.parsers import JSONParser
from itsm.core.errors import ValidationFailed
from itsm.core.filtersets import FilterSet

# --- serializers ------------------------------------------------------------------------------


class ConfigurationAuditSerializer(DomainSerializer):
    scope_class = CodeRelatedField(
        slug_field="code",
        queryset=CIClass.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Code of the only class to check; empty: every class in the snapshot."),
    )
    accuracy = serializers.FloatField(read_only=True, allow_null=True)
    items = serializers.ListField(
        child=serializers.JSONField(),
        write_only=True,
        required=False,
        help_text=_("Discovered items: {identifier, class, name, attributes}."),
    )
    file = serializers.FileField(
        write_only=True, required=False, help_text=_("Snapshot file (.json or .csv).")
    )

    class Meta:
        model = ConfigurationAudit
        fields = [
            "id",
            "display",
            "number",
            "title",
            "source_name",
            "scope_class",
            "status",
            "checked_count",
            "matched_count",
            "accuracy",
            "performed_by",
            "closed_at",
            "items",
            "file",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "source_name",
            "status",
            "checked_count",
            "matched_count",
            "performed_by",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class AuditFiguresSerializer(serializers.Serializer):
    checked = serializers.IntegerField()
    matched = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)
    corrected = serializers.IntegerField()
    accuracy_after = serializers.FloatField(allow_null=True)
    pending = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())


class ConfigurationAuditDetailSerializer(ConfigurationAuditSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(ConfigurationAuditSerializer.Meta):
        fields = [*ConfigurationAuditSerializer.Meta.fields, "figures"]

    @extend_schema(responses=AuditFiguresSerializer)
    def get_figures(self, obj) -> dict:
        return AuditFiguresSerializer(audit_services.audit_figures(obj)).data


class AuditDifferenceSerializer(DomainSerializer):
    ci_number = serializers.CharField(source="ci.number", read_only=True, default=None)
    audit_number = serializers.CharField(source="audit.number", read_only=True)

    class Meta:
        model = AuditDifference
        fields = [
            "id",
            "display",
            "audit",
            "audit_number",
            "kind",
            "ci",
            "ci_number",
            "identifier",
            "name",
            "class_code",
            "attribute",
            "cmdb_value",
            "discovered_value",
            "decision",
            "decided_by",
            "decided_at",
            "note",
            "version",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class BulkDecisionSerializer(DecisionSerializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        help_text=_("Differences to decide; omitted: every pending one."),
    )


class CloseSerializer(serializers.Serializer):
    force = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CIImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(".csv (UTF-8 or GBK) or .xlsx with a header on row 1, or discovery .json.")
    )
    mapping = serializers.JSONField(
        binary=True,
        required=False,
        help_text=_('Column → field, e.g. {"名称": "name", "内存": "attributes.memory_gb"}.'),
    )
    ci_class = CodeRelatedField(
        slug_field="code",
        queryset=CIClass.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Class of every row when the file has no class column."),
    )
    dry_run = serializers.BooleanField(required=False, default=False)
    change_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40
    )


class CIImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField()
    name = serializers.CharField()
    ci_class = serializers.CharField()


class CIImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    headers = serializers.ListField(child=serializers.CharField())
    mapping = serializers.DictField(child=serializers.CharField(allow_blank=True))
    rows = CIImportRowSerializer(many=True)


# --- filters ----------------------------------------------------------------------------------


class AuditDifferenceFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DifferenceKind.choices)
    decision = django_filters.MultipleChoiceFilter(choices=DifferenceDecision.choices)

    class Meta:
        model = AuditDifference
        fields = ["audit", "kind", "decision", "ci"]


# --- viewsets ---------------------------------------------------------------------------------


class ConfigurationAuditViewSet(DomainViewSet):
    """Configuration audits (provider-internal; configuration managers write)."""

    queryset = ConfigurationAudit.objects.select_related("scope_class")
    list_view = AuditList  # ?sort= takes its list page's sortable columns
    serializer_class = ConfigurationAuditSerializer
    filterset_class = ConfigurationAuditFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ConfigurationAuditDetailSerializer
        return super().get_serializer_class()

    def create_record(self, data, *, by):
        upload = data.pop("file", None)
        items = data.pop("items", None)
        if upload is None and items is None:
            raise ValidationFailed(
                fields={"file": [str(_("Upload a snapshot file or send the items."))]}
            )
        return audit_services.create_audit(
            title=data["title"],
            by=by,
            file=upload,
            filename=getattr(upload, "name", "") if upload is not None else "",
            items=items,
            scope_class=data.get("scope_class"),
        )

    def update_fields(self, instance, data: dict, *, expected_version: int):
        unknown = sorted(set(data) - {"title"})
        if unknown:
            raise ValidationFailed(
                fields={name: [str(_("This field cannot be changed."))] for name in unknown}
            )
        if "title" not in data:
            return instance
        return audit_services.update_audit(
            instance, by=self.request.user, version=expected_version, title=data["title"]
        )

    @extend_schema(responses=AuditDifferenceSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def differences(self, request, pk=None):
        """The differences of the audit (paginated; ?kind=, ?decision=)."""
        audit = self.get_object()
        rows = AuditDifferenceFilterSet(
            request.query_params,
            queryset=AuditDifference.objects.filter(audit=audit).select_related("audit", "ci"),
            request=request,
        ).qs
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AuditDifferenceSerializer(page, many=True).data)

    @extend_schema(request=BulkDecisionSerializer, responses=ConfigurationAuditDetailSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def decide(self, request, pk=None):
        """Accept or reject the pending differences (all, or ``ids``) in one transaction."""
        audit = self.get_object()
        body = BulkDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit_services.decide_differences(
            audit,
            accept=body.validated_data["decision"] == "accept",
            by=request.user,
            note=body.validated_data["note"],
            ids=body.validated_data.get("ids"),
        )
        audit.refresh_from_db()
        return Response(ConfigurationAuditDetailSerializer(audit).data)

    @extend_schema(request=CloseSerializer, responses=ConfigurationAuditDetailSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def close(self, request, pk=None):
        """Close the audit (``force``: even with pending differences)."""
        audit = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        audit = audit_services.close_audit(audit, by=request.user, **body.validated_data)
        return Response(ConfigurationAuditDetailSerializer(audit).data)


class AuditDifferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Differences found by audits; accept or reject one at a time."""

    queryset = AuditDifference.objects.select_related("audit", "ci")
    serializer_class = AuditDifferenceSerializer
    filterset_class = AuditDifferenceFilterSet
    policy_action: str | None = None

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")

    def get_object(self):
        value = str(self.kwargs.get("pk", ""))
        if not (value.isdigit() and 0 < int(value) <= MAX_ID):
            raise NotFound()
        return super().get_object()

    def _decide(self, request, *, accept: bool):
        difference = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        difference = audit_services.decide_difference(
            difference, accept=accept, by=request.user, note=body.validated_data["note"]
        )
        return Response(self.get_serializer(difference).data)

    @extend_schema(request=DecisionSerializer, responses=AuditDifferenceSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def accept(self, request, pk=None):
        """Accept: correct the CMDB (history carries the audit number as change reference)."""
        return self._decide(request, accept=True)

    @extend_schema(request=DecisionSerializer, responses=AuditDifferenceSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def reject(self, request, pk=None):
        """Reject: keep the CMDB as it is; who, when and the note are recorded."""
        return self._decide(request, accept=False)


class CIImportView(APIView):
    """Import configuration items from a .csv, .xlsx or .json file (all or nothing)."""

    policy_model = ConfigurationItem
    policy_action = "add"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=CIImportRequestSerializer, responses=CIImportResultSerializer)
    def post(self, request):
        body = CIImportRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = importer.import_cis(
            file=data["file"],
            filename=data["file"].name,
            by=request.user,
            mapping=data.get("mapping"),
            ci_class=data.get("ci_class"),
            dry_run=data["dry_run"],
            change_reference=data["change_reference"],
        )
        payload = CIImportResultSerializer(result).data
        code = status.HTTP_200_OK if result.dry_run else status.HTTP_201_CREATED
        return Response(payload, status=code)


router = SimpleRouter()
router.register("audits", ConfigurationAuditViewSet, basename="audit")
router.register("differences", AuditDifferenceViewSet, basename="audit-difference")

urlpatterns = [path("import/", CIImportView.as_view(), name="import"), *router.urls]
