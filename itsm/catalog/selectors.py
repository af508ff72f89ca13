"""Reads of the service catalogue: what is published, for whom, and the portal's tree.

Only published services can be requested or put in an agreement (R-CAT-02); customer users
see only the published services whose ``customers`` include their organisation (R-CAT-05).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from itsm.catalog import orderforms
from itsm.catalog.choices import ServiceStatus
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core import stamps


def is_published(service: Service) -> bool:
    """Whether *service* may be requested or put in an agreement."""
    return service is not None and service.status == ServiceStatus.PUBLISHED


def published_services(*, customer=None) -> QuerySet:
    """Published services, optionally only those offered to *customer* (an organisation)."""
    queryset = Service.objects.filter(status=ServiceStatus.PUBLISHED)
    if customer is not None:
        queryset = queryset.filter(customers=customer)
    return queryset.order_by("code")


def is_offered(service, customer) -> bool:
    """Whether *service* is published and offered to *customer*: the published services of
    each customer read once per process until the catalogue changes (``core.stamps``)."""
    offered = stamps.memo(
        ("catalog.services",),
        ("offered", customer.pk),
        lambda: frozenset(published_services(customer=customer).values_list("pk", flat=True)),
    )
    return service.pk in offered


def visible_services(user, action: str = "view") -> QuerySet:
    """The services *user* may see: provider staff all statuses (within their roles),
    everybody else only published ones of their own organisation (``Service.policy``'s
    ``external_filter``)."""
    return Service.objects.restrict(user, action)


def all_services() -> QuerySet:
    """Every service, unrestricted: for a field's placeholder (``.none()``) and rows that
    another app narrows itself (e.g. the services its agreements cover)."""
    return Service.objects.all()


def visible_items(user, action: str = "view") -> QuerySet:
    """Service items of the services *user* may see (same rule as ``visible_services``)."""
    return ServiceItem.objects.restrict(user, action)


@dataclass
class CategoryNode:
    """A category of the portal tree with its visible services and sub-categories."""

    category: ServiceCategory
    services: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.category.code.count(".")

    @property
    def service_count(self) -> int:
        return len(self.services) + sum(child.service_count for child in self.children)


def catalogue_tree(*, user, customer=None) -> list[CategoryNode]:
    """Categories holding services *user* may see, as a tree (roots first, by code).

    Customer users get their published catalogue; provider staff get the published
    catalogue of *customer* if given, else every published service. Categories without a
    visible service (in them or below) are left out. Three queries whatever the size.
    """
    services = visible_services(user).filter(status=ServiceStatus.PUBLISHED)
    if customer is not None:
        services = services.filter(customers=customer)
    rows = list(
        services.select_related("service_hours", "owner", "category")
        .prefetch_related(Prefetch("items", queryset=ServiceItem.objects.order_by("order", "code")))
        .order_by("code")
    )
    if not rows:
        return []
    codes: set[str] = set()
    for service in rows:
        parts = service.category.code.split(".")
        codes.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    nodes = {
        category.code: CategoryNode(category)
        for category in ServiceCategory.objects.filter(code__in=codes).order_by("code")
    }
    for service in rows:
        nodes[service.category.code].services.append(service)
    roots: list[CategoryNode] = []
    for code, node in nodes.items():  # ordered by code: parents come before children
        parent = nodes.get(code.rpartition(".")[0]) if "." in code else None
        (parent.children if parent else roots).append(node)
    return roots


# --- ordering from the portal (the desk reads these) ------------------------------------------

#: the order-form field types and how a field's label and an answer are shown
ORDER_FIELD_TYPES = orderforms.FIELD_TYPES
order_field_label = orderforms.field_label
shown_order_answer = orderforms.shown_answer


def orderable_items(user, *, customer=None) -> QuerySet:
    """Service items *user* may order: their service is published and, for a customer user
    (or the given *customer*), offered to that organisation. Other items are not found."""
    items = visible_items(user).filter(service__status=ServiceStatus.PUBLISHED)
    if customer is not None:
        items = items.filter(service__customers=customer)
    return items.select_related("service")
