"""Pages of desk e-mail: mailboxes (provider staff see them, administrators edit them) and
the mail received (provider staff)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.form_views import RecordCreateView, RecordEditView, action_post
from itsm.core.generic_views import RecordDetailView, get_restricted_or_404, page
from itsm.core.stored_text import shown
from itsm.desk.mail import services
from itsm.desk.mail.choices import Outcome
from itsm.desk.mail.forms import FIELDS, MailboxForm
from itsm.desk.mail.models import InboundMail, Mailbox


class MailboxDetail(RecordDetailView):
    model = Mailbox
    staff_only = True
    template_name = "deskmail/mailbox_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent"] = (
            InboundMail.objects.restrict(self.request.user)
            .filter(mailbox=self.object)
            .select_related("ticket")
            .order_by("-id")[:20]
        )
        context["last_error"] = shown(self.object.last_error)
        context["outcomes"] = Outcome
        context["can_delete"] = policy.can(self.request.user, Mailbox, "delete")
        return context


class MailboxCreate(RecordCreateView):
    model = Mailbox
    form_class = MailboxForm
    detail_url_name = "deskmail:mailbox_detail"
    list_url_name = "deskmail:mailbox_list"
    staff_only = True

    def perform(self, form):
        data = {name: form.cleaned_data[name] for name in FIELDS}
        return services.create_mailbox(by=self.request.user, **data)


class MailboxEdit(RecordEditView):
    model = Mailbox
    form_class = MailboxForm
    detail_url_name = "deskmail:mailbox_detail"
    staff_only = True

    def perform(self, form):
        fields = {name: form.cleaned_data[name] for name in FIELDS if name in form.changed_data}
        if form.cleaned_data.get("password"):
            fields["password"] = form.cleaned_data["password"]
        if fields:
            services.update_mailbox(
                self.object,
                by=self.request.user,
                expected_version=form.cleaned_data.get("version"),
                **fields,
            )
        return self.object


@require_POST
@page(Mailbox, action="delete", staff_only=True)
def mailbox_delete(request, pk: int):
    mailbox = get_restricted_or_404(request, Mailbox, pk, "delete")
    return action_post(
        request,
        lambda: services.delete_mailbox(mailbox, by=request.user),
        success=_("Mailbox deleted."),
        next_url=reverse("deskmail:mailbox_list"),
        error_url=reverse("deskmail:mailbox_detail", args=[mailbox.pk]),
        model=Mailbox,
        confirm={
            "heading": _("Delete the mailbox “{name}”?").format(name=mailbox.name),
            "consequence": _(
                "Its mail is no longer read. The mail received so far stays in the log."
            ),
            "button": _("Delete mailbox"),
            "cancel_url": reverse("deskmail:mailbox_detail", args=[mailbox.pk]),
        },
    )


@require_POST
@page(Mailbox, action="change", staff_only=True)
def mailbox_poll(request, pk: int):
    """Read the mailbox now (what the worker does every minute)."""
    mailbox = get_restricted_or_404(request, Mailbox, pk, "change")
    url = reverse("deskmail:mailbox_detail", args=[mailbox.pk])

    def poll():
        try:
            return services.poll(mailbox)
        except services.PollError as exc:
            from itsm.core.errors import ValidationFailed

            raise ValidationFailed(
                _("The mailbox could not be read: {error}").format(error=exc),
                fields={"host": [str(exc)]},
            ) from exc

    return action_post(
        request,
        poll,
        success=lambda result: _("Mails read: {count}.").format(count=result.read),
        next_url=url,
        model=Mailbox,
    )


@page(InboundMail, staff_only=True)
def inbound_detail(request, pk: int):
    mail = get_restricted_or_404(
        request,
        InboundMail,
        pk,
        queryset=InboundMail.objects.select_related("mailbox", "ticket"),
    )
    ticket_url = None
    if mail.ticket_id is not None:
        try:
            ticket_url = reverse("desk:ticket_detail", args=[mail.ticket_id])
        except Exception:  # the desk pages are not mounted
            ticket_url = None
    return render(
        request,
        "deskmail/inbound_detail.html",
        {
            "object": mail,
            "detail": shown(mail.detail),
            "ticket_url": ticket_url,
            "outcomes": Outcome,
        },
    )
