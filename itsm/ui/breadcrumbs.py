"""Breadcrumbs of every page: the pages above the current one, each a link back.

One mechanism, computed from the URL, so a page gets its trail without its view or template
doing anything (``{% breadcrumbs %}`` in ``ui/base.html``):

1. the parent of a page is, by default, the nearest shorter URL that is itself a page:
   ``/cmdb/cis/5/edit/`` → ``/cmdb/cis/5/`` → ``/cmdb/`` → ``/``. A page whose parent is not
   a prefix of its URL declares it in ``PARENTS`` (an edited target belongs to its agreement);
2. a crumb's label is the menu label of its URL (``NAV_ITEMS``), a declared list label
   (``LIST_LABELS``) or, for a record's page (``DETAIL_MODELS``), the record as the user may
   see it; a URL without a label (a POST-only endpoint such as ``…/relations/``) is skipped;
3. a view may end the trail elsewhere by putting ``breadcrumb_parent`` (a URL) in its context
   (the confirmation page does: its trail ends with the record) or replace it with
   ``breadcrumbs`` (a list of ``Crumb``).

The dashboard has no trail; every other page starts at the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.ui.process_cache import UrlCache

HOME = "ui:dashboard"
#: crumbs above the current page at most (a safety net against a cycle in ``PARENTS``)
MAX_DEPTH = 8


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


#: labels of list pages that are not menu entries (menu entries take their menu label)
LIST_LABELS: dict[str, object] = {
    "core:organisation_list": _("Organisations"),
    "core:user_list": _("Users"),
    "core:team_list": _("Teams"),
    "cmdb:ci_list": _("Configuration items"),
    "cmdb:class_list": _("CI classes"),
    "cmdb:relation_type_list": _("Relation types"),
    "cmdb:audit_list": _("Configuration audits"),
    "cmdb:import": _("Import configuration items"),
    "catalog:service_list": _("Service catalogue"),
    "catalog:portal": _("Customer portal"),
    "catalog:category_list": _("Service categories"),
    "slm:agreement_list": _("Agreements"),
    "slm:requirement_list": _("Service requirements"),
    "slm:review_list": _("Review meetings"),
    "slm:report": _("SLA reports"),
    "clocks:clock_list": _("SLA clocks"),
    "clocks:testticket_list": _("SLA test tickets"),
    "calendars:list": _("Business calendars"),
    "outbox:message_list": _("Outbox"),
    "outbox:job_list": _("Jobs"),
    "outbox:channel_list": _("Notification channels"),
    "desk:ticket_list": _("Tickets"),
    "desk:call_list": _("Calls"),
    "desk:category_list": _("Ticket categories"),
    "desk:rule_list": _("Dispatch rules"),
    "desk:config": _("Desk configuration"),
    "desk:category_tree": _("Ticket category tree"),
    "desk:matrix": _("Priority matrix"),
    "desk:canned_list": _("Canned responses"),
    "desk:presence": _("Presence"),
    "desk:group_list": _("Group settings"),
    "desk:pause_list": _("Clock pause rules"),
    "desk:portal_catalogue": _("Order a service"),
    "problems:problem_list": _("Problems"),
    "problems:known_error_list": _("Known errors"),
    "problems:proposal_list": _("Proposed problems"),
    "problems:rule_list": _("Detection rules"),
    "problems:report": _("Problem report"),
    "knowledge:article_list": _("Knowledge articles"),
    "knowledge:category_list": _("Knowledge categories"),
    "knowledge:search": _("Search"),
    "knowledge:portal": _("Knowledge base"),
    "change:change_list": _("Changes"),
    "change:template_list": _("Standard change templates"),
    "change:window_list": _("Maintenance and blackout windows"),
    "change:calendar": _("Change calendar"),
    "change:question_list": _("Risk questionnaire"),
    "change:threshold_list": _("Risk thresholds"),
    "change:board_list": _("Change advisory boards"),
    "change:meeting_list": _("CAB meetings"),
    "change:report": _("Change report"),
    "releases:release_list": _("Releases"),
    "releases:report": _("Release report"),
    "deskimport:list": _("Historic imports"),
    "events:alert_list": _("Alerts"),
    "events:source_list": _("Alert sources"),
    "events:rule_list": _("Alert rules"),
    "events:point_list": _("Monitoring points"),
    "availability:availability": _("Availability"),
    "availability:outage_list": _("Outages"),
    "capacity:metric_list": _("Capacity metrics"),
    "capacity:breaches": _("Capacity breaches"),
    "capacity:plan_list": _("Capacity plans"),
    "capacity:upload": _("Upload samples"),
    "objectives:dashboard": _("Objectives"),
    "objectives:plan_list": _("Objective plans"),
    "improvement:item_list": _("Improvement register"),
}

#: the record page of each model (``app_label.modelname``): the crumb shows the record
DETAIL_PAGES: dict[str, str] = {
    "core.organisation": "core:organisation_detail",
    "core.user": "core:user_detail",
    "core.team": "core:team_detail",
    "calendars.businesscalendar": "calendars:detail",
    "cmdb.configurationitem": "cmdb:ci_detail",
    "cmdb.ciclass": "cmdb:class_detail",
    "cmdb.configurationaudit": "cmdb:audit_detail",
    "catalog.service": "catalog:service_detail",
    "slm.agreement": "slm:agreement_detail",
    "slm.requirement": "slm:requirement_detail",
    "slm.reviewmeeting": "slm:review_detail",
    "clocks.slatestticket": "clocks:testticket_detail",
    "desk.ticket": "desk:ticket_detail",
    "deskmail.mailbox": "deskmail:mailbox_detail",
    "deskmail.inboundmail": "deskmail:inbound_detail",
    "problems.problem": "problems:problem_detail",
    "problems.knownerror": "problems:known_error_detail",
    "problems.problemproposal": "problems:proposal_detail",
    "knowledge.article": "knowledge:article_detail",
    "change.change": "change:change_detail",
    "change.cabmeeting": "change:meeting_detail",
    "releases.release": "releases:release_detail",
    "deskimport.ticketimport": "deskimport:detail",
    "events.alert": "events:alert_detail",
    "events.alertsource": "events:source_detail",
    "availability.outage": "availability:outage_detail",
    "capacity.metric": "capacity:metric_detail",
    "capacity.capacityplan": "capacity:plan_detail",
    "objectives.plan": "objectives:plan_detail",
    "improvement.item": "improvement:item_detail",
}
DETAIL_MODELS: dict[str, str] = {url: model for model, url in DETAIL_PAGES.items()}

#: records without a page of their own belong to a record that has one: (model, the
#: foreign key naming the owner); the history of a target, for instance, leads to its agreement
OWNERS: dict[str, str] = {
    "catalog.serviceitem": "service",
    "slm.target": "agreement",
    "slm.actionitem": "meeting",
    "cmdb.attributedefinition": "ci_class",
    "cmdb.relation": "source",
    "calendars.calendarday": "calendar",
    "desk.ticketentry": "ticket",
    "desk.attachment": "ticket",
    "desk.task": "ticket",
    "change.agendaitem": "meeting",
    "change.incidentlink": "change",
    "change.approval": "change",
    "releases.releasetest": "release",
    "releases.releasedecision": "release",
    "capacity.sample": "metric",
    "objectives.objective": "plan",
    "objectives.manualactual": "objective",
}


def _record_url(model_label: str, pk) -> str | None:
    """The page of record *pk* of *model_label*, or of the record that owns it."""
    for _depth in range(3):
        url_name = DETAIL_PAGES.get(model_label)
        if url_name:
            try:
                return reverse(url_name, kwargs={"pk": pk})
            except NoReverseMatch:
                return None
        owner = OWNERS.get(model_label)
        if owner is None:
            return None
        try:
            model = apps.get_model(model_label)
        except LookupError:
            return None
        field = model._meta.get_field(owner)
        pk = model._default_manager.filter(pk=pk).values_list(field.attname, flat=True).first()
        if pk is None:
            return None
        model_label = field.related_model._meta.label_lower
    return None


def _owned_by(model_label: str) -> Callable[[dict], str | None]:
    return lambda kwargs: _record_url(model_label, kwargs.get("pk"))


def _history_parent(kwargs: dict) -> str | None:
    return _record_url(f"{kwargs.get('app_label')}.{kwargs.get('model_name')}", kwargs.get("pk"))


#: pages whose parent is not the next shorter URL: url name → function of the URL's kwargs
PARENTS: dict[str, Callable[[dict], str | None]] = {
    "core:history": _history_parent,
    "slm:target_edit": _owned_by("slm.target"),
    "cmdb:attribute_edit": _owned_by("cmdb.attributedefinition"),
    "outbox:job_list": lambda kwargs: reverse("outbox:message_list"),
    # the rule pages live under /desk/config/rules/, their list is /desk/rules/
    "desk:rule_create": lambda kwargs: reverse("desk:rule_list"),
    "desk:rule_edit": lambda kwargs: reverse("desk:rule_list"),
}


def _resolve(url: str):
    try:
        return resolve(urlsplit(url).path)
    except Resolver404:
        return None


def _parent_url(url: str) -> str | None:
    """The page above *url*: declared in ``PARENTS`` or the nearest shorter URL that resolves."""
    match = _resolve(url)
    if match is not None and match.view_name in PARENTS:
        try:
            declared = PARENTS[match.view_name](match.kwargs)
        except (LookupError, ValueError, TypeError, NoReverseMatch):
            declared = None
        if declared:
            return declared
    path = urlsplit(url).path
    while path not in ("", "/"):
        path = path.rstrip("/").rsplit("/", 1)[0] + "/"
        if _resolve(path) is not None:
            return path
    return None


def _label(url: str, user, nav_labels: dict[str, object]) -> str | None:
    match = _resolve(url)
    if match is None:
        return None
    name = match.view_name
    if name == HOME:
        return str(_("Dashboard"))
    if not match.kwargs:
        label = nav_labels.get(name) or LIST_LABELS.get(name)
        return str(label) if label else None
    model_label = DETAIL_MODELS.get(name)
    if model_label is None or "pk" not in match.kwargs:
        return None
    model = apps.get_model(model_label)
    record = policy.restrict(model._default_manager.all(), user, "view")
    record = record.filter(pk=match.kwargs["pk"]).first()
    return str(record) if record is not None else None


#: trails of pages whose every crumb is a page without a record (a list), per language and
#: URL configuration: they do not depend on the user (worked out once per process)
_TRAILS = UrlCache(512)


def _without_record(match) -> bool:
    return match is not None and not match.kwargs and match.view_name not in PARENTS


def trail(request, *, end: str | None = None) -> list[Crumb]:
    """The crumbs above the current page (or ending with the page *end*), dashboard first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    if end is None and (match is None or match.view_name == HOME):
        return []
    key = None
    if end is None and _without_record(match):
        key = (get_language(), request.path)
        cached = _TRAILS.get(key)
        if cached is not None:
            return list(cached)
    crumbs, without_records = _walk(request, user, end)
    if key is not None and without_records:
        _TRAILS.put(key, tuple(crumbs))
    return crumbs


def _walk(request, user, end: str | None) -> tuple[list[Crumb], bool]:
    """The trail and whether each of its pages is one without a record."""
    from itsm.ui.context_processors import NAV_ITEMS

    nav_labels = {item["url"]: item["label"] for item in NAV_ITEMS}
    crumbs: list[Crumb] = []
    url = end if end is not None else _parent_url(request.path)
    seen = {request.path}
    without_records = True
    while url and url not in seen and len(crumbs) < MAX_DEPTH:
        seen.add(url)
        without_records = without_records and _without_record(_resolve(url))
        label = _label(url, user, nav_labels)
        if label:
            crumbs.append(Crumb(label, url))
        url = _parent_url(url)
    home = reverse(HOME)
    if not crumbs or crumbs[-1].url != home:
        crumbs.append(Crumb(str(_("Dashboard")), home))
    crumbs.reverse()
    return crumbs, without_records
