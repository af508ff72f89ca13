"""Pages of the outbox app: job runs, outbox messages (retry of dead letters) and
notification channels. Every queryset goes through ``restrict``; writes through services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.form_views import action_post, save_form
from itsm.core.generic_views import (
    get_restricted_or_404,
    require_can,
    restricted,
)
from itsm.core.outbox import services
from itsm.core.outbox.filtersets import (
    NotificationChannelFilterSet,
)
from itsm.core.outbox.forms import NotificationChannelForm
from itsm.core.outbox.models import NotificationChannel, OutboxMessage


@login_required
@require_POST
def message_retry(request, pk: int):
    message = get_restricted_or_404(request, OutboxMessage, pk, "change")
    next_url = request.POST.get("next") or reverse("outbox:message_list")
    return action_post(
        request,
        lambda: services.retry_message(message, by=request.user),
        success=_("Message {key} queued again.").format(key=message.key),
        next_url=next_url,
        model=OutboxMessage,
    )


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
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda: services.create_channel(by=request.user, **form.channel_fields()),
            success=lambda channel: _("Channel {name} created.").format(name=channel.name),
            next_url=reverse("outbox:channel_list"),
        )
        if saved is not None:
            return saved
    return render(request, "outbox/channel_form.html", {"form": form, "channel": None})


@login_required
def channel_edit(request, pk: int):
    channel = get_restricted_or_404(request, NotificationChannel, pk, "change")
    form = NotificationChannelForm(request.POST or None, instance=channel)
    if request.method == "POST":
        saved = save_form(
            request,
            form,
            lambda: services.update_channel(
                channel,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                **form.channel_fields(),
            ),
            success=lambda _result: _("Channel {name} saved.").format(name=channel.name),
            next_url=reverse("outbox:channel_list"),
        )
        if saved is not None:
            return saved
    return render(request, "outbox/channel_form.html", {"form": form, "channel": channel})
