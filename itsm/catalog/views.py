"""Pages of the service catalogue: the provider's service list, detail (lifecycle buttons,
who/when of each step), forms, the category tree, and the customer portal (服务目录).

Customer users only ever see the published services offered to their organisation: the
service list sends them to the portal, and any other service id answers 404.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.catalog import selectors, services
from itsm.catalog.choices import ServiceMode, ServiceStatus
from itsm.catalog.forms import (
    CategoryEditForm,
    CategoryForm,
    ItemEditForm,
    ItemForm,
    ServiceEditForm,
    ServiceForm,
    TransitionForm,
)
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core import policy
from itsm.core.form_views import (
    StatusTransitionView,
    action_post,
    changed_values,
    delete_draft_post,
    form_page,
    four_eyes_transitions,
    save_versioned_edit,
)
from itsm.core.formatting import field_label
from itsm.core.generic_views import get_restricted_or_404, record_context, require_can
from itsm.core.models import Organisation

_ITEMS = Prefetch("items", queryset=ServiceItem.objects.order_by("order", "code"))
SERVICE_FORM_FIELDS = (
    "code",
    "name",
    "category",
    "description",
    "owner",
    "modes",
    "service_hours",
    "charging_basis",
    "price",
    "price_note",
    "business_ci",
)


def _mode_labels(service) -> list[str]:
    labels = dict(ServiceMode.choices)
    return [str(labels.get(m, m)) for m in service.modes]


# --- services -------------------------------------------------------------------------------


def _service_or_404(request, pk: int, action: str) -> Service:
    """The service *pk* if the user sees it (customers: published and theirs; else 404) and
    may *action* it (else 403)."""
    return get_restricted_or_404(
        request,
        Service,
        pk,
        action,
        queryset=selectors.visible_services(request.user),
        visible_first=True,
    )


@login_required
def service_detail(request, pk: int):
    queryset = (
        selectors.visible_services(request.user)
        .select_related(
            "category",
            "owner",
            "service_hours",
            "business_ci",
            "submitted_by",
            "reviewed_by",
            "published_by",
            "retired_by",
        )
        .prefetch_related("customers", "linked_cis", _ITEMS)
    )
    service = get_object_or_404(queryset, pk=pk)
    if not policy.sees_internal(request.user, Service):  # the portal shows what they may see
        return redirect(reverse("catalog:portal") + f"#service-{service.pk}")
    record = record_context(request, service)
    can_change = record["can_change"] and service.status != ServiceStatus.RETIRED
    transitions, four_eyes = four_eyes_transitions(
        service, record["transitions"], user=request.user, review_status=ServiceStatus.IN_REVIEW
    )
    missing = (
        services.missing_for_publication(service)
        if service.status in (ServiceStatus.DRAFT, ServiceStatus.IN_REVIEW)
        else []
    )
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "status_choices": ServiceStatus,
            "modes": _mode_labels(service),
            "can_change": can_change,
            "transitions": transitions,
            "four_eyes": four_eyes,
            "missing_labels": [field_label(Service, name) for name in missing],
            "item_form": ItemForm(),
            "can_delete": service.status == ServiceStatus.DRAFT
            and service.published_at is None
            and policy.can(request.user, Service, "delete"),
        },
    )


def _service_url(service) -> str:
    return reverse("catalog:service_detail", args=[service.pk])


@login_required
def service_create(request):
    require_can(request.user, Service, "add")
    initial = {}
    if request.GET.get("category", "").isdigit():
        initial["category"] = request.GET["category"]
    form = ServiceForm(request.POST or None, user=request.user, initial=initial)

    def save():
        data = form.cleaned_data
        return services.create_service(
            by=request.user,
            customers=list(data["customers"]),
            linked_cis=data["linked_ci_numbers"],
            **{name: data[name] for name in SERVICE_FORM_FIELDS},
        )

    return form_page(
        request,
        form,
        save,
        success=_("Service created as a draft."),
        next_url=_service_url,
        heading=_("New service"),
        cancel_url=reverse("catalog:service_list"),
        template="catalog/service_form.html",
        context={"service": None},
    )


@login_required
def service_edit(request, pk: int):
    service = _service_or_404(request, pk, "change")
    form = ServiceEditForm(
        request.POST or None,
        instance=service,
        user=request.user,
        initial={"version": service.version},
    )

    return form_page(
        request,
        form,
        lambda: save_versioned_edit(
            form,
            model=Service,
            pk=pk,
            update=services.update_service,
            by=request.user,
            names=SERVICE_FORM_FIELDS,
            related={"customers": "customers", "linked_ci_numbers": "linked_cis"},
        ),
        success=_("Service saved."),
        next_url=_service_url(service),
        heading=_("Edit service: {name}").format(name=service),
        cancel_url=_service_url(service),
        template="catalog/service_form.html",
        context={"service": service},
    )


class ServiceTransition(StatusTransitionView):
    """A service's lifecycle step (draft → in review → published → retired)."""

    model = Service
    form_class = TransitionForm
    detail_url_name = "catalog:service_detail"
    transition = staticmethod(services.transition_service)
    status_choices = ServiceStatus

    def base_queryset(self):
        return selectors.visible_services(self.request.user)


service_transition = ServiceTransition.as_view()


