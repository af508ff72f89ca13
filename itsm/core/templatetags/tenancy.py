"""Template side of the tenancy policy: pages ask the same rule as the API."""

from __future__ import annotations

from django import template
from django.apps import apps

from itsm.core import policy

register = template.Library()


@register.filter
def sees_internal(user, model_label: str) -> bool:
    """``{% if request.user|sees_internal:"slm.Agreement" %}``: whether *user* may see the
    model's internal fields (``ModelPolicy.internal_fields``) — provider staff only."""
    return policy.sees_internal(user, apps.get_model(model_label))
