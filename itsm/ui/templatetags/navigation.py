"""Navigation tags: ``{% breadcrumbs %}`` (the trail of the current page, ``itsm.ui.breadcrumbs``),
``{% language_switch %}`` (the language buttons, ``itsm.ui.nav_html``) and
``user|may_view:"app_label.Model"`` (show a menu entry or tab only to whom may open it)."""

from __future__ import annotations

from django import template
from django.apps import apps
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from itsm.ui.breadcrumbs import trail
from itsm.ui.context_processors import may_see_rows
from itsm.ui.nav_html import language_switch as language_buttons

register = template.Library()


def _part(crumb, name: str):
    """``{{ crumb.<name> }}``'s value: a key of a dict, else an attribute (a ``Crumb``)."""
    if isinstance(crumb, dict):
        return crumb.get(name, "")
    return getattr(crumb, name, "")


@register.simple_tag(takes_context=True)
def breadcrumbs(context):
    """The crumbs of ``context["breadcrumbs"]`` if the view gave them, else computed from the
    URL (ending with ``context["breadcrumb_parent"]`` when the view names the page above), as
    the template ``ui/_breadcrumbs.html`` wrote them (``ui/tests/test_shell_cache.py``
    compares): a ``<nav>`` of links, nothing without crumbs."""
    crumbs = context.get("breadcrumbs")
    request = context.get("request")
    if crumbs is None and request is not None:
        crumbs = trail(request, end=context.get("breadcrumb_parent") or None)
    if not crumbs:
        return mark_safe("\n")
    items = "".join(
        f'<li class="breadcrumb-item"><a href="{conditional_escape(_part(crumb, "url"))}">'
        f"{conditional_escape(_part(crumb, 'label'))}</a></li>"
        for crumb in crumbs
    )
    label = _("Breadcrumb")  # outside the f-string: makemessages does not read inside one
    return mark_safe(  # the crumbs' parts are escaped above
        f'<nav aria-label="{label}" data-testid="breadcrumbs">\n'
        f'  <ol class="breadcrumb breadcrumb-arrows mb-1">\n    {items}\n  </ol>\n</nav>\n'
    )


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
