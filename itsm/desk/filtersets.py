"""FilterSets of the service desk, shared by the queue pages and the API."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.filtersets import CustomerFilter, FilterSet, KeptModelChoiceField
from itsm.core.lists.choices import read_stamps
from itsm.core.models import Team
from itsm.desk.choices import (
    OPEN_STATES,
    CallOutcome,
    Channel,
    TicketKind,
    TicketStatus,
)
from itsm.desk.models import Attachment, Call, Category, DispatchRule, Ticket

#: the queue's saved views (ServiceNow's "My work", "My groups' work" …)
VIEWS = (
    ("open", _("All open")),
    ("mine", _("Assigned to me")),
    ("groups", _("My groups")),
    ("unassigned", _("Unassigned")),
    ("breaching", _("Breaching within 1 hour")),
    ("major", _("Major incidents")),
    ("incomplete", _("Incomplete records")),
    ("all", _("All tickets")),
)
BREACHING_WITHIN = timedelta(hours=1)


def search_q(value: str) -> Q:
    """The number itself (``INC-000123``, case-insensitive) or the text in the summary."""
    value = (value or "").strip()
    if not value:
        return Q()
    number = value.upper()
    if "-" in number and number.split("-", 1)[0] in ("INC", "REQ", "CON"):
        return Q(number=number)
    return Q(title__icontains=value)


class TeamFilter(django_filters.ModelChoiceFilter):
    """An assignment group: its id checked against the active teams kept per process
    (``core.lists.choices``), as the customer filter is, instead of a query per request."""

    field_class = KeptModelChoiceField


class TicketFilterSet(FilterSet):
    view = django_filters.ChoiceFilter(choices=VIEWS, method="saved_view", label=_("view"))
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = django_filters.MultipleChoiceFilter(choices=TicketKind.choices, label=_("kind"))
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, label=_("status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))
    assignment_group = TeamFilter(
        queryset=Team.objects.filter(is_active=True), label=_("assignment group")
    )
    customer = CustomerFilter()
    breached = django_filters.BooleanFilter(label=_("SLA breached"))
    flapping = django_filters.BooleanFilter(label=_("flapping"))

    class Meta:
        model = Ticket
        fields = ["view", "q", "kind", "status", "priority", "assignment_group", "customer"]

    def is_valid(self):
        """django-filter's validation, the kept choices' stamps (``core.lists.choices``) of
        the group and the customer given read first in one statement, not one each (the
        queue page has read them already, with its bulk form's)."""
        if not self.__dict__.get("_stamps_read"):
            self._stamps_read = True
            data = self.data or {}
            given = [
                self.form.fields[name]
                for name in ("assignment_group", "customer")
                if name in self.form.fields and data.get(name) not in (None, "")
            ]
            if len(given) > 1:
                read_stamps(given)
        return super().is_valid()

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def saved_view(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        open_ = Q(status__in=OPEN_STATES)
        if value == "mine":
            return queryset.filter(open_, assignee=user)
        if value == "groups":
            return queryset.filter(open_, assignment_group__in=_team_ids(user))
        if value == "unassigned":
            return queryset.filter(open_, assignee__isnull=True)
        if value == "breaching":
            soon = timezone.now() + BREACHING_WITHIN
            return queryset.filter(open_, due_at__lte=soon)
        if value == "major":
            return queryset.filter(open_, is_major=True)
        if value == "incomplete":
            return queryset.filter(is_complete=False)
        if value == "open":
            return queryset.filter(open_)
        return queryset


def _team_ids(user) -> list[int]:
    if user is None or not getattr(user, "pk", None):
        return []
    return list(Team.objects.filter(members=user).values_list("pk", flat=True))


class CallFilterSet(FilterSet):
    outcome = django_filters.MultipleChoiceFilter(choices=CallOutcome.choices, label=_("outcome"))
    answered = django_filters.BooleanFilter(label=_("answered"))
    organisation = CustomerFilter(field_name="organisation", label=_("organisation"))

    class Meta:
        model = Call
        fields = ["outcome", "answered", "organisation"]


class CategoryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = django_filters.ChoiceFilter(choices=TicketKind.choices, label=_("kind"))

    class Meta:
        model = Category
        fields = ["q", "kind", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class DispatchRuleFilterSet(FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))

    class Meta:
        model = DispatchRule
        fields = ["is_active", "channel", "team"]


class AttachmentFilterSet(FilterSet):
    class Meta:
        model = Attachment
        fields = ["ticket"]
