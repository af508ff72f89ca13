"""The outbox and job-run lists on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.lists import Column, RecordListView
from itsm.core.outbox.choices import JobStatus, MessageChannel, MessageStatus
from itsm.core.outbox.filtersets import JobFilterSet, OutboxMessageFilterSet
from itsm.core.outbox.jobs import job_label
from itsm.core.outbox.models import Job, OutboxMessage


class MessageList(RecordListView):
    model = OutboxMessage
    filterset_class = OutboxMessageFilterSet
    template_name = "outbox/message_list.html"
    title = _("Outgoing messages")
    empty_text = _("No messages.")
    default_sort = "-id"
    columns = (
        Column("key", _("Key"), sort="key", css="text-break"),
        Column("channel", _("Channel"), choices=MessageChannel, sort="channel"),
        Column(
            "target",
            _("Target"),
            html=lambda m: Truncator(m.target).chars(60),
            sort="target",
            css="text-break",
        ),
        Column("status", _("Status"), choices=MessageStatus, sort="status"),
        Column("attempts", _("Attempts"), sort="attempts"),
        Column(
            "next_attempt_at",
            _("Next attempt"),
            value=lambda m: m.next_attempt_at if m.status == MessageStatus.PENDING else None,
            sort="next_attempt_at",
        ),
        Column("sent_at", _("Sent"), sort="sent_at"),
        Column(
            "error",
            _("Last error"),
            html=lambda m: format_html(
                '<span class="text-danger small">{}</span>', Truncator(m.error_text).chars(300)
            ),
            export=lambda m: m.error_text,
        ),
        Column("created_at", _("Created"), sort="created_at", visible=False),
    )

    def base_queryset(self):
        return OutboxMessage.objects.defer("payload")

    def row_actions(self, row):
        if row.status != MessageStatus.DEAD or not policy.can(
            self.request.user, OutboxMessage, "change"
        ):
            return ""
        return render_to_string("outbox/_retry_form.html", {"message": row}, request=self.request)


class JobList(RecordListView):
    model = Job
    filterset_class = JobFilterSet
    template_name = "outbox/job_list.html"
    title = _("Background jobs")
    empty_text = _("No job runs yet.")
    default_sort = "-id"
    columns = (
        Column(
            "name",
            _("Job"),
            html=lambda j: format_html(
                '{}<div class="small text-secondary"><code>{}</code></div>', j.label, j.name
            ),
            export=lambda j: j.label,
            sort="name",
        ),
        Column("started_at", _("Started"), sort="started_at"),
        Column(
            "duration",
            _("Duration"),
            value=lambda j: None if j.duration is None else f"{j.duration.total_seconds():.2f} s",
        ),
        Column("status", _("Status"), choices=JobStatus, sort="status"),
        Column("worker", _("Worker"), sort="worker", css="text-secondary"),
        Column(
            "detail",
            _("Detail"),
            html=lambda j: format_html(
                '<pre class="mb-0 small" style="white-space: pre-wrap; max-height: 8rem; '
                'overflow: auto;">{}</pre>',
                Truncator(j.detail_text).chars(2000),
            ),
            export=lambda j: j.detail_text,
        ),
    )

    def filtered_queryset(self):
        queryset = super().filtered_queryset()
        if self.filterset is not None:
            names = self.get_queryset().order_by().values_list("name", flat=True).distinct()[:200]
            choices = sorted(((n, job_label(n)) for n in names), key=lambda pair: pair[1])
            field = self.filterset.form.fields["name"]
            field.widget = forms.Select(
                choices=[("", _("All jobs")), *choices], attrs={"class": "form-select"}
            )
        return queryset
