"""Base classes every domain API uses: a viewset is a queryset + serializer + filterset +
the service functions that write (DESIGN rule 1)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.fields import SkipField, empty
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.utils.serializer_helpers import BindingDict

from itsm.core import policy, services
from itsm.core.api.idempotency import IdempotentCreateMixin
from itsm.core.api.reading import read_plan, represent, shared_plan
from itsm.core.compiled import get_by_pk
from itsm.core.errors import ValidationFailed
from itsm.core.timeline import history_for

#: largest value of a 64-bit primary key; larger ids are refused before they reach the database
MAX_ID = 2**63 - 1


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id outside 1…2⁶³−1 is "does not exist" (400), not a database overflow (500)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < number <= MAX_ID or str(number) != str(data).strip():
            self.fail("does_not_exist", pk_value=data)
        if self.pk_field is not None:
            return super().to_internal_value(number)
        try:  # DRF's queryset.get(pk=…), its SQL compiled once for a whole table (issue 10)
            return get_by_pk(self.get_queryset(), number)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", pk_value=number)


class CodeRelatedField(serializers.SlugRelatedField):
    """A related row named by a code (``slug_field``). A value PostgreSQL cannot compare —
    text holding a NUL character — is "does not exist" (400), not a database error (500);
    DRF's own ``CharField`` refuses it likewise."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


if TYPE_CHECKING:
    _SerializerBase = serializers.ModelSerializer
    _ViewSetBase = viewsets.GenericViewSet
else:
    _SerializerBase = _ViewSetBase = object


class FieldsOnDemand(BindingDict):
    """A serializer's fields, copied and bound one by one as they are read: it starts with the
    class's fields (``built``), in order, each replaced by ``copy(field)`` (the serializer's
    ``_own_copy``) at its first read. Iterating over the values makes them all.

    ``candidates(names)``: the fields that may be among the serializer's writable (or
    defaulted read-only) ones — those the class lists in *names*, and any field this instance
    added or already copied (it may have changed it) — without copying the others."""

    def __init__(self, serializer, built: dict, copy: Callable):
        super().__init__(serializer)
        self.fields = dict(built)  # the class's own field: not copied yet
        self.built, self.copy = built, copy

    def __getitem__(self, key):
        field = self.fields[key]
        if field is self.built.get(key):
            field = self.copy(field)
            self[key] = field  # BindingDict binds it
        return field

    def candidates(self, names: frozenset[str]):
        for name, field in self.fields.items():
            if name in names or field is not self.built.get(name):
                yield self[name]


