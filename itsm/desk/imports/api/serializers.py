"""Serializers of the historic import API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import CodeRelatedField, DomainSerializer
from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation
from itsm.desk.imports.models import TicketImport


class TicketImportSerializer(DomainSerializer):
    """An import: upload (a multipart ``file``, or the CSV text as ``content``), then its
    mapping, dry-run report (``problems``: every bad row with line and reason) and progress."""

    customer = CodeRelatedField(
        slug_field="code",
        queryset=Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
    )
    file = serializers.FileField(write_only=True, required=False)
    content = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        help_text=_("The CSV text, instead of a multipart file."),
    )
    file_name = serializers.CharField(max_length=255, required=False)
    reference = serializers.CharField(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    log = serializers.CharField(source="log_text", read_only=True)

    class Meta:
        model = TicketImport
        fields = [
            "id",
            "version",
            "display",
            "reference",
            "file",
            "content",
            "file_name",
            "source",
            "customer",
            "status",
            "shape",
            "headers",
            "mapping",
            "state_map",
            "priority_map",
            "day_first",
            "unknown_groups",
            "unknown_categories",
            "skip_bad",
            "total_rows",
            "incident_count",
            "done_rows",
            "percent",
            "created_count",
            "unchanged_count",
            "problems",
            "skipped",
            "log",
            "started_at",
            "finished_at",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "shape",
            "headers",
            "mapping",
            "state_map",
            "priority_map",
            "day_first",
            "unknown_groups",
            "unknown_categories",
            "skip_bad",
            "total_rows",
            "incident_count",
            "done_rows",
            "created_count",
            "unchanged_count",
            "problems",
            "skipped",
            "started_at",
            "finished_at",
            "created_at",
        ]


class MappingInputSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("column → field (number, state, opened_at, …; empty: ignored)"),
    )
    state_map = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text=_("state in the file → ticket status, or “bad”"),
    )
    priority_map = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("priority in the file → p1 … p4, or empty"),
    )
    day_first = serializers.BooleanField(required=False)
    unknown_groups = serializers.CharField(required=False)
    unknown_categories = serializers.CharField(required=False)


class RunInputSerializer(serializers.Serializer):
    skip_bad = serializers.BooleanField(
        default=False,
        help_text=_("Skip the bad incidents (listed in the log) and import the others."),
    )
