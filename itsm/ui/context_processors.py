"""Navigation of the UI shell: one declared list, filtered by what the user may view."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": _("Dashboard"), "url": reverse("ui:dashboard"), "icon": "home"},
    ]
    return {"nav_items": items}