class TenancySerializerMixin(_SerializerBase):
    """Tenancy at the edge of every serializer — the one implementation (X-01):

    * a writable related field chooses only among the rows the user may view
      (``restrict(user, "view")``): a customer cannot point a record at another customer's
      organisation or CI (unknown ids answer 400 "does not exist");
    * the model's ``policy.internal_fields`` are left out of the answer, and ignored in the
      input, for a user who may not see them (``policy.sees_internal``);
    * without a request (or user) it fails closed: no related rows, no internal fields.
    """

    #: the fields ``ModelSerializer.get_fields`` builds, per class (see ``_built_once``), the
    #: names of those that are not read-only …
    _fields_built_once: dict
    _writable_once: frozenset[str]
    #: … of the writable ones that answer when absent from the input (required: an error;
    #: with a default: the default) …
    _answering_once: frozenset[str]
    #: … and of those that are read-only with a default
    _defaulted_once: frozenset[str]
    #: the validators ``ModelSerializer.get_validators`` builds, per class
    _validators_built_once: list

    def _tenancy_user(self):
        return getattr(self.context.get("request"), "user", None)

    @cached_property
    def fields(self):
        """The serializer's fields, each copied from the class's (``_built_once``), narrowed
        (``_narrow``) and bound when first read (``FieldsOnDemand``): a create validates its
        writable fields and answers through the read plan, so the read-only ones — 29 of a
        ticket's 48 — are never copied. A class with its own ``get_fields`` gets DRF's
        fields, built from it."""
        if type(self).get_fields is not TenancySerializerMixin.get_fields:
            return super().fields
        return FieldsOnDemand(self, self._built_once(), self._own_copy)

    @property
    def _writable_fields(self):
        fields = self.fields
        if not isinstance(fields, FieldsOnDemand):
            yield from super()._writable_fields
            return
        names = type(self)._writable_once
        given = self.__dict__.get("_given")
        if given is not None:
            # a field absent from a JSON body, neither required nor defaulted, is skipped by
            # DRF (``SkipField``) without being changed: it need not be copied and narrowed
            names = (names & given) | type(self)._answering_once
        for field in fields.candidates(names):
            if not field.read_only:
                yield field

    def get_fields(self):
        return {name: self._own_copy(field) for name, field in self._built_once().items()}

    def _own_copy(self, field: serializers.Field) -> serializers.Field:
        """This instance's copy of the class's *field*, narrowed to the user's rows."""
        field = _fresh_copy(field)
        self._narrow(field)
        return field

    def _narrow(self, field: serializers.Field) -> None:
        """A writable related field chooses only among the rows the user may view."""
        target: Any = getattr(field, "child_relation", field)  # a related field, duck-typed
        queryset = getattr(target, "queryset", None)
        if field.read_only or queryset is None or not hasattr(queryset.model, "policy"):
            return
        target.queryset = policy.restrict(queryset, self._tenancy_user(), "view")

    def _built_once(self) -> dict:
        """``super().get_fields()`` built once per serializer class; each instance copies
        them (``_fresh_copy``): a ModelSerializer's fields depend only on its class (``Meta``,
        declared fields), and building them — model introspection per field — cost a create
        or a page more than copying them."""
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
            cls._writable_once = frozenset(
                name for name, field in built.items() if not field.read_only
            )
            cls._answering_once = frozenset(
                name
                for name in cls._writable_once
                if built[name].required or built[name].default is not empty
            )
            cls._defaulted_once = frozenset(
                name
                for name, field in built.items()
                if field.read_only and field.default is not empty
            )
        return built

    def _read_only_defaults(self):
        """DRF's defaults of the read-only fields (its validators see them), made from the
        fields that can have one instead of every field (``FieldsOnDemand``)."""
        fields = self.fields
        if not isinstance(fields, FieldsOnDemand):
            return super()._read_only_defaults()
        defaults = {}
        for field in fields.candidates(type(self)._defaulted_once):
            if not field.read_only or field.default is empty:
                continue
            if field.source == "*" or "." in field.source:
                continue
            try:
                defaults[field.source] = field.get_default()
            except SkipField:
                continue
        return defaults

    def get_validators(self):
        """DRF's validators of the serializer (its model's unique-together and unique-for-date
        rules over the writable fields), worked out once per class: they depend only on the
        class's ``Meta`` and fields, and DRF's validators take the serializer as their context
        at each call (``requires_context``), so one list serves every instance. Working them
        out again cost each create more than running them."""
        cls = type(self)
        validators = cls.__dict__.get("_validators_built_once")
        if validators is None:
            validators = super().get_validators()
            cls._validators_built_once = validators
        return list(validators)

    def _hidden(self) -> tuple[str, ...]:
        model = getattr(getattr(self, "Meta", None), "model", None)
        if model is None or not hasattr(model, "policy"):
            return ()
        return policy.internal_fields(self._tenancy_user(), model)

    def to_internal_value(self, data):
        hidden = self._hidden()
        if hidden and hasattr(data, "copy") and hasattr(data, "pop"):
            data = data.copy()  # a dict or a QueryDict (multipart), kept as it came
            for name in hidden:
                data.pop(name, None)
        # while validating it, the names a JSON body gives (``_writable_fields``); a form's
        # absent fields can still answer (an unchecked box is False): all are validated
        self._given = (
            frozenset(data) if isinstance(data, dict) and not html.is_html_input(data) else None
        )
        try:
            return super().to_internal_value(data)
        finally:
            self._given = None  # elsewhere (DRF's unique-together validators) every field

    def to_representation(self, instance):
        """DRF's representation without the hidden fields, read by a plan worked out once
        per serializer (``core/api/reading.py``: a list's rows share one), not field by
        field through DRF's generic attribute walk."""
        model = getattr(getattr(self, "Meta", None), "model", None)
        if model is None or not isinstance(instance, model):
            data = super().to_representation(instance)
            for name in self._hidden():
                data.pop(name, None)
            return data
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            hidden = tuple(self._hidden())
            plan = shared_plan(self, hidden, standard=_STANDARD_FIELDS)
            if plan is None:
                plan = read_plan(self, hidden=hidden)
            self._read_plan = plan
        return represent(instance, plan)


def _fresh_copy(field: serializers.Field) -> serializers.Field:
    """An unbound copy of a field built once per class, for one serializer instance.

    A field without inner fields is copied shallowly: binding it to the instance
    (``Field.bind``) and the tenancy's ``queryset`` set the copy's own attributes, and nothing
    changes what it shares with the original (its arguments, validators, choices). DRF's deep
    copy — the field built again from its arguments, a related field's queryset copied —
    made a third of a create's serializer time. A field holding others (a list's ``child``, a
    many-related field's ``child_relation``, a nested serializer) is deep-copied, as DRF
    does: its inner fields are bound to it, and the tenancy narrows their querysets.

    The shallow copy is ``copy.copy``'s result (a new instance holding the same attributes)
    made directly: ``copy.copy`` goes through the generic reduce protocol (``__reduce_ex__``,
    ``copyreg.__newobj__``, DRF's ``Field.__new__``), 5 % of a ticket's create through the API
    for its 48 fields (instructions counted by callgrind, 17.50 → 16.66 million)."""
    inner = hasattr(field, "child") or hasattr(field, "child_relation")
    if inner or isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    twin = object.__new__(type(field))
    twin.__dict__.update(field.__dict__)
    return twin


#: classes whose ``get_fields`` builds fields the same way for every instance
_STANDARD_FIELDS = (TenancySerializerMixin,)


