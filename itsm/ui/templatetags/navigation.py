"""Navigation tags: ``{% breadcrumbs %}`` (the trail of the current page, ``itsm.ui.breadcrumbs``),
``{% language_switch %}`` (the language buttons, ``itsm.ui.nav_html``) and
``user|may_view:"app_label.Model"`` (show a menu entry or tab only to whom may open it)."""

from __future__ import annotations

from django import template
from django.apps import apps

from itsm.ui.breadcrumbs import trail
from itsm.ui.context_processors import may_see_rows
from itsm.ui.nav_html import language_switch as language_buttons

register = template.Library()


@register.inclusion_tag("ui/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """The crumbs of ``context["breadcrumbs"]`` if the view gave them, else computed from the
    URL (ending with ``context["breadcrumb_parent"]`` when the view names the page above)."""
    crumbs = context.get("breadcrumbs")
    request = context.get("request")
    if crumbs is None and request is not None:
        crumbs = trail(request, end=context.get("breadcrumb_parent") or None)
    return {"crumbs": crumbs or []}


@register.filter
def may_view(user, model_label: str) -> bool:
    """Whether *user* may open the list of *model_label* (``"outbox.NotificationChannel"``):
    the same rule as the menu (``may_see_rows``), so a tab that would answer 403 is not shown."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return may_see_rows(user, apps.get_model(model_label))


@register.simple_tag(takes_context=True)
def language_switch(context):
    """The language buttons, posting back to the current page."""
    request = context.get("request")
    return language_buttons(context.get("csrf_token"), request.get_full_path() if request else "")
