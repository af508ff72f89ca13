"""Pages of the CMDB: CI list/detail/create/edit with transitions, relations and the "as of"
view; CI classes with their attribute definitions; relation types. Writes call services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.cmdb import selectors, services
from itsm.cmdb.choices import CIStatus, Criticality
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
from itsm.core.errors import NotFound
from itsm.core.form_views import (
    TransitionView,
    action_post,
    changed_values,
    form_page,
    save_form,
)
from itsm.core.generic_views import get_restricted_or_404, record_context, require_can

# --- configuration items ----------------------------------------------------------------------


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
    record = record_context(request, ci)
    outgoing, incoming = selectors.relations_of(ci, request.user)
    if relation_form is None and record["can_change"]:
        relation_form = RelationForm(user=request.user)
    return render(
        request,
        "cmdb/ci_detail.html",
        {
            **record,
            "ci": ci,
            "attributes": selectors.attribute_rows(ci.ci_class, ci.attributes),
            "outgoing": outgoing,
            "incoming": incoming,
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
    heading, cancel_url = _("New configuration item"), reverse("cmdb:ci_list")
    context = {
        "chooser": ClassChoiceForm(initial={"ci_class": ci_class.pk if ci_class else None}),
        "ci_class": ci_class,
    }
    if ci_class is None:  # the class is chosen first: its attributes make the form
        page = {**context, "form": None, "heading": heading, "cancel_url": cancel_url}
        return render(request, "cmdb/ci_form.html", page)
    form = CIForm(request.POST or None, ci_class=ci_class, user=request.user)
    return form_page(
        request,
        form,
        lambda: services.create_ci(
            by=request.user,
            change_reference=form.cleaned_data.get("change_reference", ""),
            **form.ci_fields(),
        ),
        success=_("Saved."),
        next_url=lambda ci: reverse("cmdb:ci_detail", args=[ci.pk]),
        heading=heading,
        cancel_url=cancel_url,
        template="cmdb/ci_form.html",
        context=context,
    )


@login_required
def ci_edit(request, pk: int):
    ci = _ci_or_404(request, pk, "change")
    ci_class = _chosen_class(request, ci.ci_class) or ci.ci_class
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
        request.POST or None,
        initial=initial,
        ci_class=ci_class,
        attributes=ci.attributes,
        user=request.user,
    )

    def save():
        fields = form.ci_fields()
        changed = {
            name: value
            for name, value in fields.items()
            if name == "attributes" or getattr(ci, name) != value
        }
        if changed.get("attributes") == ci.attributes and ci_class.pk == ci.ci_class_id:
            changed.pop("attributes")
        services.update_ci(
            ci,
            by=request.user,
            version=form.cleaned_data.get("version"),
            change_reference=form.cleaned_data.get("change_reference", ""),
            **changed,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Saved."),
        next_url=reverse("cmdb:ci_detail", kwargs={"pk": ci.pk}),
        heading=_("Edit {name}").format(name=ci),
        cancel_url=reverse("cmdb:ci_detail", kwargs={"pk": ci.pk}),
        template="cmdb/ci_form.html",
        context={
            "chooser": ClassChoiceForm(initial={"ci_class": ci_class.pk}),
            "ci_class": ci_class,
            "ci": ci,
        },
    )


class CITransition(TransitionView):
    """A CI's status change (``CI_MACHINE``), with its authorising change."""

    model = ConfigurationItem
    form_class = TransitionForm
    detail_url_name = "cmdb:ci_detail"

    def base_queryset(self):
        return ConfigurationItem.objects.select_related("ci_class", "customer", "supplier", "owner")

    def perform(self, obj, data):
        services.transition_ci(
            obj,
            to=data["to"],
            by=self.request.user,
            version=data["version"],
            change_reference=data.get("change_reference", ""),
        )


ci_transition = CITransition.as_view()


@login_required
@require_POST
def relation_add(request, pk: int):
    ci = _ci_or_404(request, pk, "change")
    require_can(request.user, Relation, "add")
    form = RelationForm(request.POST, user=request.user)

    def save():
        other = form.cleaned_data["other"]
        source, target = (ci, other) if form.cleaned_data["direction"] == "out" else (other, ci)
        services.create_relation(
            source=source,
            target=target,
            type=form.cleaned_data["type"],
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            change_reference=form.cleaned_data.get("change_reference", ""),
        )

    response = save_form(
        request,
        form,
        save,
        success=_("Relation added."),
        next_url=reverse("cmdb:ci_detail", args=[ci.pk]),
    )
    # else the page again, with the values the user entered and the errors beside the fields
    return response or _ci_detail_page(request, ci, relation_form=form)


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
    detail = reverse("cmdb:ci_detail", args=[ci.pk])
    return action_post(
        request,
        lambda: services.delete_relation(
            relation,
            by=request.user,
            change_reference=services.authorised_change(request.POST.get("change_reference")),
        ),
        success=_("Relation removed."),
        next_url=detail,
        model=Relation,
        confirm={
            "heading": _("Remove the relation?"),
            "consequence": _(
                "The relation “{source} {relation} {target}” is deleted. Both configuration "
                "items' timelines record the removal; to restore it, add the relation again."
            ).format(source=relation.source, relation=relation.type, target=relation.target),
            "button": _("Remove relation"),
            "cancel_url": detail,
            "record": ci,
        },
    )


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
        if request.method == "POST":
            response = save_form(
                request,
                form,
                lambda: services.create_attribute(
                    ci_class=ci_class, by=request.user, **form.values()
                ),
                success=_("Attribute added."),
                next_url=_class_url(ci_class),
            )
            if response is not None:
                return response
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


