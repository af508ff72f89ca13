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


@register.filter
def clock_verb(verb: str) -> str:
    """Label of a timeline verb (the clocks app registers its labels in ``apps.py``)."""
    from itsm.core.timeline import verb_label

    return verb_label(verb)
