"""``{% load clocks %}{% clock_panel record %}``: the explained SLA clocks of any record."""

from django import template
from django.urls import reverse

from itsm.slm.clocks import selectors
from itsm.slm.clocks.choices import ClockState, metric_label

register = template.Library()


def panel_context(record, user) -> dict:
    """What ``clocks/_clock_timeline.html`` shows, and the URL it refreshes itself from."""
    meta = record._meta
    return {
        "clock_views": selectors.clock_panel(record, user=user),
        "clock_state_choices": ClockState,
        "panel_url": reverse(
            "clocks:clock_panel", args=[meta.app_label, meta.model_name, record.pk]
        ),
    }


@register.inclusion_tag("clocks/_clock_timeline.html", takes_context=True)
def clock_panel(context, record):
    request = context.get("request")
    return panel_context(record, getattr(request, "user", None))


@register.filter
def live_time(clock) -> selectors.ClockTime:
    """``{% with time=clock|live_time %}``: elapsed/remaining business time now (no query when
    the clock's calendar is loaded)."""
    return selectors.clock_time(clock)


@register.filter
def remaining_text(seconds) -> str:
    return selectors.format_remaining(int(seconds or 0))


@register.filter
def business_duration(seconds) -> str:
    return selectors.format_business(seconds or 0)


@register.filter(name="metric_label")
def metric_label_filter(metric: str) -> str:
    """Translated label of a clock metric (``response`` → "Response time")."""
    return metric_label(metric or "")
