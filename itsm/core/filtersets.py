"""FilterSets of the core models, shared by UI lists and the API, and the base every app's
FilterSets use (:class:`FilterSet`)."""

import copy
import datetime
from collections import OrderedDict
from typing import TYPE_CHECKING, ClassVar

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters.conf import settings as filter_settings
from django_filters.filterset import BaseFilterSet

from itsm.core.choices import OrganisationKind, Role
from itsm.core.compiled import shaped
from itsm.core.lists.choices import kept_choices
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


def drop_internal_filters(filterset, user) -> None:
    """A filter over one of the model's internal fields (``policy.internal_fields``) is
    removed for a user who may not see them — a customer's ``?flapping=true`` on a page or
    the API is then ignored, as an unknown parameter is, and cannot tell which of the
    customer's records carry an internal mark. No user: removed (fail closed).

    :class:`FilterSet` calls it on construction, as it calls :func:`restrict_filter_choices`."""
    from itsm.core import policy

    model = getattr(filterset.queryset, "model", None)
    if model is None or not hasattr(model, "policy"):
        return
    internal = set(policy.internal_fields(user, model))
    if not internal:
        return
    for name, filter_ in list(filterset.filters.items()):
        if (filter_.field_name or "").split("__")[0] in internal:
            del filterset.filters[name]


def _copy_filter(filter_):
    """A FilterSet's own copy of *filter_* (a class-level filter of ``base_filters``): its
    attributes and its ``extra`` (the field's arguments, where django-filter puts the queryset
    of the request), without a form field built earlier; a ``method=`` filter is bound to the
    copy, as django-filter's deep copy binds it."""
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    copied.__dict__.pop("_field", None)
    if filter_.method is not None:
        copied.method = filter_.method  # a FilterMethod of the copy, not of the class's filter
    return copied


#: FilterSet class → its field-less form class, ``None``: django-filter makes the form
_FORM_CLASSES: dict[type, type[forms.Form] | None] = {}


def _field_less_form(filterset_class) -> type[forms.Form] | None:
    if filterset_class not in _FORM_CLASSES:
        form_class = filterset_class._meta.form
        own = filterset_class.get_form_class is not BaseFilterSet.get_form_class
        usable = not own and not form_class.base_fields
        _FORM_CLASSES[filterset_class] = (
            type(f"{filterset_class.__name__}Form", (form_class,), {}) if usable else None
        )
    return _FORM_CLASSES[filterset_class]


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: yes/no filters offer “Any / Yes / No” with “Any” as the
    default, and single-choice filters start at “Any” instead of a dashed line. Labels are set
    explicitly where django-filter would derive an awkward one from a
    field path (``role_assignments__role`` → “Role assignments role”). Model-choice filters
    list only the rows the requesting user may view (:func:`restrict_filter_choices`)."""

    if TYPE_CHECKING:
        _meta: ClassVar[FilterSetOptions]  # set by django-filter's metaclass

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        model = self._meta.model
        if queryset is None and model is not None:
            queryset = model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        # django-filter deep-copies every filter (their choices and querysets with them) for
        # each FilterSet; a filter's own state is its attributes and its ``extra`` dict, which
        # is all that a FilterSet changes (the queryset, the field built from it), so a copy
        # of those is enough (issue 10: the deep copy was a tenth of a list request's filtering)
        self.filters = OrderedDict(
            (name, _copy_filter(filter_)) for name, filter_ in self.base_filters.items()
        )
        for filter_ in self.filters.values():
            # what django-filter gives each filter (its stubs do not declare them)
            filter_.__dict__.update(model=queryset.model, parent=self)
        restrict_filter_choices(self, getattr(request, "user", None))
        drop_internal_filters(self, getattr(request, "user", None))

    @property
    def form(self):
        """django-filter's form, without making a form class per request: the fields are
        those of this FilterSet's own filters (built for this request, never shared), set
        on an instance of one field-less form class per FilterSet class — instead of a new
        class whose fields Django's form then deep-copies (issue 10). A FilterSet that makes
        its own form class (``get_form_class``) or declares form fields keeps
        django-filter's way."""
        if not hasattr(self, "_form"):
            form_class = _field_less_form(type(self))
            if form_class is None:
                return super().form
            if self.is_bound:
                form = form_class(self.data, prefix=self.form_prefix)
            else:
                form = form_class(prefix=self.form_prefix)
            form.fields = {name: filter_.field for name, filter_ in self.filters.items()}
            self._form = form
        return self._form

    @property
    def qs(self):
        """django-filter's filtered rows, their statements compiled once per shape
        (``core.compiled.shaped``): a list's page, its count — HTML and API alike."""
        shaped_rows = self.__dict__.get("_shaped_qs")
        if shaped_rows is None:
            shaped_rows = self._shaped_qs = shaped(super().qs)
        return shaped_rows

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
            elif isinstance(filter_, django_filters.IsoDateTimeFilter):
                filter_.field_class = UtcIsoDateTimeField
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


