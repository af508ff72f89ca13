"""Navigation of the UI shell: one declared list, filtered by what the user may view.

To add a page, append one dict to ``NAV_ITEMS``:

- ``label``: translated text (``gettext_lazy``);
- ``url``: a URL name (``"namespace:name"``); an entry whose URL is not (yet) routed is left out;
- ``icon``: a name known to ``{% icon %}`` (``itsm.ui.templatetags.ui``);
- ``model``: ``"app_label.ModelName"`` whose ``view`` permission (``core.policy.can``) the user
  needs, or ``None`` for a page every signed-in user may open;
- ``action`` (optional): the action on ``model`` the page needs besides seeing rows (``"add"``
  for a page that logs a record);
- ``staff_only`` (optional): ``True`` to show it to provider staff only; ``customer_only``:
  to customer and supplier users only (a page staff reach another way);
- ``group`` (optional): a key of ``NAV_GROUPS``: the entry sits in that group's drop-down
  menu, so the header stays one row in either language (a group with one visible entry shows
  that entry itself).

An entry is shown only when the user may open its page: its ``model``'s rows are visible to
the user (``may_see_rows``), and ``staff_only`` pages to provider staff only.
"""

from __future__ import annotations

from functools import partial

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itsm.core.policy import can, can_reach, is_provider_staff
from itsm.ui.nav_html import menu_html
from itsm.ui.process_cache import UrlCache

#: drop-down menus of the header: key → label and icon (placed where their first entry is)
NAV_GROUPS: dict[str, dict] = {
    "desk": {"label": _("Service desk"), "icon": "briefcase"},
    "problems": {"label": _("Problems"), "icon": "topology-star"},
    "change": {"label": _("Changes"), "icon": "calendar-event"},
    "monitoring": {"label": _("Monitoring"), "icon": "activity"},
    "slm": {"label": _("Service levels"), "icon": "file-certificate"},
    "admin": {"label": _("Administration"), "icon": "settings"},
}

