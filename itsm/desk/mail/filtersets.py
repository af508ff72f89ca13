"""Filters of the desk e-mail lists (HTML and API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.desk.mail.choices import MailKind, Outcome
from itsm.desk.mail.models import InboundMail, Mailbox


class MailboxFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))

    class Meta:
        model = Mailbox
        fields = ["is_active"]


class InboundMailFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="subject", lookup_expr="icontains", label=_("Subject"))
    sender = django_filters.CharFilter(
        field_name="from_address", lookup_expr="icontains", label=_("From")
    )
    outcome = django_filters.MultipleChoiceFilter(choices=Outcome.choices, label=_("Outcome"))
    kind = django_filters.ChoiceFilter(choices=MailKind.choices, label=_("Kind"))

    class Meta:
        model = InboundMail
        fields = ["mailbox"]
