"""The one tenancy and permission policy (X-01, X-02).

Every domain model declares a ``policy = ModelPolicy(...)``: which roles may view, add,
change and delete its rows, and which field path leads to the organisation that owns a row.
``restrict(queryset, user, action)`` is the only place that turns those declarations into a
filter; views, the API, search, exports, reports and KPI totals all go through it
(``Model.objects.restrict(user, action)``).

Rules:
- anonymous or inactive users see nothing; superusers see everything;
- a user whose roles do not allow *action* on the model sees nothing for that action;
- provider staff see every row;
- customer users see only rows whose ``tenant_field`` is their organisation; a model without
  a ``tenant_field`` is provider-internal and invisible to them;
- supplier contacts likewise through ``supplier_field``;
- ``external_filter`` (a ``Q``) narrows further what customer and supplier users see of the
  rows of their organisation (e.g. only published services): every reader (pages, history,
  API, search) gets it through ``restrict``, none repeats it;
- ``internal_fields`` are provider-internal fields of rows customers and suppliers may see
  (an agreement's OLA/UC links, an organisation's notes): :func:`sees_internal` says who gets
  them; the API's ``TenancySerializerMixin`` and the ``sees_internal`` template filter apply it;
- ``shared_if_unowned``: rows whose ``tenant_field`` is empty are shared (shared
  infrastructure CIs); customers may know they exist (masked), never view them.

Modules ask these predicates (and :func:`tenant_scope`, :func:`sees_all_tenants`,
:func:`may_view_row`, :func:`is_administrator`) instead of testing the user's organisation
kind themselves.

Pages (``core.generic_views``) answer 403 when :func:`can_reach` is false — the roles do not
allow the action, or the model is provider-internal for the user's organisation — and 404 for
a row outside ``restrict``. The API answers 403 for a missing role, and a provider-internal
model simply has no rows for a customer (an empty list, 404 on an id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from itsm.core.choices import OrganisationKind, Role

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

_QS = TypeVar("_QS", bound="QuerySet[Any]")

ACTIONS = ("view", "add", "change", "delete")


class _Anyone:
    """Marker: any user of an organisation may do the action (tenancy still applies)."""

    def __repr__(self) -> str:
        return "ANYONE"


ANYONE = _Anyone()
STAFF = frozenset(
    r.value
    for r in Role
    if r not in (Role.CUSTOMER_CONTACT, Role.CUSTOMER_USER, Role.SUPPLIER_CONTACT)
)


@dataclass(frozen=True)
class ModelPolicy:
    """Who may do what on a model, and how a row maps to its owning organisation."""

    view: frozenset[str] | _Anyone = ANYONE
    add: frozenset[str] | _Anyone = frozenset()
    change: frozenset[str] | _Anyone = frozenset()
    delete: frozenset[str] | _Anyone = frozenset()
    tenant_field: str | None = None
    supplier_field: str | None = None
    #: a ``Q`` the rows seen by customer and supplier users must also match
    external_filter: Any = None
    #: fields only provider staff receive (OLA/UC links, internal notes, workflow details):
    #: the API leaves them out (``core.api.base.TenancySerializerMixin``), pages and pickers
    #: ask :func:`sees_internal` (templates: ``user|sees_internal:"app.Model"``)
    internal_fields: tuple[str, ...] = ()
    #: rows whose ``tenant_field`` is empty are shared (e.g. shared infrastructure CIs): every
    #: customer and supplier may know they exist — an impact analysis passes through them and
    #: shows them masked — without viewing them (``restrict`` still leaves them out)
    shared_if_unowned: bool = False

    def roles_for(self, action: str) -> frozenset[str] | _Anyone:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return getattr(self, action)


class EditGrants(TypedDict):
    """Roles of the writing actions, to spread into a :class:`ModelPolicy` (``**ADMIN_ONLY``)."""

    add: frozenset[str] | _Anyone
    change: frozenset[str] | _Anyone
    delete: frozenset[str] | _Anyone


ADMIN = frozenset({Role.ADMINISTRATOR.value})
#: The usual shape for reference data: everyone sees it (within tenancy), admins edit it.
ADMIN_ONLY: EditGrants = {"add": ADMIN, "change": ADMIN, "delete": ADMIN}


def policy_for(model: type[Model]) -> ModelPolicy:
    policy = getattr(model, "policy", None)
    if not isinstance(policy, ModelPolicy):
        raise TypeError(
            f"{model.__name__} declares no ModelPolicy; add `policy = ModelPolicy(...)`"
        )
    return policy


def can(user, model: type[Model], action: str) -> bool:
    """Whether *user*'s roles allow *action* on *model* at all (tenancy aside)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.organisation_id is None:
        return False
    allowed = policy_for(model).roles_for(action)
    roles = user.roles
    if Role.ADMINISTRATOR in roles and user.organisation_kind == OrganisationKind.PROVIDER:
        return True
    if allowed is ANYONE:
        return True
    return bool(roles & allowed)


