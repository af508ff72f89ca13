"""The clock panel as an htmx partial: a record page includes ``{% clock_panel record %}``,
which re-fetches itself here every minute so elapsed and remaining time stay live."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from itsm.core import policy
from itsm.core.generic_views import require_can
from itsm.slm.clocks.models import Clock
from itsm.slm.clocks.templatetags.clocks import panel_context


@require_GET
@login_required
def clock_panel(request, app_label: str, model_name: str, pk: int):
    """The clock panel of one record, for a user who may see the record (404 otherwise)."""
    try:
        model = apps.get_model(app_label, model_name)
        policy.policy_for(model)
    except (LookupError, TypeError):
        raise Http404
    require_can(request.user, Clock, "view")
    record = get_object_or_404(
        policy.restrict(model._default_manager.all(), request.user, "view"), pk=pk
    )
    return render(request, "clocks/_clock_timeline.html", panel_context(record, request.user))