def _key_field(field):
    """The model field a model-choice *field*'s values name (``to_field_name`` or the key)."""
    opts = field.queryset.model._meta
    return opts.get_field(field.to_field_name) if field.to_field_name else opts.pk


def _known_row(queryset, pk):
    """The row *pk* of *queryset*'s model, its other columns deferred (read if used)."""
    model = queryset.model
    return model.from_db(queryset.db, [model._meta.pk.attname], [pk])


class KeptModelChoiceField(filter_fields.ModelChoiceField):
    """django-filter's model-choice field, checking a value against the choices kept per
    process (``core.lists.choices.kept_choices``) instead of a query per request — the same
    answers and errors as ``queryset.get(key=value)``: the row (its key only, the other
    columns deferred) or “Select a valid choice”. Not kept (in a transaction, or a query
    those choices do not keep): Django's query."""

    def to_python(self, value):
        special = value in self.empty_values or isinstance(value, Model)  # Django's way
        kept = None if special or self.null_label is not None else kept_choices(self)
        if kept is None:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        try:
            pk = kept[1].get(_key_field(self).get_prep_value(value))
        except (ValueError, TypeError):
            pk = None
        if pk is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return _known_row(self.queryset, pk)


class KeptModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    """django-filter's multiple model-choice field, checking the values against the choices
    kept per process like :class:`KeptModelChoiceField`: the same errors as Django's
    ``_check_values`` (a value of the wrong type, a value no row has) and the rows (their key
    only) in the choices' order."""

    def _check_values(self, value):
        kept = kept_choices(self) if self.null_label is None else None
        if kept is None:  # django-stubs do not declare the private method
            return super()._check_values(value)  # type: ignore[misc]
        try:
            values = frozenset(value)
        except TypeError as error:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from error
        key_field, keys = _key_field(self), kept[1]
        prepared = set()
        for pk in values:
            self.validate_no_null_characters(pk)
            try:
                prepared.add(key_field.get_prep_value(pk))
            except (ValueError, TypeError) as error:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from error
        # as Django: the rows whose key is among the values, then each value by its text
        found = [key for key in keys if key in prepared]
        texts = {str(key) for key in found}
        for val in values:
            if str(val) not in texts:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": val},
                )
        return [_known_row(self.queryset, keys[key]) for key in found]


class UtcIsoDateTimeField(filter_fields.IsoDateTimeField):
    """django-filter's ISO 8601 field, its value in UTC: a database takes any instant, but
    not any offset (PostgreSQL refuses ``-22:12``, which ISO 8601 allows) nor an instant
    outside years 1-9999 once in UTC — both answer “Enter a valid date/time”, not a 500."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): anything else is a 400, not a database error."""

    # django-filter's stubs allow only NumberFilter's DecimalField here
    field_class = forms.IntegerField  # type: ignore[assignment]


class CustomerFilter(django_filters.ModelChoiceFilter):
    """A ``customer`` filter over :func:`visible_customers` (django-filter calls it with the
    request; its stubs do not know that a queryset may be a callable)."""

    field_class = KeptModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", visible_customers)
        kwargs.setdefault("label", _("customer"))
        super().__init__(*args, **kwargs)


class SupplierFilter(django_filters.ModelChoiceFilter):
    """A ``supplier`` filter over :func:`visible_suppliers` (like :class:`CustomerFilter`)."""

    field_class = KeptModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", visible_suppliers)
        kwargs.setdefault("label", _("supplier"))
        super().__init__(*args, **kwargs)
