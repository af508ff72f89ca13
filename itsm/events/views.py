"""Pages of event management: an alert's page (the monitoring point that fired, the incident,
deliveries, suppression, flapping), the alert sources (with their endpoint and how to set up
Alertmanager or Zabbix; the secret shown once), the rules' create and edit pages. The lists
are in ``lists.py``. Every write goes through ``itsm.events.services``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.form_views import action_post, form_page, save_versioned_edit
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.events import selectors, services
from itsm.events.choices import AlertStatus, AuthMethod, Severity, SourceKind
from itsm.events.forms import RuleEditForm, RuleForm, SourceEditForm, SourceForm
from itsm.events.models import Alert, AlertRule, AlertSource

#: the session key holding a new secret until the source's page shows it once
_SECRET_KEY = "events_new_secret"


@page(Alert)
def alert_detail(request, pk: int):
    queryset = Alert.objects.restrict(request.user, "view").select_related(
        "source", "ci", "service", "monitoring_point", "monitoring_point__ci", "rule", "ticket"
    )
    alert = get_object_or_404(queryset, pk=pk)
    return render(
        request,
        "events/alert_detail.html",
        {
            "alert": alert,
            "staff": policy.sees_internal(request.user, Alert),
            "status_choices": AlertStatus,
            "severity_choices": Severity,
            "labels": sorted(alert.labels.items()),
            "annotations": sorted(alert.annotations.items()),
        },
    )


def _source_url(source) -> str:
    return reverse("events:source_detail", args=[source.pk])


def _keep_secret(request, source, secret) -> None:
    if secret:
        request.session[_SECRET_KEY] = {"source": source.pk, "secret": secret}


@page(AlertSource, staff_only=True)
def source_detail(request, pk: int):
    source = get_restricted_or_404(request, AlertSource, pk, "view")
    kept = request.session.pop(_SECRET_KEY, None)
    secret = kept["secret"] if kept and kept.get("source") == source.pk else ""
    endpoint = request.build_absolute_uri(selectors.endpoint_path(source))
    record = record_context(request, source)
    return render(
        request,
        "events/source_detail.html",
        {
            "source": source,
            "secret": secret,
            "endpoint": endpoint,
            "can_change": record["can_change"],
            "kind_choices": SourceKind,
            "auth_choices": AuthMethod,
            "is_hmac": source.auth == AuthMethod.HMAC,
            "signature_header": services.SIGNATURE_HEADER,
            "rules": source.rules.order_by("position", "id"),
            "recent": selectors.alerts_for(request.user)
            .filter(source=source)
            .select_related("ticket")
            .order_by("-id")[:10],
        },
    )


@page(AlertSource, action="add", staff_only=True)
def source_create(request):
    form = SourceForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.SOURCE_EDITABLE}
        source, secret = services.create_source(by=request.user, **fields)
        _keep_secret(request, source, secret)
        return source

    return form_page(
        request,
        form,
        save,
        success=_("Alert source created. Copy its secret now: it is shown only once."),
        next_url=_source_url,
        heading=_("New alert source"),
        cancel_url=reverse("events:source_list"),
        template="events/form.html",
        context={"back_url": reverse("events:source_list"), "back_label": _("Alert sources")},
    )


@page(AlertSource, action="change", staff_only=True)
def source_edit(request, pk: int):
    source = get_restricted_or_404(request, AlertSource, pk, "change")
    form = SourceEditForm(
        request.POST or None,
        instance=source,
        user=request.user,
        initial={"version": source.version},
    )

    def save():
        updated, secret = save_versioned_edit(
            form,
            model=AlertSource,
            pk=pk,
            update=services.update_source,
            by=request.user,
            names=services.SOURCE_EDITABLE,
        )
        _keep_secret(request, updated, secret)
        return updated

    return form_page(
        request,
        form,
        save,
        success=_("Alert source saved."),
        next_url=_source_url(source),
        heading=_("Edit alert source: {source}").format(source=source),
        cancel_url=_source_url(source),
        template="events/form.html",
        context={"back_url": reverse("events:source_list"), "back_label": _("Alert sources")},
    )


@page(AlertSource, action="change", staff_only=True)
@require_POST
def source_renew(request, pk: int):
    source = get_restricted_or_404(request, AlertSource, pk, "change")

    def renew():
        _keep_secret(request, source, services.renew_secret(source, by=request.user))
        return source

    return action_post(
        request,
        renew,
        success=_("New secret made; the old one no longer works. Copy it now."),
        next_url=_source_url(source),
        model=AlertSource,
        confirm={
            "heading": _("Renew the secret of {source}?").format(source=source),
            "consequence": _(
                "The current secret stops working at once: the monitoring system must be "
                "given the new one."
            ),
            "button": _("Renew the secret"),
            "cancel_url": _source_url(source),
            "record": source,
        },
    )


@page(AlertRule, action="add", staff_only=True)
def rule_create(request):
    form = RuleForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        return services.create_rule(by=request.user, **{n: data[n] for n in services.RULE_EDITABLE})

    return form_page(
        request,
        form,
        save,
        success=_("Alert rule created."),
        next_url=reverse("events:rule_list"),
        heading=_("New alert rule"),
        cancel_url=reverse("events:rule_list"),
        template="events/form.html",
        context={"back_url": reverse("events:rule_list"), "back_label": _("Alert rules")},
    )


@page(AlertRule, action="change", staff_only=True)
def rule_edit(request, pk: int):
    rule = get_restricted_or_404(request, AlertRule, pk, "change")
    form = RuleEditForm(
        request.POST or None, instance=rule, user=request.user, initial={"version": rule.version}
    )

    def save():
        return save_versioned_edit(
            form,
            model=AlertRule,
            pk=pk,
            update=services.update_rule,
            by=request.user,
            names=services.RULE_EDITABLE,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Alert rule saved."),
        next_url=reverse("events:rule_list"),
        heading=_("Edit alert rule: {rule}").format(rule=rule),
        cancel_url=reverse("events:rule_list"),
        template="events/form.html",
        context={"back_url": reverse("events:rule_list"), "back_label": _("Alert rules")},
    )
