"""List pages of the service desk on the shared record list (``itsm.core.lists``): the
queue (工单队列) with its saved views, calls, categories and dispatch rules."""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.choices import Priority
from itsm.core.lists import LIST_PARAMS, Column, RecordListView
from itsm.core.lists.columns import page_text
from itsm.core.lists.paging import counted_by_page
from itsm.core.lists.rendering import escaped, shown
from itsm.core.lists.widgets import LIST_FORM_RENDERER, choices_in_one_query, widget_html
from itsm.desk import selectors
from itsm.desk.choices import (
    OPEN_STATES,
    AssignMode,
    CallOutcome,
    Channel,
    TicketKind,
    TicketStatus,
)
from itsm.desk.filtersets import (
    VIEWS,
    CallFilterSet,
    CategoryFilterSet,
    DispatchRuleFilterSet,
    TicketFilterSet,
)
from itsm.desk.models import Call, Category, DispatchRule, Ticket


def _due_cells():
    """``ticket → its due-time cell``, the page's moment, time zone and format read once: the
    due time with a ``data-countdown`` the queue's script turns into the time left
    (``desk/static/desk/queue.js``: counted down every 30 seconds, red once overdue)."""
    now = timezone.now()
    text_of = page_text()

    def cell(ticket):
        due = ticket.due_at
        if due is None:
            return ""
        # an ISO time and a formatted date hold nothing to escape
        return SafeString(
            f'<span class="{"text-red" if due <= now else ""}" data-countdown='
            f'"{due.isoformat()}">{text_of(due)}</span>'
        )

    return cell


def _select_cell(ticket):
    """The row's check box for the bulk actions (its number escaped, its id a number)."""
    return SafeString(
        '<input type="checkbox" class="form-check-input" name="ids" value="'
        f'{int(ticket.pk)}" form="bulk-form" aria-label="{escaped(ticket.number)}" data-bulk>'
    )


#: the bulk form's fields, in the order the form under the queue shows them
_BULK_FIELDS = ("action", "assignment_group", "resolution_code", "resolution")


def _bulk_field(field) -> SafeString:
    """One field of the (unbound) bulk form as ``ui/_form_field.html`` writes a select or a
    text input — its label and its widget (``widgets.widget_html``) — without a template
    include per field (four of them were a tenth of the queue page's template time)."""
    required = " required" if field.field.required else ""
    return SafeString(
        f'<div class="mb-3" data-field="{shown(field.name)}">\n'
        f'  <label class="form-label{required}" for="{shown(field.id_for_label)}">'
        f"{shown(capfirst(field.label))}</label>\n"
        f"  {widget_html(field)}\n"
        "</div>"
    )


#: the queue's columns read from the ticket's own row
_OWN_COLUMNS = (
    "kind",
    "title",
    "priority",
    "status",
    "due_at",
    "opened_at",
    "channel",
    "updated_at",
)
#: the queue's columns naming a related row, and what of that row its name reads
_RELATED_NAMES = {
    "customer": ("name",),
    "assignment_group": ("name",),
    "assignee": ("display_name", "first_name", "last_name", "username"),
}


