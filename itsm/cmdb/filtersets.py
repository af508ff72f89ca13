"""FilterSets of the CMDB, shared by the UI lists and the API."""

import sqlite3

import django_filters
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
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
from itsm.core import policy
from itsm.core.api.base import MAX_ID
from itsm.core.filtersets import (
    CustomerFilter,
    FilterSet,
    IntegerFilter,
    KeptModelChoiceField,
    KeptModelMultipleChoiceField,
)


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows whose related record has one of the given codes (``?ci_class=server``).

    Declare it on the foreign key (``field_name="ci_class"``, ``to_field_name="code"``): the
    form resolves the codes to rows with one query on the small related table (an unknown code
    is a 400), and the big table is filtered on ``ci_class_id IN (…)`` — no join, so the
    planner sees the column's statistics and an empty class answers from the index instead of
    walking every row (issue 10). Once the choices are kept per process
    (``core.lists.choices``), the codes are checked against them: no query."""

    field_class = KeptModelMultipleChoiceField

    def filter(self, qs, value):
        # no code: the form answers ``queryset.none()``, whose truth would cost a compiled
        # query; given codes, the form has already read their rows
        if value is None or (isinstance(value, QuerySet) and value.query.is_empty()):
            return qs
        rows = list(value)
        if not rows:
            return qs
        return qs.filter(**{f"{self.field_name}__in": sorted(row.pk for row in rows)})


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """Rows whose related record has the given code (``?type=runs_on``); declared on the
    foreign key with ``to_field_name="code"`` it filters on the id (no join), like
    :class:`CodeChoiceFilter`."""

    field_class = KeptModelChoiceField


class IdFilter(IntegerFilter):
    """A record id: a whole number 1…2⁶³−1 (anything else is a 400, not a database error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


#: the SQLite full-text table over (name, identifier) made by migration 0003 (FTS5 trigram)
CI_SEARCH_TABLE = "cmdb_ci_search"
_SQLITE_TRIGRAM = sqlite3.sqlite_version_info >= (3, 34)


def ci_search_q(text: str, vendor: str) -> Q:
    """What ``?q=`` finds among CIs: the number itself (case-insensitive), or *text* anywhere
    in the name or the identifier (case-insensitive); *text* of 1–2 ASCII characters only at
    the start of the name or the identifier (one or two letters are in most names: a prefix
    keeps the answer meaningful and served by an index), while 1–2 other characters — a
    Chinese word such as 交换 in 核心交换机 — are still found anywhere (a scan: trigrams need
    three characters; issue 14's segmented search will index them). Served by indexes
    (migration 0003): the number's unique index (numbers are upper case), PostgreSQL
    ``pg_trgm`` GIN over ``UPPER(name)``/``UPPER(identifier)`` — the expressions compared
    below — for substrings and prefixes; SQLite FTS5 trigram for substrings (a prefix
    scans)."""
    text = text.strip()
    if not text:
        return Q()
    number = Q(number=text.upper())
    if len(text) < 3 and text.isascii():
        return number | Q(name__istartswith=text) | Q(identifier__istartswith=text)
    if len(text) < 3:  # a Chinese word is often two characters: found anywhere, unindexed
        return number | Q(name__icontains=text) | Q(identifier__icontains=text)
    if vendor == "sqlite" and _SQLITE_TRIGRAM:
        phrase = '"' + text.replace('"', '""') + '"'
        matching = RawSQL(
            f"SELECT rowid FROM {CI_SEARCH_TABLE} WHERE {CI_SEARCH_TABLE} MATCH %s", (phrase,)
        )
        return number | Q(id__in=matching)
    return number | Q(name__icontains=text) | Q(identifier__icontains=text)


class CIFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    ci_class = CodeChoiceFilter(
        field_name="ci_class",
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
        field_name="customer",
        lookup_expr="isnull",
        method="filter_shared",
        label=_("shared infrastructure"),
    )
    identifier = django_filters.CharFilter(label=_("identifier"))

    class Meta:
        model = ConfigurationItem
        fields = ["q", "ci_class", "status", "criticality", "customer", "shared", "identifier"]

    def search(self, queryset, name, value):
        return queryset.filter(ci_search_q(value, connections[queryset.db].vendor))

    def filter_shared(self, queryset, name, value):
        if value is None:
            return queryset
        if value and self._owned_by_one_customer():
            # a customer's CIs are never shared: answer without asking the database, which
            # would otherwise walk an index looking for rows that cannot exist
            return queryset.none()
        return queryset.filter(customer__isnull=value)

    def _owned_by_one_customer(self) -> bool:
        """Whether the rows are already those of one customer: the customer filter, or a
        customer user's tenancy (``policy.restrict``)."""
        if self.form.cleaned_data.get("customer") is not None:
            return True
        scope = policy.tenant_scope(getattr(self.request, "user", None), ConfigurationItem)
        return scope is not None and scope[0] == "customer"


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
        field_name="type",
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
