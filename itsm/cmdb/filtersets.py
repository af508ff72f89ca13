"""FilterSets of the CMDB, shared by the UI lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from itsm.cmdb.choices import AttributeType, AuditStatus, CIStatus, Criticality
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationAudit,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.core.api.base import MAX_ID
from itsm.core.filtersets import CustomerFilter, FilterSet, IntegerFilter


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows whose related record has one of the given codes (``?ci_class=server``)."""


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """Rows whose related record has the given code (``?type=runs_on``)."""


class IdFilter(IntegerFilter):
    """A record id: a whole number 1…2⁶³−1 (anything else is a 400, not a database error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CIFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    ci_class = CodeChoiceFilter(
        field_name="ci_class__code",
        to_field_name="code",
        queryset=CIClass.objects.all(),
        label=_("class"),
    )
    status = django_filters.MultipleChoiceFilter(choices=CIStatus.choices, label=_("status"))
    criticality = django_filters.MultipleChoiceFilter(
        choices=Criticality.choices, label=_("criticality")
    )
    customer = CustomerFilter()
    shared = django_filters.BooleanFilter(
        field_name="customer", lookup_expr="isnull", label=_("shared infrastructure")
    )
    identifier = django_filters.CharFilter(label=_("identifier"))

    class Meta:
        model = ConfigurationItem
        fields = ["q", "ci_class", "status", "criticality", "customer", "shared", "identifier"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(number__iexact=value) | Q(identifier__icontains=value)
        )


class CIClassFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = CIClass
        fields = ["code", "is_hardware", "is_business_service", "is_agreement", "is_builtin"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        )


class AttributeDefinitionFilterSet(FilterSet):
    ci_class = django_filters.ModelChoiceFilter(queryset=CIClass.objects.all(), label=_("class"))
    type = django_filters.ChoiceFilter(choices=AttributeType.choices)

    class Meta:
        model = AttributeDefinition
        fields = ["ci_class", "type", "key", "required"]


class RelationTypeFilterSet(FilterSet):
    class Meta:
        model = RelationType
        fields = ["code", "is_builtin"]


class RelationFilterSet(FilterSet):
    ci = IdFilter(method="touching", label=_("configuration item"))
    source = IdFilter(label=_("source"))
    target = IdFilter(label=_("target"))
    type = CodeFilter(
        field_name="type__code",
        to_field_name="code",
        queryset=RelationType.objects.all(),
        label=_("relation type"),
    )

    class Meta:
        model = Relation
        fields = ["source", "target", "type", "ci"]

    def touching(self, queryset, name, value):
        return queryset.filter(Q(source=value) | Q(target=value))


class ConfigurationAuditFilterSet(FilterSet):
    """The audit list page and ``/api/cmdb/audits/``."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=AuditStatus.choices, label=_("status"))
    scope_class = django_filters.ModelChoiceFilter(
        queryset=CIClass.objects.all(), label=_("Class checked")
    )

    class Meta:
        model = ConfigurationAudit
        fields = ["q", "status", "scope_class"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(number__iexact=value))
