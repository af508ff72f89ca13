"""Impact analysis page (R-CMDB-04): direction and depth form, summary cards, the table of
impacted CIs with their shortest paths and an ECharts graph (``static/cmdb/impact-graph.js``,
fed by a ``json_script`` block)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.cmdb.choices import ImpactDirection
from itsm.cmdb.impact import MAX_IMPACT_DEPTH, collector_paused, impact
from itsm.cmdb.models import ConfigurationItem
from itsm.core.form_helpers import style_form
from itsm.core.generic_views import get_restricted_or_404

#: most CIs the page shows (the API allows more)
PAGE_LIMIT = 1000
#: an id no CI has, to cut a detail URL around it
_MARK = 987654321987


class ImpactForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"), choices=ImpactDirection.choices, initial=ImpactDirection.DEPENDENTS
    )
    depth = forms.IntegerField(label=_("Depth"), min_value=1, max_value=MAX_IMPACT_DEPTH, initial=6)


def _detail_urls() -> Callable[[int], str]:
    """The URL of a CI's page from its id: ``reverse()`` once, not once a CI (~13 µs each,
    twice per CI on this page)."""
    head, tail = reverse("cmdb:ci_detail", args=[_MARK]).split(str(_MARK))
    return lambda pk: f"{head}{pk}{tail}"


def _graph_payload(result, start, url: Callable[[int], str]) -> dict:
    shared = gettext("Shared infrastructure")
    nodes = [
        {
            "id": str(node.id),
            "name": shared if node.masked else f"{node.number} {node.name}",
            "category": "shared" if node.masked else node.class_code,
            "categoryLabel": shared if node.masked else node.class_label,
            "depth": node.depth,
            "masked": node.masked,
            "start": node.id == start.pk,
            # a click opens the CI; shared infrastructure masked for a customer has no link
            "url": None if node.masked else url(node.id),
        }
        for node in result.nodes
    ]
    edges = [
        {"source": str(edge.source), "target": str(edge.target), "label": edge.type_label}
        for edge in result.edges
    ]
    return {"nodes": nodes, "edges": edges, "start": str(start.pk)}


@login_required
def ci_impact(request, pk: int):
    ci = get_restricted_or_404(
        request,
        ConfigurationItem,
        pk,
        queryset=ConfigurationItem.objects.select_related("ci_class"),
    )
    form = style_form(
        ImpactForm(request.GET or {"direction": ImpactDirection.DEPENDENTS, "depth": 6})
    )
    result = None
    rows = []
    url = _detail_urls()
    with collector_paused():  # up to 1 000 CIs: thousands of objects, no cycles (see there)
        if form.is_valid():
            result = impact(
                ci,
                direction=form.cleaned_data["direction"],
                max_depth=form.cleaned_data["depth"],
                user=request.user,
                limit=PAGE_LIMIT,
            )
            shared = gettext("Shared infrastructure")
            labels = {
                node.id: (shared if node.masked else node.number or str(node.id))
                for node in result.nodes
            }
            rows = [
                {
                    "node": node,
                    "path": " → ".join(labels[step] for step in node.path),
                    "url": url(node.id),
                }
                for node in result.impacted
            ]
        return render(
            request,
            "cmdb/impact.html",
            {
                "ci": ci,
                "form": form,
                "result": result,
                "rows": rows,
                "graph": _graph_payload(result, ci, url) if result else None,
                "page_limit": PAGE_LIMIT,
            },
        )
