"""DRF permission that defers to ``core.policy``: the one policy for UI and API."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from itsm.core import policy

_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class PolicyPermission(BasePermission):
    """Allows a request when the user's roles allow the action on the view's model.

    Row visibility (tenancy) is applied by the view's ``get_queryset`` through
    ``restrict(user, "view")``: a row the user cannot see answers 404, a visible row the user
    may not change answers 403.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(view, "policy_model", None)
        if model is None:
            queryset = getattr(view, "queryset", None)
            model = queryset.model if queryset is not None else None
        if model is None:
            return True
        action = getattr(view, "policy_action", None) or _METHOD_ACTIONS.get(request.method)
        if action == "view" or action is None:
            return policy.can(request.user, model, "view")
        return policy.can(request.user, model, action)

    def has_object_permission(self, request, view, obj) -> bool:
        action = getattr(view, "policy_action", None) or _METHOD_ACTIONS.get(request.method)
        if action in (None, "view"):
            return True
        model = type(obj)
        return policy.restrict(model.objects.filter(pk=obj.pk), request.user, action).exists()