NAV_ITEMS: list[dict] = [
    {"label": _("Dashboard"), "url": "ui:dashboard", "icon": "home", "model": None},
    {
        "label": _("Tickets"),
        "url": "desk:ticket_list",
        "icon": "list-check",
        "model": "desk.Ticket",
        "group": "desk",
    },
    {
        "label": _("Log a call"),
        "url": "desk:console",
        "icon": "plus",
        "model": "desk.Ticket",
        "action": "add",
        "staff_only": True,
        "group": "desk",
    },
    {
        "label": _("Report an issue"),
        "url": "desk:report",
        "icon": "plus",
        "model": "desk.Ticket",
        "action": "add",
        "customer_only": True,
        "group": "desk",
    },
    {
        "label": _("Order a service"),
        "url": "desk:portal_catalogue",
        "icon": "plus",
        "model": "desk.Ticket",
        "action": "add",
        "group": "desk",
    },
    {
        "label": _("Calls"),
        "url": "desk:call_list",
        "icon": "history",
        "model": "desk.Call",
        "group": "desk",
    },
    {
        "label": _("Desk reports"),
        "url": "deskreports:report",
        "icon": "chart-bar",
        "model": "desk.Ticket",
        "group": "desk",
    },
    {
        "label": _("Desk e-mail"),
        "url": "deskmail:inbound_list",
        "icon": "send",
        "model": "deskmail.InboundMail",
        "group": "desk",
    },
    {
        "label": _("Historic imports"),
        "url": "deskimport:list",
        "icon": "upload",
        "model": "deskimport.TicketImport",
        "staff_only": True,
        "group": "desk",
    },
    {
        "label": _("Desk configuration"),
        "url": "desk:config",
        "icon": "settings",
        "model": "desk.AgentPresence",
        "staff_only": True,
        "group": "desk",
    },
    {
        "label": _("Problems"),
        "url": "problems:problem_list",
        "icon": "list-details",
        "model": "problems.Problem",
        "staff_only": True,
        "group": "problems",
    },
    {
        "label": _("Known errors"),
        "url": "problems:known_error_list",
        "icon": "list-check",
        "model": "problems.KnownError",
        "staff_only": True,
        "group": "problems",
    },
    {
        "label": _("Proposed problems"),
        "url": "problems:proposal_list",
        "icon": "chart-bar",
        "model": "problems.ProblemProposal",
        "staff_only": True,
        "group": "problems",
    },
    {
        "label": _("Problem report"),
        "url": "problems:report",
        "icon": "chart-bar",
        "model": "problems.Problem",
        "staff_only": True,
        "group": "problems",
    },
    {
        "label": _("Knowledge articles"),
        "url": "knowledge:article_list",
        "icon": "list-details",
        "model": "knowledge.Article",
        "staff_only": True,
        "group": "desk",
    },
    {
        "label": _("Knowledge base"),
        "url": "knowledge:portal",
        "icon": "list-details",
        "model": "knowledge.Article",
        "customer_only": True,
        "group": "desk",
    },
    {
        "label": _("Search"),
        "url": "knowledge:search",
        "icon": "list-check",
        "model": "knowledge.SearchDocument",
        "group": "desk",
    },
    {
        "label": _("Knowledge categories"),
        "url": "knowledge:category_list",
        "icon": "list-details",
        "model": "knowledge.Category",
        "staff_only": True,
        "group": "desk",
    },
    {
        "label": _("Changes"),
        "url": "change:change_list",
        "icon": "calendar-event",
        "model": "change.Change",
        "group": "change",
    },
    {
        "label": _("Standard change templates"),
        "url": "change:template_list",
        "icon": "list-check",
        "model": "change.ChangeTemplate",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Maintenance and blackout windows"),
        "url": "change:window_list",
        "icon": "calendar",
        "model": "change.Window",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Change calendar"),
        "url": "change:calendar",
        "icon": "calendar",
        "model": "change.Change",
        "group": "change",
    },
    {
        "label": _("CAB meetings"),
        "url": "change:meeting_list",
        "icon": "users-group",
        "model": "change.CabMeeting",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Change advisory boards"),
        "url": "change:board_list",
        "icon": "users",
        "model": "change.AdvisoryBoard",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Risk questionnaire"),
        "url": "change:question_list",
        "icon": "list-check",
        "model": "change.RiskQuestion",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Change report"),
        "url": "change:report",
        "icon": "chart-bar",
        "model": "change.Change",
        "staff_only": True,
        "group": "change",
    },
    {
        "label": _("Releases"),
        "url": "releases:release_list",
        "icon": "send",
        "model": "releases.Release",
        "group": "change",
    },
    {
        "label": _("Release report"),
        "url": "releases:report",
        "icon": "chart-bar",
        "model": "releases.Release",
        "group": "change",
    },
    {
        "label": _("Alerts"),
        "url": "events:alert_list",
        "icon": "alert-triangle",
        "model": "events.Alert",
        "group": "monitoring",
    },
    {
        "label": _("Alert sources"),
        "url": "events:source_list",
        "icon": "send",
        "model": "events.AlertSource",
        "staff_only": True,
        "group": "monitoring",
    },
    {
        "label": _("Alert rules"),
        "url": "events:rule_list",
        "icon": "list-check",
        "model": "events.AlertRule",
        "staff_only": True,
        "group": "monitoring",
    },
    {
        "label": _("Monitoring points"),
        "url": "events:point_list",
        "icon": "list-details",
        "model": "events.MonitoringPoint",
        "staff_only": True,
        "group": "monitoring",
    },
    {
        "label": _("Availability"),
        "url": "availability:availability",
        "icon": "chart-bar",
        "model": "availability.Outage",
        "group": "monitoring",
    },
    {
        "label": _("Outages"),
        "url": "availability:outage_list",
        "icon": "alert-triangle",
        "model": "availability.Outage",
        "group": "monitoring",
    },
    {
        "label": _("Capacity metrics"),
        "url": "capacity:metric_list",
        "icon": "gauge",
        "model": "capacity.Metric",
        "group": "monitoring",
    },
    {
        "label": _("Capacity breaches"),
        "url": "capacity:breaches",
        "icon": "alert-triangle",
        "model": "capacity.Sample",
        "group": "monitoring",
    },
    {
        "label": _("Capacity plans"),
        "url": "capacity:plan_list",
        "icon": "list-details",
        "model": "capacity.CapacityPlan",
        "staff_only": True,
        "group": "monitoring",
    },
    {
        "label": _("Objectives"),
        "url": "objectives:dashboard",
        "icon": "target",
        "model": "objectives.Objective",
        "group": "slm",
    },
    {
        "label": _("Objective plans"),
        "url": "objectives:plan_list",
        "icon": "list-details",
        "model": "objectives.Plan",
        "group": "slm",
    },
    {
        "label": _("Improvement register"),
        "url": "improvement:item_list",
        "icon": "trending-up",
        "model": "improvement.Item",
        "group": "slm",
    },
    {
        "label": _("Service catalogue"),
        "url": "catalog:service_list",
        "icon": "list-details",
        "model": "catalog.Service",
    },
    {
        "label": _("Agreements"),
        "url": "slm:agreement_list",
        "icon": "file-certificate",
        "model": "slm.Agreement",
        "group": "slm",
    },
    {
        "label": _("Service requirements"),
        "url": "slm:requirement_list",
        "icon": "list-check",
        "model": "slm.Requirement",
        "group": "slm",
    },
    {
        "label": _("Review meetings"),
        "url": "slm:review_list",
        "icon": "calendar-event",
        "model": "slm.ReviewMeeting",
        "group": "slm",
    },
    {
        "label": _("SLA reports"),
        "url": "slm:report",
        "icon": "chart-bar",
        "model": "slm.Agreement",
        "staff_only": True,
        "group": "slm",
    },
    {
        "label": _("SLA clocks"),
        "url": "clocks:clock_list",
        "icon": "clock",
        "model": "clocks.Clock",
        "staff_only": True,
        "group": "slm",
    },
    {
        "label": _("SLA test tickets"),
        "url": "clocks:testticket_list",
        "icon": "list-details",
        "model": "clocks.SlaTestTicket",
        "staff_only": True,
        "group": "slm",
    },
    {
        "label": _("CMDB"),
        "url": "cmdb:ci_list",
        "icon": "topology-star",
        "model": "cmdb.ConfigurationItem",
    },
    {"label": _("KPIs"), "url": "kpi:list", "icon": "chart-bar", "model": None, "group": "slm"},
    {
        "label": _("Organisations"),
        "url": "core:organisation_list",
        "icon": "building",
        "model": "core.Organisation",
        "group": "admin",
    },
    {
        "label": _("Users"),
        "url": "core:user_list",
        "icon": "users",
        "model": "core.User",
        "group": "admin",
    },
    {
        "label": _("Teams"),
        "url": "core:team_list",
        "icon": "users-group",
        "model": "core.Team",
        "group": "admin",
    },
    {
        "label": _("Business calendars"),
        "url": "calendars:list",
        "icon": "calendar",
        "model": "calendars.BusinessCalendar",
        "staff_only": True,
        "group": "admin",
    },
    {
        "label": _("Outbox and jobs"),
        "url": "outbox:message_list",
        "icon": "send",
        "model": "outbox.OutboxMessage",
        "group": "admin",
    },
]


