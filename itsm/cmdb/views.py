"""Pages of the CMDB: CI list/detail/create/edit with transitions, relations and the "as of"
view; CI classes with their attribute definitions; relation types. Writes call services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.cmdb import selectors, services
from itsm.cmdb.choices import CI_MACHINE, CIStatus, Criticality
from itsm.cmdb.filtersets import CIFilterSet
from itsm.cmdb.forms import (
    AsOfForm,
    AttributeDefinitionForm,
    CIClassForm,
    CIForm,
    ClassChoiceForm,
    RelationForm,
    RelationTypeForm,
    TransitionForm,
)
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.core import policy
from itsm.core.confirm import confirm_action, confirm_transition
from itsm.core.errors import DomainError, NotFound
from itsm.core.form_helpers import apply_errors, style_form
from itsm.core.generic_views import get_restricted_or_404, keyset_page, require_can

WRITE_ERRORS = (DomainError, DjangoValidationError)


def _message_errors(request, error) -> None:
    fields = getattr(error, "fields", None) or {}
    texts = [f"{name}: {m}" if name else str(m) for name, ms in fields.items() for m in ms]
    messages.error(request, "; ".join(texts) or str(getattr(error, "detail", error)))


# --- configuration items ----------------------------------------------------------------------


@login_required
def ci_list(request):
    require_can(request.user, ConfigurationItem, "view")
    queryset = (
        ConfigurationItem.objects.restrict(request.user, "view")
        .select_related("ci_class", "customer")
        .only(
            "id",
            "number",
            "name",
            "identifier",
            "status",
            "criticality",
            "location",
            "ci_class__code",
            "ci_class__name_zh",
            "ci_class__name_en",
            "customer__name",
        )
    )
    # the customer filter lists only the visible customers (``visible_customers``)
    filterset = CIFilterSet(request.GET or None, queryset=queryset, request=request)
    style_form(filterset.form)
    valid = not filterset.is_bound or filterset.is_valid()
    page = keyset_page(filterset.qs if valid else queryset.none(), request)
    return render(
        request,
        "cmdb/ci_list.html",
        {
            "filterset": filterset,
            "page": page,
            "can_add": policy.can(request.user, ConfigurationItem, "add"),
            "is_staff": policy.is_provider_staff(request.user),
            "CIStatus": CIStatus,
            "Criticality": Criticality,
        },
    )


def _ci_or_404(request, pk, action="view"):
    return get_restricted_or_404(
        request,
        ConfigurationItem,
        pk,
        action,
        queryset=ConfigurationItem.objects.select_related(
            "ci_class", "customer", "supplier", "owner"
        ),
        visible_first=True,
    )


@login_required
def ci_detail(request, pk: int):
    return _ci_detail_page(request, _ci_or_404(request, pk))


#: The relation form's fields on the CI page and their widths (of 12 columns).
RELATION_LAYOUT = (
    ("type", 3),
    ("direction", 3),
    ("other", 6),
    ("change_reference", 3),
    ("note", 6),
)


def _ci_detail_page(request, ci, *, relation_form: RelationForm | None = None):
    """The CI page; *relation_form* is a rejected relation, shown with its values and errors."""
    can_change = (
        ConfigurationItem.objects.restrict(request.user, "change").filter(pk=ci.pk).exists()
    )
    outgoing, incoming = selectors.relations_of(ci, request.user)
    transitions = CI_MACHINE.available(ci, request.user) if can_change else []
    if relation_form is None and can_change:
        relation_form = RelationForm(user=request.user)
    return render(
        request,
        "cmdb/ci_detail.html",
        {
            "ci": ci,
            "object": ci,
            "attributes": selectors.attribute_rows(ci.ci_class, ci.attributes),
            "outgoing": outgoing,
            "incoming": incoming,
            "transitions": transitions,
            "can_change": can_change,
            "relation_form": relation_form,
            "relation_fields": (
                [(relation_form[name], width) for name, width in RELATION_LAYOUT]
                if relation_form
                else []
            ),
            "as_of_form": AsOfForm(initial={"at": timezone.localtime().replace(second=0)}),
            "CIStatus": CIStatus,
            "Criticality": Criticality,
        },
    )


def _chosen_class(request, default: CIClass | None = None) -> CIClass | None:
    value = (request.GET.get("ci_class") or request.POST.get("ci_class") or "").strip()
    if not value:
        return default
    query = Q(code=value) | (Q(pk=int(value)) if value.isdigit() and len(value) < 18 else Q())
    return CIClass.objects.filter(query).first() or default


@login_required
def ci_create(request):
    require_can(request.user, ConfigurationItem, "add")
    ci_class = _chosen_class(request)
    chooser = ClassChoiceForm(initial={"ci_class": ci_class.pk if ci_class else None})
    form = None
    if ci_class is not None:
        if request.method == "POST":
            form = CIForm(request.POST, ci_class=ci_class, user=request.user)
            if form.is_valid():
                try:
                    ci = services.create_ci(
                        by=request.user,
                        change_reference=form.cleaned_data.get("change_reference", ""),
                        **form.ci_fields(),
                    )
                except WRITE_ERRORS as error:
                    form.apply_errors(error)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("cmdb:ci_detail", pk=ci.pk)
        else:
            form = CIForm(ci_class=ci_class, user=request.user)
    return render(
        request,
        "cmdb/ci_form.html",
        {
            "form": form,
            "chooser": chooser,
            "ci_class": ci_class,
            "heading": _("New configuration item"),
            "cancel_url": reverse("cmdb:ci_list"),
        },
    )


@login_required
def ci_edit(request, pk: int):
    ci = _ci_or_404(request, pk, "change")
    ci_class = _chosen_class(request, ci.ci_class)
    chooser = ClassChoiceForm(initial={"ci_class": ci_class.pk})
    if request.method == "POST":
        form = CIForm(request.POST, ci_class=ci_class, user=request.user)
        if form.is_valid():
            fields = form.ci_fields()
            changed = {
                name: value
                for name, value in fields.items()
                if name == "attributes" or getattr(ci, name) != value
            }
            if changed.get("attributes") == ci.attributes and ci_class.pk == ci.ci_class_id:
                changed.pop("attributes")
            try:
                services.update_ci(
                    ci,
                    by=request.user,
                    version=form.cleaned_data.get("version"),
                    change_reference=form.cleaned_data.get("change_reference", ""),
                    **changed,
                )
            except WRITE_ERRORS as error:
                form.apply_errors(error)
            else:
                messages.success(request, _("Saved."))
                return redirect("cmdb:ci_detail", pk=ci.pk)
    else:
        initial = {
            "name": ci.name,
            "identifier": ci.identifier,
            "criticality": ci.criticality,
            "customer": ci.customer_id,
            "supplier": ci.supplier_id,
            "owner": ci.owner_id,
            "location": ci.location,
            "description": ci.description,
            "version": ci.version,
        }
        form = CIForm(
            initial=initial, ci_class=ci_class, attributes=ci.attributes, user=request.user
        )
    return render(
        request,
        "cmdb/ci_form.html",
        {
            "form": form,
            "chooser": chooser,
            "ci_class": ci_class,
            "ci": ci,
            "heading": _("Edit {name}").format(name=ci),
            "cancel_url": reverse("cmdb:ci_detail", kwargs={"pk": ci.pk}),
        },
    )


@login_required
@require_POST
def ci_transition(request, pk: int):
    ci = _ci_or_404(request, pk, "change")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("cmdb:ci_detail", pk=ci.pk)
    detail = reverse("cmdb:ci_detail", args=[ci.pk])
    if confirmation := confirm_transition(request, ci, form.cleaned_data["to"], cancel_url=detail):
        return confirmation
    try:
        services.transition_ci(
            ci,
            to=form.cleaned_data["to"],
            by=request.user,
            version=form.cleaned_data["version"],
            change_reference=form.cleaned_data.get("change_reference", ""),
        )
    except WRITE_ERRORS as error:
        messages.error(request, str(getattr(error, "detail", error)))
    else:
        messages.success(request, _("Status changed."))
    return redirect("cmdb:ci_detail", pk=ci.pk)


@login_required
@require_POST
def relation_add(request, pk: int):
    ci = _ci_or_404(request, pk, "change")
    require_can(request.user, Relation, "add")
    form = RelationForm(request.POST, user=request.user)
    if form.is_valid():
        other = form.cleaned_data["other"]
        source, target = (ci, other) if form.cleaned_data["direction"] == "out" else (other, ci)
        try:
            services.create_relation(
                source=source,
                target=target,
                type=form.cleaned_data["type"],
                by=request.user,
                note=form.cleaned_data.get("note", ""),
                change_reference=form.cleaned_data.get("change_reference", ""),
            )
        except WRITE_ERRORS as error:
            fields = getattr(error, "fields", None)
            if fields:  # the service names source/target: the form has one "other" field
                error.fields = {
                    ("other" if k in ("source", "target") else k): v for k, v in fields.items()
                }
            apply_errors(form, error)
        else:
            messages.success(request, _("Relation added."))
            return redirect("cmdb:ci_detail", pk=ci.pk)
    # the page again, with the values the user entered and the errors beside the fields
    return _ci_detail_page(request, ci, relation_form=form)


@login_required
@require_POST
def relation_remove(request, pk: int, relation_pk: int):
    ci = _ci_or_404(request, pk, "change")
    require_can(request.user, Relation, "delete")
    relation = get_object_or_404(
        Relation.objects.filter(Q(source=ci) | Q(target=ci)).select_related(
            "source", "target", "type"
        ),
        pk=relation_pk,
    )
    confirmation = confirm_action(
        request,
        heading=_("Remove the relation?"),
        consequence=_(
            "The relation “{source} {relation} {target}” is deleted. Both configuration items' "
            "timelines record the removal; to restore it, add the relation again."
        ).format(source=relation.source, relation=relation.type, target=relation.target),
        button=_("Remove relation"),
        cancel_url=reverse("cmdb:ci_detail", args=[ci.pk]),
        record=ci,
    )
    if confirmation:
        return confirmation
    try:
        services.delete_relation(
            relation, by=request.user, change_reference=request.POST.get("change_reference", "")
        )
    except WRITE_ERRORS as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("Relation removed."))
    return redirect("cmdb:ci_detail", pk=ci.pk)


@login_required
def ci_as_of(request, pk: int):
    ci = _ci_or_404(request, pk)
    form = AsOfForm(request.GET or None)
    snapshot = None
    missing = False
    if form.is_valid():
        try:
            snapshot = selectors.ci_as_of(ci, form.cleaned_data["at"], user=request.user)
        except NotFound:
            missing = True
    return render(
        request,
        "cmdb/ci_as_of.html",
        {
            "ci": ci,
            "object": ci,
            "form": form,
            "snapshot": snapshot,
            "missing": missing,
            "CIStatus": CIStatus,
            "Criticality": Criticality,
        },
    )


# --- classes and attribute definitions --------------------------------------------------------


@login_required
def class_list(request):
    require_can(request.user, CIClass, "view")
    classes = CIClass.objects.restrict(request.user, "view")
    if not policy.is_provider_staff(request.user):
        raise PermissionDenied
    counts = {}
    for row in (
        AttributeDefinition.objects.filter(ci_class__in=classes)
        .values_list("ci_class_id", flat=True)
        .order_by()
    ):
        counts[row] = counts.get(row, 0) + 1
    rows = [{"ci_class": c, "attribute_count": counts.get(c.pk, 0)} for c in classes]
    return render(
        request,
        "cmdb/class_list.html",
        {"rows": rows, "can_add": policy.can(request.user, CIClass, "add")},
    )


def _class_or_404(request, pk, action="view"):
    # classes are provider-internal: a customer gets 403 (policy.can_reach), like the list
    return get_restricted_or_404(request, CIClass, pk, action, visible_first=True)


@login_required
def class_detail(request, pk: int):
    ci_class = _class_or_404(request, pk)
    can_change = policy.can(request.user, CIClass, "change")
    can_edit_attributes = policy.can(request.user, AttributeDefinition, "add")
    form = None
    if can_edit_attributes:
        form = AttributeDefinitionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                values = form.values()
                services.create_attribute(ci_class=ci_class, by=request.user, **values)
            except WRITE_ERRORS as error:
                form.apply_errors(error)
            else:
                messages.success(request, _("Attribute added."))
                return redirect("cmdb:class_detail", pk=ci_class.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "cmdb/class_detail.html",
        {
            "ci_class": ci_class,
            "object": ci_class,
            "definitions": list(ci_class.attribute_definitions.all()),
            "can_change": can_change,
            "can_edit_attributes": can_edit_attributes,
            "form": form,
            "ci_count": ConfigurationItem.objects.filter(ci_class=ci_class).count(),
        },
    )


def _reference_form(request, form, *, save, success_url, heading, cancel_url, instance=None):
    """The create/edit page of a class or relation type: a built-in keeps its code; on a
    valid POST *save(data, version)* runs the service (an edit passes only changed fields)."""
    if instance is not None and instance.is_builtin:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        if instance is None:
            data = dict(form.cleaned_data)
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        data.pop("version", None)
        try:
            record = save(data, form.cleaned_data.get("version"))
        except WRITE_ERRORS as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url(record))
    return render(
        request,
        "core/form.html",
        {"form": form, "heading": heading, "cancel_url": cancel_url},
    )


def _class_url(ci_class) -> str:
    return reverse("cmdb:class_detail", kwargs={"pk": ci_class.pk})


@login_required
def class_create(request):
    require_can(request.user, CIClass, "add")
    return _reference_form(
        request,
        CIClassForm(request.POST or None),
        save=lambda data, version: services.create_class(by=request.user, **data),
        success_url=_class_url,
        heading=_("New CI class"),
        cancel_url=reverse("cmdb:class_list"),
    )


@login_required
def class_edit(request, pk: int):
    ci_class = _class_or_404(request, pk, "change")
    form = CIClassForm(
        request.POST or None, instance=ci_class, initial={"version": ci_class.version}
    )

    def save(data, version):
        services.update_class(ci_class, by=request.user, version=version, **data)
        return ci_class

    return _reference_form(
        request,
        form,
        save=save,
        success_url=_class_url,
        heading=_("Edit {name}").format(name=ci_class.label),
        cancel_url=_class_url(ci_class),
        instance=ci_class,
    )


@login_required
def attribute_edit(request, pk: int):
    definition = get_restricted_or_404(
        request,
        AttributeDefinition,
        pk,
        "change",
        queryset=AttributeDefinition.objects.select_related("ci_class"),
    )
    form = AttributeDefinitionForm(
        request.POST or None, instance=definition, initial={"version": definition.version}
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.pop("key", None)
        try:
            services.update_attribute(
                definition, by=request.user, version=form.cleaned_data.get("version"), **values
            )
        except WRITE_ERRORS as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cmdb:class_detail", pk=definition.ci_class_id)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "heading": _("Edit attribute {key} of {cls}").format(
                key=definition.key, cls=definition.ci_class.label
            ),
            "cancel_url": reverse("cmdb:class_detail", kwargs={"pk": definition.ci_class_id}),
        },
    )


@login_required
@require_POST
def attribute_delete(request, pk: int):
    definition = get_restricted_or_404(request, AttributeDefinition, pk, "delete")
    class_pk = definition.ci_class_id
    confirmation = confirm_action(
        request,
        heading=_("Remove the attribute “{name}”?").format(name=definition.key),
        consequence=_(
            "The attribute is removed from the class; configuration items of the class no "
            "longer show or accept it."
        ),
        button=_("Remove attribute"),
        cancel_url=reverse("cmdb:class_detail", args=[class_pk]),
        record=definition.ci_class,
    )
    if confirmation:
        return confirmation
    try:
        services.delete_attribute(definition, by=request.user)
    except WRITE_ERRORS as error:
        messages.error(request, str(getattr(error, "detail", error)))
    else:
        messages.success(request, _("Attribute removed."))
    return redirect("cmdb:class_detail", pk=class_pk)


# --- relation types ---------------------------------------------------------------------------


@login_required
def relation_type_list(request):
    if not policy.is_provider_staff(request.user):
        raise PermissionDenied
    types = list(
        RelationType.objects.restrict(request.user, "view").prefetch_related(
            "source_classes", "target_classes"
        )
    )
    return render(
        request,
        "cmdb/relation_type_list.html",
        {
            "types": types,
            "can_add": policy.can(request.user, RelationType, "add"),
            "can_change": policy.can(request.user, RelationType, "change"),
        },
    )


def _relation_type_list_url(_record=None) -> str:
    return reverse("cmdb:relation_type_list")


@login_required
def relation_type_create(request):
    require_can(request.user, RelationType, "add")
    return _reference_form(
        request,
        RelationTypeForm(request.POST or None),
        save=lambda data, version: services.create_relation_type(by=request.user, **data),
        success_url=_relation_type_list_url,
        heading=_("New relation type"),
        cancel_url=_relation_type_list_url(),
    )


@login_required
def relation_type_edit(request, pk: int):
    relation_type = get_restricted_or_404(request, RelationType, pk, "change")
    form = RelationTypeForm(
        request.POST or None, instance=relation_type, initial={"version": relation_type.version}
    )

    def save(data, version):
        services.update_relation_type(relation_type, by=request.user, version=version, **data)
        return relation_type

    return _reference_form(
        request,
        form,
        save=save,
        success_url=_relation_type_list_url,
        heading=_("Edit {name}").format(name=relation_type.label),
        cancel_url=_relation_type_list_url(),
        instance=relation_type,
    )
