"""List pages of the service catalogue (the provider's service list and the category tree) on
the shared record list (``itsm.core.lists``). The customer portal is not a list: it stays in
``views.py``."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors
from itsm.catalog.choices import ServiceMode, ServiceStatus
from itsm.catalog.filtersets import ServiceCategoryFilterSet, ServiceFilterSet
from itsm.catalog.models import Service, ServiceCategory
from itsm.core import policy
from itsm.core.lists import Column, RecordListView


def _mode_labels(service) -> list[str]:
    labels = dict(ServiceMode.choices)
    return [str(labels.get(mode, mode)) for mode in service.modes or ()]


class ServiceList(RecordListView):
    """Provider staff: every service with its status; customers go to their portal."""

    model = Service
    filterset_class = ServiceFilterSet
    template_name = "catalog/service_list.html"
    title = _("Service catalogue")
    empty_text = _("No services found.")
    table_testid = "service-table"
    default_sort = "code"
    columns = (
        Column("code", _("Code"), link="catalog:service_detail", sort="code"),
        Column("name", _("Name"), sort="name"),
        Column(
            "category",
            _("Category"),
            html=lambda s: format_html(
                '<span class="text-secondary">{}</span> {}', s.category.code, s.category.name
            ),
            export=lambda s: f"{s.category.code} {s.category.name}",
            sort="category__code",
        ),
        Column("status", _("Status"), choices=ServiceStatus, sort="status"),
        Column(
            "modes",
            _("Service modes"),
            html=lambda s: format_html_join(
                " ", '<span class="badge bg-azure-lt">{}</span>', ((m,) for m in _mode_labels(s))
            ),
            export=lambda s: ", ".join(_mode_labels(s)),
        ),
        Column("service_hours", _("Service hours"), value="service_hours.name"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("item_count", _("Items")),
        Column("charging_basis", _("Charging basis"), visible=False),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policy.is_provider_staff(request.user):
            return redirect("catalog:portal")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            selectors.visible_services(self.request.user)
            .select_related("category", "owner", "service_hours")
            .annotate(item_count=Count("items", distinct=True))
        )

    def row_attrs(self, row):
        return {"data-service": row.code}


class CategoryList(RecordListView):
    """The category tree: sorted by code (the default) it reads as a tree, two digits a level."""

    model = ServiceCategory
    staff_only = True
    filterset_class = ServiceCategoryFilterSet
    template_name = "catalog/category_list.html"
    title = _("Service categories")
    empty_text = _("No categories yet.")
    table_testid = "category-tree"
    default_sort = "code"
    page_size = 200
    columns = (
        Column(
            "code",
            _("Code"),
            sort="code",
            html=lambda c: format_html(
                '<span class="text-nowrap" style="padding-left: {}.5rem;">{}{}</span>',
                c.code.count("."),
                "└ " if "." in c.code else "",
                c.code,
            ),
        ),
        Column(
            "name",
            _("Name"),
            sort="name",
            html=lambda c: (
                format_html('{}<div class="text-secondary small">{}</div>', c.name, c.description)
                if c.description
                else c.name
            ),
        ),
        Column("description", _("Description"), visible=False),
        Column(
            "service_count",
            _("Services"),
            html=lambda c: format_html(
                '<a href="{}?category={}">{}</a>',
                reverse("catalog:service_list"),
                c.code,
                c.service_count,
            ),
        ),
    )

    def base_queryset(self):
        return ServiceCategory.objects.annotate(service_count=Count("services"))

    def row_attrs(self, row):
        return {"data-code": row.code}

    def row_actions(self, row):
        user = self.request.user
        allowed = {
            f"can_{action}": policy.can(user, ServiceCategory, action)
            for action in ("add", "change", "delete")
        }
        return render_to_string(
            "catalog/_category_actions.html", {"category": row, **allowed}, request=self.request
        )