@login_required
@require_POST
def service_delete(request, pk: int):
    service = _service_or_404(request, pk, "delete")
    return delete_draft_post(
        request,
        service,
        lambda: services.delete_service(service, by=request.user),
        success=_("Service deleted."),
        consequence=_(
            "The draft service, its service items and links are deleted for good; only a "
            "timeline entry remains. A service that was published is retired instead."
        ),
        list_url=reverse("catalog:service_list"),
        detail_url=_service_url(service),
    )


# --- items ----------------------------------------------------------------------------------


@login_required
@require_POST
def item_add(request, pk: int):
    service = _service_or_404(request, pk, "change")
    require_can(request.user, ServiceItem, "add")
    form = ItemForm(request.POST)
    return action_post(
        request,
        lambda: services.add_item(service=service, by=request.user, **form.cleaned_data),
        success=_("Service item added."),
        next_url=_service_url(service),
        model=ServiceItem,
        form=form,
    )


def _item(request, pk: int, item_pk: int, action: str) -> ServiceItem:
    service = _service_or_404(request, pk, "change")
    items = ServiceItem.objects.filter(service=service).select_related("service")
    return get_restricted_or_404(request, ServiceItem, item_pk, action, queryset=items)


@login_required
def item_edit(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk, "change")
    form = ItemEditForm(request.POST or None, instance=item, initial={"version": item.version})
    return form_page(
        request,
        form,
        lambda: services.update_item(
            ServiceItem.objects.select_related("service").get(pk=item.pk),
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **changed_values(form, services.ITEM_FIELDS),
        ),
        success=_("Service item saved."),
        next_url=reverse("catalog:service_detail", args=[pk]),
        heading=_("Edit service item: {name}").format(name=item),
        cancel_url=reverse("catalog:service_detail", args=[pk]),
    )


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk, "delete")
    detail = reverse("catalog:service_detail", args=[pk])
    return action_post(
        request,
        lambda: services.remove_item(item, by=request.user),
        success=_("Service item removed."),
        next_url=detail,
        model=ServiceItem,
        confirm={
            "heading": _("Remove the service item “{item}”?").format(item=item),
            "consequence": _(
                "The item is removed from the service; the service's history keeps a record of it."
            ),
            "button": _("Remove item"),
            "cancel_url": detail,
            "record": item.service,
        },
    )


# --- categories -----------------------------------------------------------------------------


@login_required
def category_create(request):
    require_can(request.user, ServiceCategory, "add")
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = CategoryForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda: services.create_category(by=request.user, **form.cleaned_data),
        success=_("Category created."),
        next_url=reverse("catalog:category_list"),
        heading=_("New service category"),
        cancel_url=reverse("catalog:category_list"),
    )


@login_required
def category_edit(request, pk: int):
    category = get_restricted_or_404(request, ServiceCategory, pk, "change")
    form = CategoryEditForm(
        request.POST or None,
        instance=category,
        user=request.user,
        initial={"version": category.version},
    )
    return form_page(
        request,
        form,
        lambda: services.update_category(
            ServiceCategory.objects.get(pk=pk),
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **changed_values(form, ("parent", "code", "name", "description")),
        ),
        success=_("Category saved."),
        next_url=reverse("catalog:category_list"),
        heading=_("Edit service category: {name}").format(name=category),
        cancel_url=reverse("catalog:category_list"),
    )


@login_required
@require_POST
def category_delete(request, pk: int):
    category = get_restricted_or_404(request, ServiceCategory, pk, "delete")
    return action_post(
        request,
        lambda: services.delete_category(category, by=request.user),
        success=_("Category deleted."),
        next_url=reverse("catalog:category_list"),
        model=ServiceCategory,
        confirm={
            "heading": _("Delete the category “{category}”?").format(category=category),
            "consequence": _("The empty category is deleted for good."),
            "button": _("Delete category"),
            "cancel_url": reverse("catalog:category_list"),
        },
    )


# --- customer portal ------------------------------------------------------------------------


def _may_order(user) -> bool:
    """Whether the portal links each item to the service desk's order page: the reader may
    log tickets there. By the model's label: the catalogue never imports the desk."""
    if not apps.is_installed("itsm.desk"):
        return False
    return policy.can(user, apps.get_model("desk", "Ticket"), "add")


@login_required
def portal(request):
    """The published catalogue as a customer sees it (R-CAT-05). Provider staff may preview
    one customer's catalogue with ``?customer=<id>``."""
    require_can(request.user, Service, "view")
    customer = None
    customers = []
    if policy.sees_all_tenants(request.user, Service):
        customers = list(
            Organisation.objects.restrict(request.user)
            .filter(kind="customer", is_active=True)
            .only("id", "name")
            .order_by("name")
        )
        wanted = request.GET.get("customer", "")
        customer = next((c for c in customers if str(c.pk) == wanted), None)
    else:
        customer = request.user.organisation
    tree = selectors.catalogue_tree(user=request.user, customer=customer)
    return render(
        request,
        "catalog/portal.html",
        {
            "can_order": _may_order(request.user),
            "tree": tree,
            "customer": customer,
            "customers": customers,
            "is_staff_view": policy.sees_all_tenants(request.user, Service),
            "mode_labels": dict(ServiceMode.choices),
            "charging_labels": dict(Service._meta.get_field("charging_basis").flatchoices),
        },
    )
