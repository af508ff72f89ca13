"""Pages of the service catalogue: the provider's service list, detail (lifecycle buttons,
who/when of each step), forms, the category tree, and the customer portal (服务目录).

Customer users only ever see the published services offered to their organisation: the
service list sends them to the portal, and any other service id answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.catalog import selectors, services
from itsm.catalog.choices import ServiceMode, ServiceStatus
from itsm.catalog.filtersets import ServiceFilterSet
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
from itsm.core.confirm import confirm_action, confirm_transition
from itsm.core.errors import DomainError
from itsm.core.form_helpers import apply_errors, style_form
from itsm.core.generic_views import get_restricted_or_404, require_can
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


def _saved(request, form, save, *, success):
    """Run ``save()`` (a service call returning the URL to go to) for a valid form: a
    redirect there with *success*, or ``None`` with the service's errors on the form."""
    try:
        url = save()
    except DomainError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(url)


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
def service_list(request):
    """Provider staff: every service with its status; customers go to their portal."""
    if not policy.is_provider_staff(request.user):
        return redirect("catalog:portal")
    require_can(request.user, Service, "view")
    queryset = (
        selectors.visible_services(request.user)
        .select_related("category", "owner", "service_hours")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("code")
    )
    filterset = ServiceFilterSet(request.GET or None, queryset=queryset, request=request)
    style_form(filterset.form)
    rows = [] if filterset.is_bound and not filterset.is_valid() else list(filterset.qs[:500])
    return render(
        request,
        "catalog/service_list.html",
        {
            "rows": rows,
            "filterset": filterset,
            "status_choices": ServiceStatus,
            "can_add": policy.can(request.user, Service, "add"),
            "mode_labels": dict(ServiceMode.choices),
        },
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
    if not policy.is_provider_staff(request.user):
        return redirect(reverse("catalog:portal") + f"#service-{service.pk}")
    may_change = Service.objects.restrict(request.user, "change").filter(pk=pk).exists()
    can_change = may_change and service.status != ServiceStatus.RETIRED
    transitions = Service.state_machine.available(service, request.user) if may_change else []
    four_eyes = (
        service.status == ServiceStatus.IN_REVIEW and service.submitted_by_id == request.user.pk
    )
    if four_eyes:  # the submitter does not review their own service (services.py)
        transitions = [t for t in transitions if t.name not in ("publish", "reject")]
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
            "missing_labels": [Service._meta.get_field(name).verbose_name for name in missing],
            "item_form": ItemForm(),
            "can_delete": service.status == ServiceStatus.DRAFT
            and service.published_at is None
            and policy.can(request.user, Service, "delete"),
        },
    )


@login_required
def service_create(request):
    require_can(request.user, Service, "add")
    initial = {}
    if request.GET.get("category", "").isdigit():
        initial["category"] = request.GET["category"]
    form = ServiceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            service = services.create_service(
                by=request.user,
                customers=list(data["customers"]),
                linked_cis=data["linked_ci_numbers"],
                **{name: data[name] for name in SERVICE_FORM_FIELDS},
            )
            return reverse("catalog:service_detail", args=[service.pk])

        response = _saved(request, form, save, success=_("Service created as a draft."))
        if response:
            return response
    return render(
        request,
        "catalog/service_form.html",
        {"form": form, "service": None, "heading": _("New service")},
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in SERVICE_FORM_FIELDS if name in form.changed_data}
        if "customers" in form.changed_data:
            fields["customers"] = list(data["customers"])
        if "linked_ci_numbers" in form.changed_data:
            fields["linked_cis"] = data["linked_ci_numbers"]

        def save():
            with transaction.atomic():
                fresh = Service.objects.get(pk=pk)
                services.update_service(
                    fresh, by=request.user, expected_version=data["version"], **fields
                )
            return reverse("catalog:service_detail", args=[pk])

        response = _saved(request, form, save, success=_("Service saved."))
        if response:
            return response
    return render(
        request,
        "catalog/service_form.html",
        {
            "form": form,
            "service": service,
            "heading": _("Edit service: {name}").format(name=service),
        },
    )


@login_required
@require_POST
def service_transition(request, pk: int):
    service = _service_or_404(request, pk, "change")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The status change could not be read; reload the page."))
        return redirect("catalog:service_detail", pk=pk)
    data = form.cleaned_data
    detail = reverse("catalog:service_detail", args=[pk])
    if confirmation := confirm_transition(request, service, data["to"], cancel_url=detail):
        return confirmation
    try:
        services.transition_service(
            service,
            to=data["to"],
            by=request.user,
            note=data["note"],
            expected_version=data["version"],
        )
    except DomainError as error:
        messages.error(request, str(error.detail))
        labels = {
            name: str(Service._meta.get_field(name).verbose_name)
            for name in error.fields
            if name in {f.name for f in Service._meta.get_fields()}
        }
        for name, errors in error.fields.items():
            for message in errors:
                messages.error(request, f"{labels.get(name, name)}: {message}")
    else:
        messages.success(
            request,
            _("Status is now “{status}”.").format(status=ServiceStatus(service.status).label),
        )
    return redirect("catalog:service_detail", pk=pk)


