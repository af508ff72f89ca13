"""Pages of the improvement register: the item's record page (source, plan, approval,
implementation, the effect measured before and after on a KPI, closure), its create and edit
forms, its actions (lifecycle steps, "implemented" with its notes, measure the effect, record
the effect) and the list of open SLM review actions to raise items from. Every write goes
through ``itsm.improvement.services``."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.form_views import TransitionView, action_post, form_page, save_versioned_edit
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.improvement import services
from itsm.improvement.choices import PHASE_OF, ItemSource, ItemStatus, Phase
from itsm.improvement.forms import (
    ITEM_FORM_FIELDS,
    EffectForm,
    ImplementedForm,
    ItemCreateForm,
    ItemEditForm,
    ItemTransitionForm,
    VersionForm,
)
from itsm.improvement.models import Item
from itsm.kpi.choices import Direction, unit_symbol
from itsm.kpi.registry import registry

#: moves made through their own forms on the page, not the plain transition buttons
FORM_MOVES = frozenset({"implemented"})
#: the phases in their order, for the PDCA strip of the record page
PHASES = (Phase.PLAN, Phase.DO, Phase.CHECK, Phase.ACT)


def _url(item) -> str:
    return reverse("improvement:item_detail", args=[item.pk])


def _item(request, pk: int, action: str) -> Item:
    return get_restricted_or_404(request, Item, pk, action, visible_first=True)


def _effect(item: Item) -> dict | None:
    """The KPI, its unit and the values before and after (with the change and whether it is
    an improvement in the KPI's direction), or ``None`` without a KPI."""
    kpi = registry.get(item.kpi_id) if item.kpi_id else None
    if kpi is None:
        return None
    before, after = item.before_value, item.after_value
    delta = None if before is None or after is None else after - before
    better = None
    if delta is not None and delta != 0:
        better = (delta > 0) == (kpi.direction == Direction.HIGHER)

    def shown(value: Decimal | None):
        return None if value is None else value.quantize(Decimal("0.1")).normalize()

    return {
        "kpi": kpi,
        "unit": unit_symbol(kpi.unit),
        "before": shown(before),
        "after": shown(after),
        "delta": shown(delta),
        "better": better,
    }


@page(Item)
def item_detail(request, pk: int):
    queryset = Item.objects.restrict(request.user, "view").select_related(
        "owner", "customer", "change", "incident", "review_action", "approved_by", "verified_by"
    )
    item = get_object_or_404(queryset, pk=pk)
    record = record_context(request, item)
    staff = policy.sees_internal(request.user, Item)
    can_change = record["can_change"]
    names = {t.name for t in record["transitions"]}
    four_eyes = request.user.pk in {item.owner_id, item.raised_by_id}
    transitions = [
        t
        for t in record["transitions"]
        if t.name not in FORM_MOVES and not (t.name == "approve" and four_eyes)
    ]
    phase = PHASE_OF.get(item.status)
    return render(
        request,
        "improvement/item_detail.html",
        {
            "item": item,
            "staff": staff,
            "phase": phase,
            "phases": [{"value": p.value, "label": p.label, "current": p == phase} for p in PHASES],
            "effect": _effect(item),
            "can_edit": can_change
            and item.status in (*services.EDITABLE_STATES, *services.LATE_STATES),
            "transitions": transitions,
            "approval_blocked": "approve" in names and four_eyes,
            "can_implement": "implemented" in names,
            "implemented_form": ImplementedForm(
                initial={
                    "version": item.version,
                    "implementation_notes": item.implementation_notes,
                }
            ),
            "can_measure": can_change
            and staff
            and item.status in (ItemStatus.IMPLEMENTING, ItemStatus.VERIFYING),
            "can_record_effect": can_change and staff and item.status == ItemStatus.VERIFYING,
            "effect_form": EffectForm(
                initial={"version": item.version, "effect_note": item.effect_note}
            ),
            "status_choices": ItemStatus,
            "source_choices": ItemSource,
            "phase_choices": Phase,
        },
    )


@page(Item, action="add")
def item_create(request):
    form = ItemCreateForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in ITEM_FORM_FIELDS}
        return services.create_item(
            by=request.user,
            source=data["source"],
            source_key=data["source_key"] or "",
            incident=data["incident"],
            **fields,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Improvement item recorded."),
        next_url=_url,
        heading=_("New improvement item"),
        cancel_url=reverse("improvement:item_list"),
        template="improvement/item_form.html",
        context={"item": None},
    )


@page(Item, action="change")
def item_edit(request, pk: int):
    item = _item(request, pk, "change")
    form = ItemEditForm(
        request.POST or None, instance=item, user=request.user, initial={"version": item.version}
    )

    def save():
        save_versioned_edit(
            form,
            model=Item,
            pk=pk,
            update=services.update_item,
            by=request.user,
            names=form.names,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Improvement item saved."),
        next_url=_url(item),
        heading=_("Edit improvement item: {item}").format(item=item),
        cancel_url=_url(item),
        template="improvement/item_form.html",
        context={"item": item},
    )


class ItemTransition(TransitionView):
    """A lifecycle step of an item (plan, approve, reject, start, implemented, rework, close,
    cancel)."""

    model = Item
    detail_url_name = "improvement:item_detail"
    form_class = ItemTransitionForm

    def base_queryset(self):
        return Item.objects.select_related("change")

    def perform(self, obj, data):
        services.move(
            obj,
            data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
            implementation_notes=data["implementation_notes"],
        )

    def success_text(self, obj) -> str:
        obj.refresh_from_db()
        return _("Status is now “{status}”.").format(status=ItemStatus(obj.status).label)


item_transition = ItemTransition.as_view()


@page(Item, action="change", staff_only=True)
@require_POST
def item_measure(request, pk: int):
    item = _item(request, pk, "change")
    form = VersionForm(request.POST)
    return action_post(
        request,
        lambda: services.measure_effect(
            item, by=request.user, expected_version=form.cleaned_data["version"]
        ),
        success=_("Effect measured."),
        next_url=_url(item),
        model=Item,
        form=form,
    )


@page(Item, action="change", staff_only=True)
@require_POST
def item_effect(request, pk: int):
    item = _item(request, pk, "change")
    form = EffectForm(request.POST)
    return action_post(
        request,
        lambda: services.record_effect(
            item,
            by=request.user,
            effect_note=form.cleaned_data["effect_note"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Effect recorded."),
        next_url=_url(item),
        model=Item,
        form=form,
    )


@page(Item, action="add", staff_only=True)
def review_actions(request):
    """The open SLM review-meeting actions no item was raised from yet, each with a button
    that raises its item (once: raising again opens the same item)."""
    return render(
        request,
        "improvement/review_actions.html",
        {"actions": list(services.open_review_actions(request.user))},
    )


@page(Item, action="add", staff_only=True)
@require_POST
def review_action_raise(request, pk: int):
    """Raise an improvement item from the SLM review action *pk* (once)."""
    action = get_object_or_404(services.review_actions_for(request.user), pk=pk)
    return action_post(
        request,
        lambda: services.raise_from_review_action(action, by=request.user),
        success=lambda item: _("Improvement item {number} raised.").format(number=item.number),
        next_url=_url,
        error_url=reverse("improvement:review_actions"),
        model=Item,
    )