def restrict(queryset: _QS, user, action: str = "view") -> _QS:
    """The rows of *queryset* that *user* may *action* (see module docstring)."""
    model = queryset.model
    if not can(user, model, action):
        return queryset.none()
    if user.is_superuser:
        return queryset
    kind = user.organisation_kind
    policy = policy_for(model)
    if kind == OrganisationKind.PROVIDER:
        return queryset
    if kind == OrganisationKind.CUSTOMER and policy.tenant_field:
        queryset = queryset.filter(**{policy.tenant_field: user.organisation_id})
    elif kind == OrganisationKind.SUPPLIER and policy.supplier_field:
        queryset = queryset.filter(**{policy.supplier_field: user.organisation_id})
    else:
        return queryset.none()
    if policy.external_filter is not None:
        queryset = queryset.filter(policy.external_filter)
    return queryset


def can_reach(user, model: type[Model], action: str = "view") -> bool:
    """Whether ``restrict(model, user, action)`` can hold any row at all: the roles allow
    *action* (:func:`can`) and the model is not provider-internal for the user's organisation
    (a customer needs a ``tenant_field``, a supplier a ``supplier_field``). A page of a model
    the user cannot reach answers 403 whatever the id."""
    if not can(user, model, action):
        return False
    if is_provider_staff(user):
        return True
    model_policy = policy_for(model)
    kind = user.organisation_kind
    if kind == OrganisationKind.CUSTOMER:
        return bool(model_policy.tenant_field)
    if kind == OrganisationKind.SUPPLIER:
        return bool(model_policy.supplier_field)
    return False


def sees_internal(user, model: type[Model]) -> bool:
    """Whether *user* receives *model*'s ``internal_fields`` (and provider-internal details
    of its rows on pages): provider staff only. No user: no (fail closed)."""
    policy_for(model)  # a model without a policy is a programming error, even here
    return is_provider_staff(user)


def internal_fields(user, model: type[Model]) -> tuple[str, ...]:
    """The fields of *model* to leave out for *user* (empty for provider staff)."""
    return () if sees_internal(user, model) else policy_for(model).internal_fields


def may_view_row(user, obj) -> bool:
    """:func:`restrict` evaluated on one loaded row: whether *user* may view *obj* (e.g. the
    other end of a relation). The tenant/supplier field is compared in Python; a model with an
    ``external_filter`` asks the database."""
    model = type(obj)
    if obj is None or not can(user, model, "view"):
        return False
    if is_provider_staff(user):
        return True
    model_policy = policy_for(model)
    kind = user.organisation_kind
    path = {
        OrganisationKind.CUSTOMER: model_policy.tenant_field,
        OrganisationKind.SUPPLIER: model_policy.supplier_field,
    }.get(kind)
    if not path:
        return False
    owner = _owner_id(obj, path)
    if model_policy.external_filter is not None or hasattr(owner, "all"):
        # a Q, or a many-to-many owner (a service's customers): the database decides
        return restrict(model._default_manager.filter(pk=obj.pk), user, "view").exists()
    return owner == user.organisation_id


def _owner_id(obj, path: str):
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    # the foreign key's column when there is one: the related row is not loaded (a default
    # argument would be evaluated first, reading the row — one query per row of a page)
    value = getattr(obj, f"{last}_id", _NO_COLUMN)
    return getattr(obj, last, None) if value is _NO_COLUMN else value


_NO_COLUMN = object()


def tenant_scope(user, model: type[Model]) -> tuple[str, int | None] | None:
    """How :func:`restrict` scopes *model* for *user*, for code that must write the filter
    itself (the impact analysis's recursive SQL): ``None`` when *user* sees every row
    (provider staff), else ``(field path, organisation id)`` — the ``tenant_field`` for a
    customer, the ``supplier_field`` for a supplier (``""`` when the model has none)."""
    if is_provider_staff(user):
        return None
    model_policy = policy_for(model)
    if getattr(user, "organisation_kind", None) == OrganisationKind.SUPPLIER:
        return model_policy.supplier_field or "", user.organisation_id
    return model_policy.tenant_field or "", getattr(user, "organisation_id", None)


def sees_all_tenants(user, model: type[Model]) -> bool:
    """Whether *user* sees the rows of every organisation of *model* (provider staff whose
    roles allow viewing it): pages and APIs offer them a choice of customer, and
    provider-wide figures."""
    return can(user, model, "view") and tenant_scope(user, model) is None


def shared_column(model: type[Model]) -> str | None:
    """The column whose emptiness makes a row of *model* shared (``shared_if_unowned``), for
    raw SQL such as the impact analysis's recursive query; ``None`` when nothing is shared."""
    model_policy = policy_for(model)
    if not (model_policy.shared_if_unowned and model_policy.tenant_field):
        return None
    from django.db.models import Field

    field = model._meta.get_field(model_policy.tenant_field)
    return field.column if isinstance(field, Field) else None


def is_shared(obj) -> bool:
    """Whether *obj* is a shared row (its model's ``shared_if_unowned`` and no owner)."""
    model_policy = policy_for(type(obj))
    return bool(
        model_policy.shared_if_unowned
        and model_policy.tenant_field
        and _owner_id(obj, model_policy.tenant_field) is None
    )


def is_administrator(user) -> bool:
    """Whether *user* administers the platform: a superuser, or a provider user with the
    administrator role (whom :func:`can` allows everything). The people to alert are
    ``core.selectors.administrators()``."""
    return is_provider_staff(user) and (user.is_superuser or Role.ADMINISTRATOR in user.roles)


def is_provider_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.organisation_kind == OrganisationKind.PROVIDER)
    )
