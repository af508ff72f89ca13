"""Viewset of historic ticket import: upload (create), mapping, dry run, run, status."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet
from itsm.core.api.pagination import KeysetPagination
from itsm.core.errors import ValidationFailed
from itsm.desk.imports import services
from itsm.desk.imports.api.serializers import (
    MappingInputSerializer,
    RunInputSerializer,
    TicketImportSerializer,
)
from itsm.desk.imports.filtersets import TicketImportFilterSet
from itsm.desk.imports.lists import ImportList
from itsm.desk.imports.models import TicketImport


class TicketImportViewSet(DomainViewSet):
    """Imports of another tool's incidents. POST uploads (``file`` multipart, or ``content``
    text with ``file_name``); ``mapping`` changes the mappings, ``dry-run`` checks the file
    (``problems``), ``run`` queues it for the worker; GET shows the status and progress."""

    http_method_names = ["get", "post", "delete", "head", "options"]
    queryset = TicketImport.objects.select_related("customer")
    serializer_class = TicketImportSerializer
    filterset_class = TicketImportFilterSet
    list_view = ImportList
    pagination_class = KeysetPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def create_record(self, data: dict, *, by):
        upload = data.get("file")
        if upload is None:
            upload = data.get("content")
        if not upload:
            raise ValidationFailed(fields={"file": [str(_required())]})
        return services.create_import(
            by=by,
            upload=upload,
            file_name=str(data.get("file_name") or getattr(upload, "name", "") or ""),
            source=data["source"],
            customer=data["customer"],
        )

    def _answer(self, obj):
        obj.refresh_from_db()
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=MappingInputSerializer, responses=TicketImportSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def mapping(self, request, pk=None):
        """Change the column mapping and the state and priority mappings."""
        obj = self.get_object()
        body = MappingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        services.set_mapping(
            obj,
            by=request.user,
            column_map=data.get("mapping"),
            state_map=data.get("state_map"),
            priority_map=data.get("priority_map"),
            day_first=data.get("day_first"),
            unknown_groups=data.get("unknown_groups"),
            unknown_categories=data.get("unknown_categories"),
        )
        return self._answer(obj)

    @extend_schema(request=None, responses=TicketImportSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="dry-run",
        policy_action="change",
        filterset_class=None,
    )
    def dry_run(self, request, pk=None):
        """Check the whole file: every bad row with its line and reason; nothing written."""
        obj = self.get_object()
        services.dry_run(obj, by=request.user)
        return self._answer(obj)

    @extend_schema(request=RunInputSerializer, responses=TicketImportSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def run(self, request, pk=None):
        """Queue a checked import for the worker; with bad rows only if ``skip_bad``."""
        obj = self.get_object()
        body = RunInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.queue_import(obj, by=request.user, skip_bad=body.validated_data["skip_bad"])
        return self._answer(obj)


def _required():
    from django.utils.translation import gettext as _

    return _("Upload a file (multipart “file”) or send its text as “content”.")
