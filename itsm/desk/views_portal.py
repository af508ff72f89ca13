"""The customer portal's ordering pages (issue 11): the orderable catalogue (categories →
services → items), the order page of an item (its own form, in the reader's language) and,
for staff, moving a request's fulfilment tasks.

A customer user orders for their organisation; an item whose service is not published or
not offered to them answers 404. Provider staff may order for a customer the item's service
is offered to (they choose which). Every write goes through ``desk.services.ordering`` and
``desk.services.relations`` via ``core.form_views``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.catalog import selectors as catalog
from itsm.core import policy
from itsm.core.form_views import action_post, form_page
from itsm.core.generic_views import get_restricted_or_404, page
from itsm.core.models import Organisation
from itsm.desk import selectors
from itsm.desk.choices import TaskStatus
from itsm.desk.forms_portal import OrderForm, TaskMoveForm
from itsm.desk.models import Task, Ticket
from itsm.desk.services import ordering, relations


def _detail_url(ticket) -> str:
    return reverse("desk:ticket_detail", args=[ticket.pk])


def _staff(user) -> bool:
    return policy.sees_all_tenants(user, Ticket)


@page(Ticket, action="add")
def catalogue(request):
    """What the reader may order: their organisation's published catalogue (staff: every
    published service, or one customer's with ``?customer=<id>``)."""
    customer = None
    customers: list = []
    if _staff(request.user):
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
    tree = catalog.catalogue_tree(user=request.user, customer=customer)
    return render(
        request,
        "desk/portal_catalogue.html",
        {
            "tree": tree,
            "customer": customer,
            "customers": customers,
            "is_staff_view": _staff(request.user),
        },
    )


def _orderable(request, item_pk: int):
    """The item if the reader may order it (customers: published and offered to them; staff:
    published), else 404."""
    customer = None if _staff(request.user) else request.user.organisation
    return get_object_or_404(catalog.orderable_items(request.user, customer=customer), pk=item_pk)


@page(Ticket, action="add")
def order(request, item_pk: int):
    """The order page of a catalogue item: its questions, a note and the urgency; a valid
    order becomes a service request with the item's fulfilment tasks."""
    item = _orderable(request, item_pk)
    staff = _staff(request.user)
    customers = None
    if staff:
        customers = (
            Organisation.objects.restrict(request.user)
            .filter(catalogue_services=item.service, is_active=True)
            .order_by("name")
        )
        if not customers.exists():
            raise Http404
    form = OrderForm(request.POST or None, item=item, customers=customers)

    def save():
        data = form.cleaned_data
        return ordering.order_item(
            by=request.user,
            item=item,
            answers=form.answers(),
            customer=data.get("customer"),
            description=data["description"],
            urgency=data["urgency"],
        )

    return form_page(
        request,
        form,
        save,
        success=lambda t: _("Request {number} created.").format(number=t.number),
        next_url=_detail_url,
        heading=_("Order: {item}").format(item=item.name),
        cancel_url=reverse("desk:portal_catalogue"),
        template="desk/portal_order.html",
        context={"item": item, "service": item.service},
    )


@page(Task, action="change")
@require_POST
def task_move(request, pk: int):
    """Complete, cancel or reopen a fulfilment task (provider staff)."""
    task = get_restricted_or_404(
        request,
        Task,
        pk,
        "change",
        queryset=selectors.tasks_for(request.user, "change").select_related("ticket"),
    )
    form = TaskMoveForm(request.POST)
    labels = {
        TaskStatus.DONE: _("Task “{task}” done."),
        TaskStatus.CANCELLED: _("Task “{task}” cancelled."),
        TaskStatus.OPEN: _("Task “{task}” reopened."),
    }
    return action_post(
        request,
        lambda: relations.move_task(
            task,
            form.cleaned_data["to"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        success=lambda t: str(labels[TaskStatus(t.status)]).format(task=t.title),
        next_url=_detail_url(task.ticket),
        model=Task,
        form=form,
    )
