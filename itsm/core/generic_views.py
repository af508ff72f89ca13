"""Generic HTML views and lookup helpers shared by every app's pages.

* 403 when the user may not *action* any row of the model (``policy.can_reach``: the roles do
  not allow it, or the model is provider-internal for a customer or supplier user) and on a
  page declared staff-only (``staff_only = True`` on a class view, ``@page(Model,
  staff_only=True)`` on a function view) for users outside the provider;
* 404 for rows outside ``.restrict(user, action)`` (other organisations' rows are not disclosed);
* writes (create/edit forms, transitions, other POST actions): ``itsm.core.form_views``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, View
from django.views.generic.base import ContextMixin

from itsm.core import policy

# --- helpers for function views ---------------------------------------------------------------


def require_can(user, model: type[Model], action: str, *, staff_only: bool = False) -> None:
    """403 unless *user* may *action* some row of *model* (``policy.can_reach``), and, with
    *staff_only*, unless *user* is provider staff."""
    if not policy.can_reach(user, model, action):
        raise PermissionDenied
    if staff_only and not policy.is_provider_staff(user):
        raise PermissionDenied


@dataclass(frozen=True)
class PageAccess:
    """What a function view declares with :func:`page`: the model it shows, the action it
    needs and whether only provider staff may open it (read by the route walk test)."""

    model: type[Model]
    action: str = "view"
    staff_only: bool = False


def page(model: type[Model], *, action: str = "view", staff_only: bool = False):
    """Declare the model a function view is about and check access before it runs: login
    (redirect to the login page), then 403 unless ``require_can(user, model, action,
    staff_only=…)``. The view still fetches its row with :func:`get_restricted_or_404`.

    Use ``staff_only=True`` for provider work pages over a model customers may otherwise
    see (their rows appear on their own records), e.g. the SLA clock list."""
    access = PageAccess(model, action, staff_only)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            require_can(request.user, model, action, staff_only=staff_only)
            return view(request, *args, **kwargs)

        checked = login_required(wrapper)
        # a function attribute, read by the route walk test
        checked.page_access = access  # type: ignore[attr-defined]
        return checked

    return decorate


def restricted(request, model: type[Model], action: str = "view", *, queryset=None):
    """The rows of *model* (or *queryset*) ``request.user`` may *action*; 403 when the user's
    roles do not allow *action* on *model* at all."""
    require_can(request.user, model, action)
    if queryset is None:
        queryset = model._default_manager.all()
    return policy.restrict(queryset, request.user, action)


def get_restricted_or_404(
    request, model: type[Model], pk, action: str = "view", *, queryset=None, visible_first=False
):
    """The row *pk* of *model* (or *queryset*) if ``request.user`` may *action* it.

    By default: 403 when the user's roles do not allow *action* on *model* at all, 404 when the
    row is not in ``restrict(user, action)``.

    With ``visible_first=True``: 403 when the user may not view any row of *model*, 404 when
    the user may not view this row, 403 when the user sees it but may not *action* it.
    """
    if queryset is None:
        queryset = model._default_manager.all()
    user = request.user
    if not visible_first:
        return get_object_or_404(restricted(request, model, action, queryset=queryset), pk=pk)
    require_can(user, model, "view")  # a provider-internal model: 403 whatever the id
    obj = get_object_or_404(policy.restrict(queryset, user, "view"), pk=pk)
    if action != "view" and not policy.restrict(queryset, user, action).filter(pk=pk).exists():
        raise PermissionDenied
    return obj


# --- class-based views ------------------------------------------------------------------------


if TYPE_CHECKING:

    class _PolicyBase(LoginRequiredMixin, ContextMixin, View):
        """What PolicyMixin is mixed into: a view with a context."""

else:
    _PolicyBase = LoginRequiredMixin


class PolicyMixin(_PolicyBase):
    """Checks ``require_can(user, model, action)`` (403) and restricts querysets (404).
    ``staff_only = True`` declares a provider work page (403 for customers and suppliers)."""

    model: type[Model]
    action = "view"
    staff_only = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_can(request.user, self.model, self.action, staff_only=self.staff_only)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return policy.restrict(self.base_queryset(), self.request.user, self.action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["model_meta"] = self.model._meta
        context["can_add"] = policy.can(user, self.model, "add")
        context["can_change"] = policy.can(user, self.model, "change")
        return context


def record_context(request, obj, *, machine=None) -> dict:
    """What every record page shows besides its own fields and related lists: the record
    (``object``), whether the user may change this row (``can_change``: it is in
    ``restrict(user, "change")``) and the moves of its declared state machine (*machine*,
    default ``type(obj).state_machine``) the user may make now (``transitions``: none without
    the change permission). A page narrows them further where its rules say so (four eyes,
    a retired record)."""
    model = type(obj)
    rows = model._default_manager.filter(pk=obj.pk)
    can_change = policy.restrict(rows, request.user, "change").exists()
    machine = machine or getattr(model, "state_machine", None)
    transitions = machine.available(obj, request.user) if can_change and machine else []
    return {"object": obj, "can_change": can_change, "transitions": transitions}


class RecordDetailView(PolicyMixin, DetailView):
    """A record page: the row from ``restrict(user, "view")`` (404 otherwise) and
    :func:`record_context` (``can_change`` of this row, ``transitions``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(record_context(self.request, self.object))
        return context
