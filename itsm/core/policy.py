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
- supplier contacts likewise through ``supplier_field``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsm.core.choices import OrganisationKind, Role

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

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

    def roles_for(self, action: str) -> frozenset[str] | _Anyone:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        return getattr(self, action)


ADMIN = frozenset({Role.ADMINISTRATOR.value})
#: The usual shape for reference data: everyone sees it (within tenancy), admins edit it.
ADMIN_ONLY = {"add": ADMIN, "change": ADMIN, "delete": ADMIN}


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


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
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
        return queryset.filter(**{policy.tenant_field: user.organisation_id})
    if kind == OrganisationKind.SUPPLIER and policy.supplier_field:
        return queryset.filter(**{policy.supplier_field: user.organisation_id})
    return queryset.none()


def is_provider_staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.organisation_kind == OrganisationKind.PROVIDER)
    )