#: the entries a kind of user may open (see :func:`access_key`), per process
_VISIBLE = UrlCache(256)


def access_key(user) -> tuple:
    """What ``core.policy.can`` / ``can_reach`` / ``is_provider_staff`` read of *user*: users
    with the same key see the same menu (the roles and organisation kind, not the user)."""
    return (
        user.is_active,
        user.is_superuser,
        user.organisation_id is None,
        user.organisation_kind,
        user.roles,
    )


def _entries(user) -> tuple[dict, ...]:
    entries = []
    for item in NAV_ITEMS:
        if item.get("staff_only") and not is_provider_staff(user):
            continue
        if item.get("customer_only") and is_provider_staff(user):
            continue
        model_name = item.get("model")
        if model_name and not may_see_rows(user, apps.get_model(model_name)):
            continue
        if (
            model_name
            and item.get("action")
            and not can(user, apps.get_model(model_name), item["action"])
        ):
            continue
        try:
            href = reverse(item["url"])
        except NoReverseMatch:
            continue
        entries.append({**item, "href": href})
    return tuple(entries)


def visible_items(user, path: str = "") -> list[dict]:
    """The entries of ``NAV_ITEMS`` that *user* may open, with ``href`` and ``active`` set.
    Worked out once per process for each :func:`access_key` (and URL configuration)."""
    if user is None or not user.is_authenticated:
        return []
    key = (access_key(user),)
    entries = _VISIBLE.get(key)
    if entries is None:
        entries = _VISIBLE.put(key, _entries(user))
    items = [{**entry, "active": False} for entry in entries]
    # the entry whose URL is the longest prefix of the path is the current one (/slm/reports/
    # is "SLA reports", not also "Agreements" at /slm/)
    matches = [
        i for i in items if (path == i["href"] if i["href"] == "/" else path.startswith(i["href"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["href"]))["active"] = True
    return items


def menu(items: list[dict]) -> list[dict]:
    """*items* (``visible_items``) as the header shows them: plain entries and groups (a dict
    with ``children``, ``active`` when one child is), each group where its first entry is."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        key = item.get("group")
        if key not in NAV_GROUPS:
            entries.append(item)
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = {**NAV_GROUPS[key], "key": key, "children": [], "active": False}
            entries.append(group)
        group["children"].append(item)
        group["active"] = group["active"] or item["active"]
    # a group of one is just that entry
    return [e["children"][0] if len(e.get("children", ())) == 1 else e for e in entries]


def may_see_rows(user, model) -> bool:
    """Whether ``restrict(model, user, "view")`` can return any row at all for *user*."""
    return can_reach(user, model, "view")


#: the menu's HTML per kind of user, language and current entry, per process
_MENU_HTML = UrlCache(256)


def _kept_menu_html(user, items: list[dict], entries: list[dict]):
    """``menu_html(entries)``, written once per :func:`access_key`, language and current entry
    (what *entries* are made of: the labels are ``NAV_ITEMS``' and ``NAV_GROUPS``')."""
    if not items:
        return menu_html(entries)
    active = next((item["href"] for item in items if item["active"]), None)
    key = (access_key(user), get_language(), active)
    html = _MENU_HTML.get(key)
    if html is None:
        html = _MENU_HTML.put(key, menu_html(entries))
    return html


def navigation(request):
    user = getattr(request, "user", None)
    items = visible_items(user, request.path)
    entries = menu(items)
    # written only when a template shows it (a callable in a template context is called)
    return {
        "nav_items": items,
        "nav_menu": entries,
        "nav_menu_html": partial(_kept_menu_html, user, items, entries),
    }
