"""Pages of the outbox app: job runs, outbox messages (retry of dead letters) and
notification channels. Every queryset goes through ``restrict``; writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.errors import DomainError
from itsm.core.form_helpers import apply_errors
from itsm.core.generic_views import (
    get_restricted_or_404,
    keyset_page,
    require_can,
    restricted,
)
from itsm.core.outbox import services
from itsm.core.outbox.choices import JobStatus, MessageStatus
from itsm.core.outbox.filtersets import (
    JobFilterSet,
    NotificationChannelFilterSet,
    OutboxMessageFilterSet,
)
from itsm.core.outbox.forms import NotificationChannelForm
from itsm.core.outbox.jobs import job_label
from itsm.core.outbox.models import Job, NotificationChannel, OutboxMessage


@login_required
def job_list(request):
    queryset = restricted(request, Job)
    filterset = JobFilterSet(request.GET, queryset=queryset)
    page = keyset_page(filterset.qs, request)
    names = sorted(
        (
            (name, job_label(name))
            for name in queryset.order_by().values_list("name", flat=True).distinct()[:200]
        ),
        key=lambda pair: pair[1],
    )
    return render(
        request,
        "outbox/job_list.html",
        {
            "rows": page.rows,
            "page": page,
            "filterset": filterset,
            "names": names,
            "statuses": JobStatus.choices,
        },
    )


@login_required
def message_list(request):
    queryset = restricted(request, OutboxMessage)
    filterset = OutboxMessageFilterSet(request.GET, queryset=queryset.defer("payload"))
    page = keyset_page(filterset.qs, request)
    can_retry = policy.can(request.user, OutboxMessage, "change")
    return render(
        request,
        "outbox/message_list.html",
        {
            "rows": page.rows,
            "page": page,
            "filterset": filterset,
            "statuses": MessageStatus.choices,
            "can_retry": can_retry,
        },
    )


@login_required
@require_POST
def message_retry(request, pk: int):
    message = get_restricted_or_404(request, OutboxMessage, pk, "change")
    try:
        services.retry_message(message, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Message {key} queued again.").format(key=message.key))
    return redirect(request.POST.get("next") or "outbox:message_list")


@login_required
def channel_list(request):
    queryset = restricted(request, NotificationChannel)
    filterset = NotificationChannelFilterSet(request.GET, queryset=queryset)
    return render(
        request,
        "outbox/channel_list.html",
        {
            "rows": filterset.qs.order_by("name")[:500],
            "filterset": filterset,
            "can_add": policy.can(request.user, NotificationChannel, "add"),
        },
    )


@login_required
def channel_create(request):
    require_can(request.user, NotificationChannel, "add")
    form = NotificationChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.create_channel(by=request.user, **form.channel_fields())
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Channel {name} created.").format(name=channel.name))
            return redirect("outbox:channel_list")
    return render(request, "outbox/channel_form.html", {"form": form, "channel": None})


@login_required
def channel_edit(request, pk: int):
    channel = get_restricted_or_404(request, NotificationChannel, pk, "change")
    form = NotificationChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_channel(
                channel,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                **form.channel_fields(),
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Channel {name} saved.").format(name=channel.name))
            return redirect("outbox:channel_list")
    return render(request, "outbox/channel_form.html", {"form": form, "channel": channel})