def _reference_values(form, *, instance=None) -> dict:
    """The values a class or relation type form sends to its service: every field on create,
    the changed ones on edit (``version`` goes separately)."""
    names = [name for name in form.fields if name != "version"]
    if instance is None:
        return {name: form.cleaned_data[name] for name in names}
    return changed_values(form, names)


def _builtin_code(form, instance):
    """A built-in class or relation type keeps its code."""
    if instance.is_builtin:
        form.fields["code"].disabled = True
    return form


def _class_url(ci_class) -> str:
    return reverse("cmdb:class_detail", kwargs={"pk": ci_class.pk})


@login_required
def class_create(request):
    require_can(request.user, CIClass, "add")
    form = CIClassForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.create_class(by=request.user, **_reference_values(form)),
        success=_("Saved."),
        next_url=_class_url,
        heading=_("New CI class"),
        cancel_url=reverse("cmdb:class_list"),
    )


@login_required
def class_edit(request, pk: int):
    ci_class = _class_or_404(request, pk, "change")
    form = _builtin_code(
        CIClassForm(request.POST or None, instance=ci_class, initial={"version": ci_class.version}),
        ci_class,
    )
    return form_page(
        request,
        form,
        lambda: services.update_class(
            ci_class,
            by=request.user,
            version=form.cleaned_data.get("version"),
            **_reference_values(form, instance=ci_class),
        ),
        success=_("Saved."),
        next_url=_class_url(ci_class),
        heading=_("Edit {name}").format(name=ci_class.label),
        cancel_url=_class_url(ci_class),
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

    def save():
        values = form.values()
        values.pop("key", None)
        services.update_attribute(
            definition, by=request.user, version=form.cleaned_data.get("version"), **values
        )

    class_url = reverse("cmdb:class_detail", kwargs={"pk": definition.ci_class_id})
    return form_page(
        request,
        form,
        save,
        success=_("Saved."),
        next_url=class_url,
        heading=_("Edit attribute {key} of {cls}").format(
            key=definition.key, cls=definition.ci_class.label
        ),
        cancel_url=class_url,
    )


@login_required
@require_POST
def attribute_delete(request, pk: int):
    definition = get_restricted_or_404(request, AttributeDefinition, pk, "delete")
    class_url = reverse("cmdb:class_detail", args=[definition.ci_class_id])
    return action_post(
        request,
        lambda: services.delete_attribute(definition, by=request.user),
        success=_("Attribute removed."),
        next_url=class_url,
        model=AttributeDefinition,
        confirm={
            "heading": _("Remove the attribute “{name}”?").format(name=definition.key),
            "consequence": _(
                "The attribute is removed from the class; configuration items of the class no "
                "longer show or accept it."
            ),
            "button": _("Remove attribute"),
            "cancel_url": class_url,
            "record": definition.ci_class,
        },
    )


# --- relation types ---------------------------------------------------------------------------


def _relation_type_list_url(_record=None) -> str:
    return reverse("cmdb:relation_type_list")


@login_required
def relation_type_create(request):
    require_can(request.user, RelationType, "add")
    form = RelationTypeForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.create_relation_type(by=request.user, **_reference_values(form)),
        success=_("Saved."),
        next_url=_relation_type_list_url,
        heading=_("New relation type"),
        cancel_url=_relation_type_list_url(),
    )


@login_required
def relation_type_edit(request, pk: int):
    relation_type = get_restricted_or_404(request, RelationType, pk, "change")
    form = _builtin_code(
        RelationTypeForm(
            request.POST or None, instance=relation_type, initial={"version": relation_type.version}
        ),
        relation_type,
    )
    return form_page(
        request,
        form,
        lambda: services.update_relation_type(
            relation_type,
            by=request.user,
            version=form.cleaned_data.get("version"),
            **_reference_values(form, instance=relation_type),
        ),
        success=_("Saved."),
        next_url=_relation_type_list_url(),
        heading=_("Edit {name}").format(name=relation_type.label),
        cancel_url=_relation_type_list_url(),
    )