class DomainSerializer(TenancySerializerMixin, serializers.ModelSerializer):
    """Model serializer with the ``version`` column used for optimistic concurrency.

    ``version`` is read on GET and must be sent back on PUT/PATCH (or as ``If-Match``): an
    edit based on an older version answers 409 instead of overwriting someone else's change.
    Tenancy (related-field choices, internal fields) comes from :class:`TenancySerializerMixin`.
    """

    serializer_related_field = BoundedPrimaryKeyRelatedField

    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

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
    # an API field named "label": DRF takes declared fields off the class (no Field.label clash)
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The verb's label in the reader's language."
    )
    changes = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[field label, old value, new value], values shown as in the UI "
        "(choice labels, related records' names, local times).",
    )
    note = serializers.CharField()


class DomainViewSet(IdempotentCreateMixin, viewsets.ModelViewSet):
    """CRUD through services, tenancy through ``restrict``, history read-only.

    Subclasses set ``queryset``, ``serializer_class``, ``filterset_class`` (and ``list_view``,
    the HTML list whose sorts the API list offers) and implement ``create_record(data, by)``.
    Updates exist only where the subclass implements ``update_fields(instance, data,
    expected_version=…)`` by calling its app's ``update_*`` service (which refuses unknown
    fields, bumps ``version``, names the actor in the field history and writes a timeline
    row); without it PUT/PATCH are not offered and answer 405 ``method_not_allowed``. Deletes
    are refused unless ``delete_record`` is implemented.
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    #: the record's HTML list (a ``core.lists.RecordListView``): the list's ``?sort=`` takes
    #: its sortable columns (``core.api.pagination.KeysetPagination``); ``None``: ``id`` only
    list_view: type | None = None
    #: the policy action an extra ``@action`` checks (``@action(..., policy_action="change")``);
    #: ``None``: derived from the HTTP method (see ``core.api.permissions``)
    policy_action: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.update_fields is DomainViewSet.update_fields:
            # no service-backed update: PUT/PATCH are not offered (405, absent from OpenAPI)
            cls.http_method_names = [m for m in cls.http_method_names if m not in ("put", "patch")]

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")

    def get_object(self):
        # ids are 64-bit integers: anything else answers 404 without reaching the database
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if self.lookup_field == "pk" and not (value.isdigit() and 0 < int(value) <= MAX_ID):
            raise NotFound()
        return super().get_object()

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
            raise ValidationFailed(
                fields={
                    "version": [
                        str(_("Send the version you edited (field “version” or If-Match header)."))
                    ]
                }
            )
        serializer.instance = self.update_fields(
            serializer.instance, data, expected_version=expected
        )

    def update_fields(self, instance, data: dict, *, expected_version: int):
        """Apply a validated PUT/PATCH through the app's ``update_*`` service and return the
        record. Abstract: a viewset without it offers no update (see the class docstring)."""
        raise MethodNotAllowed(str(self.request.method))

    def perform_destroy(self, instance):
        self.delete_record(instance, by=self.request.user)

    def delete_record(self, instance, *, by):
        raise ValidationFailed(
            _("Records of this kind cannot be deleted; retire them instead."),
            code="delete_not_allowed",
        )

    @extend_schema(responses=HistoryItemSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Field changes and timeline events of the record, oldest first (read-only)."""
        obj = self.get_object()
        items = [
            {
                "at": item.at,
                "actor": str(item.actor) if item.actor else None,
                "kind": item.kind,
                "verb": item.verb,
                "label": item.label,
                "changes": [list(c) for c in item.changes],
                "note": item.note,
            }
            for item in history_for(obj)
        ]
        return Response(HistoryItemSerializer(items, many=True).data)


class TransitionSerializer(serializers.Serializer):
    """Body of ``POST …/{id}/transition/``: target status, the version the client saw, a note.

    A record kind subclasses it to declare ``to`` as a ``ChoiceField`` of its statuses and the
    fields its transitions may require (they are set on the record before the check).
    """

    to: serializers.Field = serializers.CharField()
    version = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionMixin(_ViewSetBase):
    """Adds ``POST …/{id}/transition/`` driven by the model's declared ``state_machine``.

    Answers: 200 with the record; 422 ``invalid_transition`` for a move the map lacks; 403 when
    the user's roles may not make it; 400 naming empty required fields; 409 on a stale version.
    Set ``transition_serializer_class`` to a ``TransitionSerializer`` subclass.
    """

    transition_serializer_class: type[TransitionSerializer] = TransitionSerializer

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # document each subclass's own request/response bodies in OpenAPI
        extend_schema_view(
            transition=extend_schema(
                request=cls.transition_serializer_class,
                responses=getattr(cls, "serializer_class", None),
            )
        )(cls)

    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def transition(self, request, pk=None):
        """Move the record to another status through its declared state machine."""
        obj = self.get_object()
        body = self.transition_serializer_class(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        obj = self.perform_transition(
            obj,
            to=data.pop("to"),
            expected_version=data.pop("version"),
            note=data.pop("note", ""),
            fields=data,
        )
        return Response(self.get_serializer(obj).data)

    def perform_transition(self, obj, *, to: str, expected_version: int, note: str, fields: dict):
        return services.transition(
            obj, to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
