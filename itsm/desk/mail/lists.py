"""List pages of desk e-mail: the mailboxes and the mail received (provider staff only)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.core.stored_text import shown
from itsm.desk.mail.choices import MailKind, Outcome, Security
from itsm.desk.mail.filtersets import InboundMailFilterSet, MailboxFilterSet
from itsm.desk.mail.models import InboundMail, Mailbox


def _ticket_link(row) -> str:
    ticket = row.ticket
    if ticket is None:
        return ""
    try:
        url = reverse("desk:ticket_detail", args=[ticket.pk])
    except NoReverseMatch:
        return ticket.number
    return format_html('<a href="{}">{}</a>', url, ticket.number)


class MailboxList(RecordListView):
    model = Mailbox
    filterset_class = MailboxFilterSet
    template_name = "deskmail/mailbox_list.html"
    staff_only = True
    title = _("Mailboxes")
    empty_text = _("No mailboxes yet.")
    default_sort = "name"
    columns = (
        Column("name", _("Name"), link="deskmail:mailbox_detail", sort="name"),
        Column("addresses", _("Desk addresses"), value=lambda m: ", ".join(m.address_list)),
        Column("host", _("IMAP host"), sort="host"),
        Column("port", _("IMAP port"), visible=False),
        Column("security", _("Security"), choices=Security, visible=False),
        Column("default_customer", _("Default customer"), value="default_customer.name"),
        Column("is_active", _("Active")),
        Column("last_polled_at", _("Last polled"), sort="last_polled_at"),
        Column("last_error", _("Last error"), value=lambda m: shown(m.last_error)),
    )

    def base_queryset(self):
        return super().base_queryset().select_related("default_customer")


class InboundMailList(RecordListView):
    model = InboundMail
    filterset_class = InboundMailFilterSet
    template_name = "deskmail/inbound_list.html"
    staff_only = True
    title = _("Received mail")
    empty_text = _("No mail received.")
    default_sort = "-id"
    columns = (
        Column("received_at", _("Received"), link="deskmail:inbound_detail", sort="id"),
        Column("mailbox", _("Mailbox"), value="mailbox.name"),
        Column("from_address", _("From"), sort="from_address"),
        Column("subject", _("Subject")),
        Column("kind", _("Kind"), choices=MailKind),
        Column("outcome", _("Outcome"), choices=Outcome, sort="outcome"),
        Column(
            "ticket",
            _("Ticket"),
            html=_ticket_link,
            export=lambda r: getattr(r.ticket, "number", ""),
        ),
        Column("size", _("Size (bytes)"), visible=False),
        Column("message_id", _("Message-ID"), visible=False),
        Column("reason", _("Why automatic"), visible=False),
    )

    def base_queryset(self):
        return super().base_queryset().select_related("mailbox", "ticket")
