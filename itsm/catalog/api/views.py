"""Service-catalogue API: categories, services (with lifecycle transitions) and items.

Writes go through ``itsm.catalog.services``. Customer users see only the published services
offered to their organisation (and their items); any other id answers 404.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch

from itsm.catalog import selectors, services
from itsm.catalog.api.serializers import (
    ServiceCategorySerializer,
    ServiceItemSerializer,
    ServiceSerializer,
    ServiceTransitionSerializer,
)
from itsm.catalog.filtersets import (
    ServiceCategoryFilterSet,
    ServiceFilterSet,
    ServiceItemFilterSet,
)
from itsm.catalog.lists import CategoryList, ServiceList
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.api.base import DomainViewSet, TransitionMixin


class ServiceCategoryViewSet(DomainViewSet):
    """Hierarchical service categories (服务分类与编码); codes like ``01.02``."""

    queryset = ServiceCategory.objects.all()
    list_view = CategoryList  # ?sort= takes its list page's sortable columns
    serializer_class = ServiceCategorySerializer
    filterset_class = ServiceCategoryFilterSet

    def create_record(self, data, *, by):
        return services.create_category(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_category(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_category(instance, by=by)


_ITEMS = Prefetch("items", queryset=ServiceItem.objects.order_by("order", "code"))


class ServiceViewSet(TransitionMixin, DomainViewSet):
    """Catalogue services. ``POST …/{id}/transition/`` with ``to``: ``in_review`` (submit),
    ``published`` (publish), ``draft`` (return to draft, note required) or ``retired``."""

    queryset = Service.objects.select_related("category").prefetch_related(
        "customers", "linked_cis", _ITEMS
    )
    list_view = ServiceList  # ?sort= takes its list page's sortable columns
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    transition_serializer_class = ServiceTransitionSerializer

    def get_queryset(self):
        queryset = selectors.visible_services(self.request.user)
        return queryset.select_related("category").prefetch_related(
            "customers", "linked_cis", _ITEMS
        )

    def create_record(self, data, *, by):
        return services.create_service(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            services.update_service(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self.get_queryset().get(pk=instance.pk)

    def delete_record(self, instance, *, by):
        services.delete_service(instance, by=by)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.transition_service(
            obj, to=to, by=self.request.user, note=note, expected_version=expected_version
        )
        return self.get_queryset().get(pk=obj.pk)


class ServiceItemViewSet(DomainViewSet):
    """Service items (服务项) of the catalogue's services."""

    queryset = ServiceItem.objects.select_related("service")
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet

    def get_queryset(self):
        return selectors.visible_items(self.request.user).select_related("service")

    def create_record(self, data, *, by):
        return services.add_item(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        data.pop("service", None)
        return services.update_item(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.remove_item(instance, by=by)