class TicketList(RecordListView):
    """The agents' queue; customers see their organisation's tickets. Without a filter it
    shows the open tickets, most urgent (earliest due) first."""

    model = Ticket
    filterset_class = TicketFilterSet
    template_name = "desk/ticket_list.html"
    title = _("Tickets")
    empty_text = _("No tickets to show.")
    table_testid = "ticket-table"
    default_sort = "due_at"
    # at 1 000 000 tickets counting the 2 778 of status × priority × group × customer took
    # 43 ms of database CPU, the planner's estimate 2 801 (bench/ticket_api.py)
    estimate_filtered_counts = True
    columns = (
        Column("select", _("Select"), html=_select_cell, staff_only=True, exportable=False),
        Column("number", _("Number"), link="desk:ticket_detail", sort="number"),
        Column("kind", _("Kind"), choices=TicketKind, sort="kind", visible=False),
        Column("title", _("Summary"), sort="title"),
        Column("priority", _("Priority"), choices=Priority, sort="priority"),
        Column("status", _("Status"), choices=TicketStatus, sort="status"),
        Column("customer", _("Customer"), sort="customer__name"),
        Column("assignment_group", _("Assignment group"), staff_only=True),
        Column("assignee", _("Assignee"), staff_only=True),
        Column("due_at", _("Due"), renderer=_due_cells, sort="due_at"),
        Column("opened_at", _("Opened at"), sort="opened_at"),
        Column("channel", _("Channel"), choices=Channel, visible=False),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def get_queryset(self):
        """The tickets the user may see with only the columns shown (and of a related row
        only what names it: 50 rows of every column of the ticket, its customer, group and
        assignee were most of a page's reading); without a filter the open ones."""
        names = {column.name for column in self.shown_columns()}
        related = [name for name in _RELATED_NAMES if name in names]
        fields = ["number", *(name for name in _OWN_COLUMNS if name in names)]
        fields += [f"{name}__{part}" for name in related for part in _RELATED_NAMES[name]]
        queryset = selectors.tickets_for(self.request.user).select_related(*related).only(*fields)
        filtering = any(v for k, v in self.request.GET.items() if k not in LIST_PARAMS)
        return queryset if filtering else queryset.filter(status__in=OPEN_STATES)

    def row_attrs(self, row):
        return {"data-ticket": row.number}

    def count_rows(self, queryset, page):
        """A first page holding every matching ticket is its count (no statement)."""
        return counted_by_page(page) or super().count_rows(queryset, page)

    def bulk_form(self):
        """The bulk actions' form (desk staff who may change tickets), made once a request:
        its group select from the kept choices (``core.lists.choices``, the stamp read with
        the filter's) and written in Python (``LIST_FORM_RENDERER``)."""
        if "_bulk_form" not in self.__dict__:
            from itsm.desk.forms import BulkForm

            user = self.request.user
            form = None
            if policy.is_provider_staff(user) and policy.can(user, Ticket, "change"):
                form = BulkForm(user=user, auto_id="bulk_%s")
                form.renderer = LIST_FORM_RENDERER
                choices_in_one_query(form)
            self._bulk_form = form
        return self._bulk_form

    def kept_choice_fields(self) -> list:
        fields = super().kept_choice_fields()
        bulk = self.bulk_form()
        return fields + [bulk.fields["assignment_group"]] if bulk is not None else fields

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        bulk = self.bulk_form()
        if bulk is not None:
            context["bulk_form"] = bulk
            context["bulk_fields"] = {name: _bulk_field(bulk[name]) for name in _BULK_FIELDS}
        context["views"] = VIEWS
        context["current_view"] = self.request.GET.get("view", "")
        context["can_add"] = policy.can(user, Ticket, "add")
        return context


class CallList(RecordListView):
    model = Call
    staff_only = True
    filterset_class = CallFilterSet
    template_name = "desk/call_list.html"
    title = _("Calls")
    empty_text = _("No calls logged.")
    table_testid = "call-table"
    default_sort = "-started_at"
    columns = (
        Column("started_at", _("Call started"), sort="started_at"),
        Column("caller_name", _("Caller"), sort="caller_name"),
        Column("organisation", _("Organisation"), sort="organisation__name"),
        Column("answered", _("Answered")),
        Column("outcome", _("Outcome"), choices=CallOutcome, sort="outcome"),
        Column(
            "duration",
            _("Duration (s)"),
            value=lambda c: c.duration_seconds if c.duration_seconds is not None else "",
        ),
        Column("ticket", _("Ticket"), value="ticket.number"),
        Column("agent", _("Agent")),
    )

    def get_queryset(self):
        return selectors.calls_for(self.request.user).select_related(
            "organisation", "ticket", "agent"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_log"] = policy.can(self.request.user, Ticket, "add")
        return context


class CategoryList(RecordListView):
    model = Category
    filterset_class = CategoryFilterSet
    template_name = "desk/category_list.html"
    title = _("Ticket categories")
    empty_text = _("No categories yet.")
    table_testid = "category-table"
    default_sort = "code"
    columns = (
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("parent", _("Parent category"), value="parent.name"),
        Column("kind", _("For kind"), choices=TicketKind, sort="kind"),
        Column("is_active", _("Active")),
    )

    def get_queryset(self):
        return (
            selectors.categories_for(self.request.user)
            .select_related("parent")
            .annotate(child_count=Count("children"))
        )

    def row_actions(self, row):
        """Add a subcategory, edit, delete (not offered while it has subcategories)."""
        return render_to_string(
            "desk/config_category_actions.html",
            {"category": row, **_allowed(self, Category)},
            request=self.request,
        )


class DispatchRuleList(RecordListView):
    model = DispatchRule
    filterset_class = DispatchRuleFilterSet
    template_name = "desk/rule_list.html"
    title = _("Dispatch rules")
    empty_text = _("No dispatch rules yet: tickets wait for the desk to dispatch them.")
    table_testid = "rule-table"
    default_sort = "order"
    columns = (
        Column("order", _("Order"), sort="order"),
        Column("name", _("Name"), sort="name"),
        Column("kind", _("Kind"), choices=TicketKind),
        Column("category", _("Category"), value="category.name"),
        Column("service", _("Service"), value="service.name"),
        Column("customer", _("Customer"), value="customer.name"),
        Column("channel", _("Channel"), choices=Channel),
        Column("team", _("Assignment group"), sort="team__name"),
        Column("assign_mode", _("Assign to a person"), choices=AssignMode),
        Column("is_active", _("Active")),
    )

    def get_queryset(self):
        return selectors.dispatch_rules_for(self.request.user).select_related(
            "category", "service", "customer", "team"
        )

    def row_actions(self, row):
        """Edit, delete (with a confirmation): the configuration pages (views_config)."""
        return render_to_string(
            "desk/config_rule_actions.html",
            {"rule": row, **_allowed(self, DispatchRule)},
            request=self.request,
        )


def _allowed(view, model) -> dict[str, bool]:
    """``can_add``/``can_change``/``can_delete`` of the list's user, worked out once a request."""
    allowed = view.__dict__.get("_allowed")
    if allowed is None:
        user = view.request.user
        allowed = view._allowed = {
            f"can_{action}": policy.can(user, model, action)
            for action in ("add", "change", "delete")
        }
    return allowed
