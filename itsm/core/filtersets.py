"""FilterSets of the core models, shared by UI lists and the API, and the base every app's
FilterSets use (:class:`FilterSet`)."""

from typing import TYPE_CHECKING, ClassVar

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings

from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation, Team, User
from itsm.core.selectors import visible_organisations

EMPTY_CHOICE_LABEL = filter_settings.EMPTY_CHOICE_LABEL

if TYPE_CHECKING:
    from django_filters.filterset import FilterSetOptions


class AnyBooleanSelect(forms.NullBooleanSelect):
    """A yes/no filter: “Any” (the default: no filtering), “Yes” or “No”. It reads the same
    values as Django's ``NullBooleanSelect`` (``true``/``false``, ``True``/``False``, ``2``/``3``),
    so links and API calls keep working; only the empty choice is “Any”, not “Unknown”."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value):
        value = super().format_value(value)
        return "" if value == "unknown" else value


SINGLE_CHOICE = django_filters.ChoiceFilter | django_filters.ModelChoiceFilter


def _verbose_name(model, field_name: str | None):
    """The (lazy) verbose name of *model*'s field *field_name*, or ``None``."""
    if model is None or not field_name or "__" in field_name:
        return None
    try:
        return model._meta.get_field(field_name).verbose_name
    except (FieldDoesNotExist, AttributeError):
        return None


def _crosses_to_many(model, field_name: str | None) -> bool:
    """Whether the lookup path *field_name* of *model* crosses a to-many relation (a
    many-to-many field or a reverse foreign key) — only then can a filter repeat rows."""
    if model is None or not field_name:
        return True
    for depth, part in enumerate(field_name.split("__")):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            # a lookup or transform after a field (``date__year``): the path ended; no field
            # at all (a ``method=`` filter named freely): unknown, keep DISTINCT
            return depth == 0
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def restrict_filter_choices(filterset, user) -> None:
    """THE filter-choice helper for tenancy: every model-choice filter of *filterset* (a
    ``ModelChoiceFilter``/``ModelMultipleChoiceFilter`` with a queryset) offers and accepts
    only the rows *user* may view (``policy.restrict(queryset, user, "view")``), so a filter
    never lists another customer's organisation or CI and another customer's id answers 400.
    No user: no rows (fail closed). Callable querysets (``queryset=visible_customers``) get
    the request themselves and are left as they are.

    :class:`FilterSet` calls it on construction with the request's user, so every FilterSet
    deriving from it — UI lists (``core.lists.RecordListView``) and API viewsets
    (django-filter's backend passes the request) — is covered; a view building a FilterSet
    that does not derive from it calls this function itself."""
    from itsm.core import policy

    for filter_ in filterset.filters.values():
        queryset = getattr(filter_, "queryset", None)
        model = getattr(queryset, "model", None)
        if queryset is not None and model is not None and hasattr(model, "policy"):
            filter_.queryset = policy.restrict(queryset, user, "view")


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: yes/no filters offer “Any / Yes / No” with “Any” as the
    default, and single-choice filters start at “Any” instead of a dashed line. Labels are set
    explicitly where django-filter would derive an awkward one from a
    field path (``role_assignments__role`` → “Role assignments role”). Model-choice filters
    list only the rows the requesting user may view (:func:`restrict_filter_choices`)."""

    if TYPE_CHECKING:
        _meta: ClassVar[FilterSetOptions]  # set by django-filter's metaclass

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        restrict_filter_choices(self, getattr(request, "user", None))

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for filter_ in filters.values():
            # an unset label is None in _label (the label property derives one when read)
            if filter_._label is None:  # type: ignore[attr-defined]
                # django-filter derives the label once, in the language active at that moment,
                # and keeps it: give it the field's lazy verbose name instead (read per request)
                verbose = _verbose_name(cls._meta.model, filter_.field_name)
                if verbose is not None:
                    filter_.label = capfirst(verbose)
            if getattr(filter_, "distinct", False) and not _crosses_to_many(
                cls._meta.model, filter_.field_name
            ):
                # django-filter's multiple-choice filters add DISTINCT by default, which makes
                # the database sort every matching row; over columns of the row itself (or
                # to-one relations) a row cannot repeat, so it is only cost (issue 10)
                filter_.distinct = False
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra.setdefault("widget", AnyBooleanSelect)
            elif isinstance(
                filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter
            ):
                # a model-choice filter's constructor already set django-filter's dashed line
                if filter_.extra.get("empty_label", EMPTY_CHOICE_LABEL) == EMPTY_CHOICE_LABEL:
                    filter_.extra["empty_label"] = _("Any")
        return filters


class OrganisationFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind", "is_active", "code"]


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="username", lookup_expr="icontains")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="role_assignments__role", label=_("role")
    )

    class Meta:
        model = User
        fields = ["organisation", "is_active", "username"]


class TeamFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Team
        fields = ["is_active", "code", "members"]


def visible_customers(request):
    """Queryset for a ``customer`` filter: the customer organisations the requesting user may
    see (a customer user: only their own), so a filter never lists other customers and
    another customer's id answers 400."""
    return visible_organisations(getattr(request, "user", None), OrganisationKind.CUSTOMER)


def visible_suppliers(request):
    """Queryset for a ``supplier`` filter: the supplier organisations the requesting user may
    see (provider staff: all; a supplier contact: their own; a customer: none)."""
    return visible_organisations(getattr(request, "user", None), OrganisationKind.SUPPLIER)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): anything else is a 400, not a database error."""

    # django-filter's stubs allow only NumberFilter's DecimalField here
    field_class = forms.IntegerField  # type: ignore[assignment]


class CustomerFilter(django_filters.ModelChoiceFilter):
    """A ``customer`` filter over :func:`visible_customers` (django-filter calls it with the
    request; its stubs do not know that a queryset may be a callable)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", visible_customers)
        kwargs.setdefault("label", _("customer"))
        super().__init__(*args, **kwargs)


class SupplierFilter(django_filters.ModelChoiceFilter):
    """A ``supplier`` filter over :func:`visible_suppliers` (like :class:`CustomerFilter`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", visible_suppliers)
        kwargs.setdefault("label", _("supplier"))
        super().__init__(*args, **kwargs)