@login_required
@require_POST
def service_delete(request, pk: int):
    service = _service_or_404(request, pk, "delete")
    confirmation = confirm_action(
        request,
        heading=_("Delete the draft “{service}”?").format(service=service),
        consequence=_(
            "The draft service, its service items and links are deleted for good; only a "
            "timeline entry remains. A service that was published is retired instead."
        ),
        button=_("Delete draft"),
        cancel_url=reverse("catalog:service_detail", args=[pk]),
        record=service,
    )
    if confirmation:
        return confirmation
    try:
        services.delete_service(service, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.detail))
        return redirect("catalog:service_detail", pk=pk)
    messages.success(request, _("Service deleted."))
    return redirect("catalog:service_list")


# --- items ----------------------------------------------------------------------------------


@login_required
@require_POST
def item_add(request, pk: int):
    service = _service_or_404(request, pk, "change")
    require_can(request.user, ServiceItem, "add")
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_item(service=service, by=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_errors(form, error)
    if form.errors:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in errors:
                messages.error(request, f"{label} {message}".strip())
    else:
        messages.success(request, _("Service item added."))
    return redirect("catalog:service_detail", pk=pk)


def _item(request, pk: int, item_pk: int, action: str) -> ServiceItem:
    service = _service_or_404(request, pk, "change")
    items = ServiceItem.objects.filter(service=service).select_related("service")
    return get_restricted_or_404(request, ServiceItem, item_pk, action, queryset=items)


@login_required
def item_edit(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk, "change")
    form = ItemEditForm(request.POST or None, instance=item, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        names = ("code", "name", "description", "order")
        fields = {n: form.cleaned_data[n] for n in names if n in form.changed_data}

        def save():
            services.update_item(
                ServiceItem.objects.select_related("service").get(pk=item.pk),
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
            return reverse("catalog:service_detail", args=[pk])

        response = _saved(request, form, save, success=_("Service item saved."))
        if response:
            return response
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "heading": _("Edit service item: {name}").format(name=item),
            "cancel_url": reverse("catalog:service_detail", args=[pk]),
        },
    )


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk, "delete")
    confirmation = confirm_action(
        request,
        heading=_("Remove the service item “{item}”?").format(item=item),
        consequence=_(
            "The item is removed from the service; the service's history keeps a record of it."
        ),
        button=_("Remove item"),
        cancel_url=reverse("catalog:service_detail", args=[pk]),
        record=item.service,
    )
    if confirmation:
        return confirmation
    try:
        services.remove_item(item, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Service item removed."))
    return redirect("catalog:service_detail", pk=pk)


# --- categories -----------------------------------------------------------------------------


@login_required
def category_list(request):
    require_can(request.user, ServiceCategory, "view")
    if not policy.is_provider_staff(request.user):
        raise PermissionDenied
    return render(
        request,
        "catalog/category_list.html",
        {
            "rows": selectors.category_tree(),
            "can_add": policy.can(request.user, ServiceCategory, "add"),
            "can_change": policy.can(request.user, ServiceCategory, "change"),
            "can_delete": policy.can(request.user, ServiceCategory, "delete"),
        },
    )


@login_required
def category_create(request):
    require_can(request.user, ServiceCategory, "add")
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = CategoryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():

        def save():
            services.create_category(by=request.user, **form.cleaned_data)
            return reverse("catalog:category_list")

        response = _saved(request, form, save, success=_("Category created."))
        if response:
            return response
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "heading": _("New service category"),
            "cancel_url": reverse("catalog:category_list"),
        },
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
    if request.method == "POST" and form.is_valid():
        names = ("parent", "code", "name", "description")
        fields = {n: form.cleaned_data[n] for n in names if n in form.changed_data}

        def save():
            services.update_category(
                ServiceCategory.objects.get(pk=pk),
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
            return reverse("catalog:category_list")

        response = _saved(request, form, save, success=_("Category saved."))
        if response:
            return response
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "heading": _("Edit service category: {name}").format(name=category),
            "cancel_url": reverse("catalog:category_list"),
        },
    )


@login_required
@require_POST
def category_delete(request, pk: int):
    category = get_restricted_or_404(request, ServiceCategory, pk, "delete")
    confirmation = confirm_action(
        request,
        heading=_("Delete the category “{category}”?").format(category=category),
        consequence=_("The empty category is deleted for good."),
        button=_("Delete category"),
        cancel_url=reverse("catalog:category_list"),
    )
    if confirmation:
        return confirmation
    try:
        services.delete_category(category, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Category deleted."))
    return redirect("catalog:category_list")


# --- customer portal ------------------------------------------------------------------------


@login_required
def portal(request):
    """The published catalogue as a customer sees it (R-CAT-05). Provider staff may preview
    one customer's catalogue with ``?customer=<id>``."""
    require_can(request.user, Service, "view")
    customer = None
    customers = []
    if policy.is_provider_staff(request.user):
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
            "tree": tree,
            "customer": customer,
            "customers": customers,
            "is_staff_view": policy.is_provider_staff(request.user),
            "mode_labels": dict(ServiceMode.choices),
            "charging_labels": dict(Service._meta.get_field("charging_basis").flatchoices),
        },
    )
