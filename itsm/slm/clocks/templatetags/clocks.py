"""``{% load clocks %}{% clock_panel record %}``: the explained SLA clocks of any record."""

from django import template

from itsm.slm.clocks import selectors
from itsm.slm.clocks.choices import ClockState

register = template.Library()


@register.inclusion_tag("clocks/_clock_timeline.html")
def clock_panel(record):
    return {"clock_views": selectors.clock_panel(record), "clock_state_choices": ClockState}


@register.filter
def business_duration(seconds) -> str:
    return selectors.format_business(seconds or 0)


@register.filter(name="metric_label")
def metric_label_filter(metric: str) -> str:
    """Translated label of a clock metric (``response`` → "Response time")."""
    from itsm.slm.clocks.services import metric_label

    return metric_label(metric or "")
