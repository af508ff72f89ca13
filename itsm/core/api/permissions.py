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


def _is_detail(view) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


def _action(request, view) -> str | None:
    explicit = getattr(view, "policy_action", None)
    if explicit:
        return explicit
    action = _METHOD_ACTIONS.get(request.method)
    if action == "add" and _is_detail(view):
        return "change"  # a POST to one record (e.g. …/{id}/transition/) changes it
    return action


def _model(view):
    model = getattr(view, "policy_model", None)
    if model is None:
        queryset = getattr(view, "queryset", None)
        model = queryset.model if queryset is not None else None
    return model


class PolicyPermission(BasePermission):
    """Allows a request when the user's roles allow the action on the view's model.

    Row visibility (tenancy) is applied by the view's ``get_queryset`` through
    ``restrict(user, "view")``. On a detail route the role check waits for the object, so a
    row the user cannot see answers 404 (whatever the method) and a visible row the user may
    not change answers 403. On a list route a missing role answers 403.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = _model(view)
        if model is None:
            return True
        if _is_detail(view):
            return policy.can(request.user, model, "view")
        return policy.can(request.user, model, _action(request, view) or "view")

    def has_object_permission(self, request, view, obj) -> bool:
        action = _action(request, view)
        if action in (None, "view"):
            return True
        model = type(obj)
        return policy.restrict(
            model._default_manager.filter(pk=obj.pk), request.user, action
        ).exists()
