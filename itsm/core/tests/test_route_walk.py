"""Every named route × every demo role (issue 8 item 2): the status each user gets must be the
one the policy gives, never a 500; a customer reaches no provider-only page and gets 404 for
another organisation's (or a hidden) row.

How a route is filled and judged, without a hand-written list of statuses:

* The resolver is walked; every named pattern is requested with GET (HTML and API). A route
  registered again with a ``.json`` format suffix is the same view and is walked once.
* The route's model, action and staff-only flag come from the view: ``@page(Model, …)`` on a
  function view, ``model``/``action``/``staff_only`` on a class view, the viewset's
  ``queryset``/``policy_model`` in the API. A path parameter ``…/<collection>/<pk>/`` names
  a row of the model the app's API serves under ``<collection>`` (``/cmdb/cis/<pk>/edit/`` →
  ``/api/cmdb/cis/`` → ``ConfigurationItem``); a page without either is listed in
  ``ROUTE_MODELS`` below. A route the walk cannot fill fails the test with its name, so a new
  route cannot escape: declare its model on the view (preferred) or add it here.
* Rows come from the demo, seen from the demo customer: one the customer may view, one of the
  customer's own organisation that ``restrict`` hides (e.g. a draft service), one of another
  organisation. A route with several ids takes the parent from the child's foreign key.
* Expected, for a page (HTML): anonymous → redirect to the login page; the user may not view
  any row of the model (``policy.can_reach``), or the page is staff-only and the user is not
  provider staff → **403**; a row the user may not view → **404** (403 is also accepted
  where the user may not do the page's action on any row: the refusal is the same for every
  id and discloses nothing); a visible row the user may not change/delete → 403; otherwise
  200 (405 for a POST-only route, which a GET cannot open for anyone).
* API: anonymous → 401; roles that may not view the model → 403; an id the user may not
  view → 404; a list never holds a row outside ``restrict`` (a provider-internal model gives
  a customer an empty list).
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from itsm.core import policy
from itsm.core.models import User

pytestmark = pytest.mark.django_db

DEMO_USERS = ("admin", "agent", "engineer", "customer", "slm", "cmdb")

#: Pages that name no model of their own: (model, action) they are about. ``None``: a page
#: every signed-in user may open (what it shows is restricted per user: dashboard, reports,
#: KPIs, the API roots).
ROUTE_MODELS: dict[str, tuple[str, str] | None] = {
    "ui:dashboard": None,
    "catalog:portal": ("catalog.Service", "view"),
    "catalog:service_list": ("catalog.Service", "view"),
    "cmdb:ci_list": ("cmdb.ConfigurationItem", "view"),
    "cmdb:import": ("cmdb.ConfigurationItem", "add"),
    "cmdb:import_map": ("cmdb.ConfigurationItem", "add"),
    "slm:agreement_list": ("slm.Agreement", "view"),
    "slm:report": None,
    "slm:report_monthly": ("slm.Agreement", "view"),
    "slm:report_excel": ("slm.Agreement", "view"),
    "kpi:list": None,
    "ui:set_language": None,
    "api:core-api:me": None,
    "api:slm-api:report-achievement": None,
    "api:slm-api:report-breaches": None,
    "api:slm-api:report-monthly": ("slm.Agreement", "view"),
    "api:kpi-api:kpi-list": None,
    "account:tokens": ("core.ApiToken", "view"),
    "account:token_revoke": ("core.ApiToken", "delete"),
    "account:password_change": None,
}

#: Models without a ModelPolicy whose rows belong to one user (field → the owner): every
#: signed-in user may open their pages and sees only their own rows (others' ids are 404).
USER_OWNED = {"core.ApiToken": "user"}

#: Routes about a row named in the query string, not the path: parameter → model.
QUERY_MODELS: dict[str, dict[str, str]] = {
    "slm:report": {"agreement": "slm.Agreement"},
    "slm:report_monthly": {"agreement": "slm.Agreement"},
    "slm:report_excel": {"agreement": "slm.Agreement"},
    "api:slm-api:report-monthly": {"agreement": "slm.Agreement"},
}

#: The action a page needs, from its last word, for function views that do not declare it.
ACTION_WORDS = {"new": "add", "add": "add", "edit": "change", "delete": "delete"}

#: Path parameters that are not row ids: the value the walk uses.
OTHER_PARAMETERS = {
    "clocks:testticket_action": {"action": "close"},
    "desk:ticket_action": {"action": "start"},
}

#: Query strings a route needs besides row ids.
EXTRA_QUERY = {
    # a date is read as midnight in the installation's time zone (Asia/Shanghai, up to 14 h
    # ahead of the machine's date): two days ahead is after the demo's creation at any hour
    "api:cmdb-api:ci-as-of": f"at={datetime.date.today() + datetime.timedelta(days=2)}",
}

#: Routes about any record (``<app_label>/<model_name>/<pk>``, e.g. the history page): walked
#: for a visible and a hidden row of every model with a policy.
RECORD_PARAMS = ["app_label", "model_name", "pk"]

#: An id no demo row has: used where the demo holds no row of a model (404 for whoever may
#: view the model, 403 for whoever may not).
MISSING = 2**31 - 7

#: Pages that redirect instead of showing themselves (302): to whom, and why.
REDIRECTS = {
    "catalog:service_list": "customer",  # customers get their portal
    "catalog:service_detail": "customer",  # … at the service's entry
    "cmdb:import_map": "everyone",  # without an uploaded file: back to the upload page
    "desk:report": "staff",  # provider staff log tickets at the agent console
}

#: Routes deliberately not walked, each with the reason.
SKIP = {
    # Django's auth views and i18n helpers: no data, open to anonymous users by design
    "login",
    "logout",
    "set_language",
    "javascript-catalog",
    # the OpenAPI schema and its Swagger page describe routes, not rows (tested in core)
    "api:schema",
    "api:docs",
    # walked separately below: the picker lookup for every registered lookup, the KPI API for
    # every registered KPI
    "core:lookup",
    "api:kpi-api:kpi-detail",
    # a satisfaction survey's signed one-time link: open without sign-in, the token is the
    # access (forged, altered, expired and answered links: itsm/desk/tests)
    "desk:survey_answer",
    # an order page is about a catalogue item the reader may order (published, offered to the
    # customer) and the right to log tickets: access tested in itsm/desk/tests/test_portal.py
    "desk:portal_order",
}

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass
class Route:
    name: str
    pattern: str  # the whole pattern text, prefixes included
    callback: object
    params: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def app(self) -> str:
        namespace = self.name.split(":")[-2] if ":" in self.name else ""
        return namespace.removesuffix("-api")

    def segment_before(self, param: str) -> str:
        """The literal path segment just before *param* (``cis`` in ``cis/<int:pk>/``)."""
        text = PARAMETER.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", self.pattern)
        before = text.split("{" + param + "}")[0]
        words = [w.strip("^$") for w in before.split("/") if w.strip("^$")]
        return words[-1] if words else ""


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _routes(entry, text, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            params = [m.group(1) or m.group(2) for m in PARAMETER.finditer(text)]
            yield Route(name, text, entry.callback, params)


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _routes():
        if "format" in route.params:  # DRF's ``.json`` twin of a route already walked
            continue
        key = (route.name, tuple(route.params))
        if key not in seen:
            seen.add(key)
            routes.append(route)
    return routes


# --- what a route is about ------------------------------------------------------------------


def _view_model(callback):
    """(model, action, staff_only) a view declares, or ``None``."""
    access = getattr(callback, "page_access", None)
    if access is not None:
        return access.model, access.action, access.staff_only
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and getattr(view_class, "model", None) is not None:
        return (
            view_class.model,
            getattr(view_class, "action", "view"),
            getattr(view_class, "staff_only", False),
        )
    cls = getattr(callback, "cls", None)  # DRF
    if cls is not None:
        model = getattr(cls, "policy_model", None)
        queryset = getattr(cls, "queryset", None)
        if model is None and queryset is not None:
            model = queryset.model
        if model is not None:
            return model, "view", False
    return None


def api_collections(routes) -> dict[tuple[str, str], type[models.Model]]:
    """(app, collection) → model, from the API's viewset routes (``/api/cmdb/cis/``)."""
    found = {}
    for route in routes:
        if not route.is_api or not route.name.endswith("-list"):
            continue
        declared = _view_model(route.callback)
        if declared is not None:
            api_prefix = re.sub(r"^api/[\w-]+/", "", route.pattern).strip("^$/")
            found[(route.app, api_prefix.split("/")[0])] = declared[0]
    return found


@dataclass
class Target:
    model: type[models.Model] | None  # None: any signed-in user
    action: str
    staff_only: bool
    params: dict[str, type[models.Model]]  # path or query parameter → model of its row
    query: dict[str, type[models.Model]]


def target_of(route: Route, collections) -> Target | str:
    """What *route* is about, or the reason it cannot be filled."""
    declared = _view_model(route.callback)
    word = [w for w in route.pattern.strip("^$/").split("/") if w and "<" not in w and "(" not in w]
    action = ACTION_WORDS.get(word[-1] if word else "", "view")
    staff_only = False
    if declared is not None:
        model, declared_action, staff_only = declared
        if declared_action != "view" or route.is_api:
            action = declared_action
    elif route.name in ROUTE_MODELS or route.name.endswith(":api-root"):
        entry = ROUTE_MODELS.get(route.name)
        model = apps.get_model(entry[0]) if entry else None
        action = entry[1] if entry else "view"
    else:
        model = None
        for segment in reversed(word):
            model = collections.get((route.app, segment))
            if model is not None:
                break
        if model is None:
            return "no model: declare @page(Model) on the view or add it to ROUTE_MODELS"
    params = {}
    for param in route.params:
        if param in OTHER_PARAMETERS.get(route.name, {}):
            continue
        if param == "pk" and declared is not None:
            params[param] = declared[0]
            continue
        found = collections.get((route.app, route.segment_before(param)))
        if found is None and param == "pk" and model is not None:
            found = model
        if found is None:
            return f"cannot tell which row <{param}> names"
        params[param] = found
    query = {k: apps.get_model(v) for k, v in QUERY_MODELS.get(route.name, {}).items()}
    if params and model is not None and declared is None and route.name not in ROUTE_MODELS:
        model = list(params.values())[-1]  # the page is about its last id
    return Target(model, action, staff_only, params, query)


# --- rows -----------------------------------------------------------------------------------


def _owner_field(model) -> str | None:
    return USER_OWNED.get(model._meta.label)


def sample_rows(model, customer) -> list:
    """A row the customer may view, a row of their own organisation that is hidden from them
    (e.g. a draft service) and a row they may not view (another organisation's)."""
    owner = _owner_field(model)
    if owner:
        rows = model._default_manager.order_by("pk")
        return [
            r
            for r in (
                rows.filter(**{owner: customer}).first(),
                rows.exclude(**{owner: customer}).first(),
            )
            if r is not None
        ]
    visible = policy.restrict(model._default_manager.all(), customer, "view")
    rows = [visible.order_by("pk").first()]
    tenant_field = policy.policy_for(model).tenant_field
    if tenant_field:
        own = model._default_manager.filter(**{tenant_field: customer.organisation_id})
        rows.append(own.exclude(pk__in=visible.values("pk")).order_by("pk").first())
    rows.append(model._default_manager.exclude(pk__in=visible.values("pk")).order_by("pk").first())
    unique = []
    for row in rows:
        if row is not None and row.pk not in {r.pk for r in unique}:
            unique.append(row)
    return unique


def _parent(child, parent_model):
    for field_ in child._meta.get_fields():
        if field_.many_to_one and field_.related_model is parent_model:
            return getattr(child, field_.name)
    return None


def fillings(target: Target, customer) -> list[dict] | str:
    """Each a dict parameter → row; a reason when the demo has no row to fill with."""
    names = list(target.params) + list(target.query)
    if not names:
        return [{}]
    models_ = [*target.params.values(), *target.query.values()]
    result = []
    for row in sample_rows(models_[-1], customer):
        filling = {names[-1]: row}
        for name, model in zip(reversed(names[:-1]), reversed(models_[:-1]), strict=True):
            parent = _parent(filling[names[names.index(name) + 1]], model)
            if parent is None:
                return f"no {model.__name__} above {type(row).__name__}"
            filling[name] = parent
        result.append(filling)
    if not result:  # the demo has no such row: an id that does not exist
        result.append({name: model(pk=MISSING) for name, model in zip(names, models_, strict=True)})
    return result


# --- expectations ---------------------------------------------------------------------------


def _visible(user, row, action="view") -> bool:
    if row.pk == MISSING:
        return False
    owner = _owner_field(type(row))
    if owner:
        return getattr(row, f"{owner}_id") == user.pk
    return policy.restrict(type(row)._default_manager.filter(pk=row.pk), user, action).exists()


def _can_reach(user, model, action="view") -> bool:
    return True if _owner_field(model) else policy.can_reach(user, model, action)


def expected_page(user, target: Target, filling: dict) -> set[int]:
    if target.model is None:
        denied = None
    elif not _can_reach(user, target.model, "view"):
        denied = {403}
    elif target.staff_only and not policy.is_provider_staff(user):
        denied = {403}
    else:
        denied = None
    if denied:
        return denied
    hidden = [row for row in filling.values() if not _visible(user, row)]
    if hidden:
        if target.action != "view" and not _can_reach(user, target.model, target.action):
            return {403, 404}
        return {404}
    if target.action != "view":
        if not _can_reach(user, target.model, target.action):
            return {403}
        rows = [r for r in filling.values() if isinstance(r, target.model)]
        if rows and not _visible(user, rows[-1], target.action):
            return {403}
    return {200}


def expected_api(user, target: Target, filling: dict) -> set[int]:
    if (
        target.model is not None
        and not _owner_field(target.model)
        and not policy.can(user, target.model, "view")
    ):
        return {403}
    if any(not _visible(user, row) for row in filling.values()):
        return {404}
    return {200}


def _url(route: Route, filling: dict) -> str:
    kwargs = {k: v.pk for k, v in filling.items() if k in route.params}
    kwargs.update(OTHER_PARAMETERS.get(route.name, {}))
    query = "&".join(f"{k}={v.pk}" for k, v in filling.items() if k not in route.params)
    query = "&".join(q for q in (query, EXTRA_QUERY.get(route.name, "")) if q)
    url = reverse(route.name, kwargs=kwargs)
    return f"{url}?{query}" if query else url


def _get(client, url):
    try:
        return client.get(url)
    except Exception as error:  # the walk reports a crash like a status
        return type("Crash", (), {"status_code": 500, "error": repr(error)[:200]})()


@pytest.fixture
def demo_users(demo):
    # thousands of expected 403/404s: do not format a logged warning for each
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield _demo_users()
    request_log.setLevel(level)


def _demo_users():
    from itsm.core import tokens

    users = {name: User.objects.get(username=name) for name in DEMO_USERS}
    for name in ("customer", "admin"):  # the demo has no API tokens
        tokens.create_token(users[name], name="route walk", days=30)
    clients = {None: Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return users, clients


def _policy_models():
    return [
        m for m in apps.get_models() if isinstance(getattr(m, "policy", None), policy.ModelPolicy)
    ]


def _record_cases(customer):
    """Fillings of a record route: a visible and a hidden row of every model with a policy."""
    for model in _policy_models():
        rows = sample_rows(model, customer)
        if not policy.can_reach(customer, model):  # the same answer for every row
            rows = rows[:1]
        for row in rows:
            kwargs = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "pk": row.pk,
            }
            yield Target(model, "view", False, {"pk": model}, {}), {"pk": row}, kwargs


class Walk:
    """Requests every route as every user and collects what differs from the policy."""

    def __init__(self, users, clients):
        self.users, self.clients = users, clients
        self.problems: list[str] = []
        self.requests = 0
        self.cpu: dict[str, float] = {}
        self.count: dict[str, int] = {}

    def check(self, route, target, filling, url, *, post_only=False, lenient_403=False, seen=None):
        for name, client in self.clients.items():
            started = time.process_time()
            response = seen if seen is not None and name == "admin" else _get(client, url)
            kind = "api" if route.is_api else "record" if route.params == RECORD_PARAMS else "page"
            self.cpu[kind] = self.cpu.get(kind, 0) + time.process_time() - started
            self.count[kind] = self.count.get(kind, 0) + 1
            self.requests += 1
            got = response.status_code
            if name is None:
                login = resolve_url(settings.LOGIN_URL)
                ok = (
                    got in (401, 403)
                    if route.is_api
                    else got == 302 and response["Location"].startswith(login)
                ) or (post_only and got == 405)
                if not ok:
                    self.problems.append(f"{route.name} {url} anonymous: {got}")
                continue
            user = self.users[name]
            if route.is_api:
                want = expected_api(user, target, filling)
            else:
                want = expected_page(user, target, filling)
                redirect_for = REDIRECTS.get(route.name)
                if want == {200} and (
                    redirect_for == "everyone"
                    or (redirect_for == "customer" and not policy.is_provider_staff(user))
                    or (redirect_for == "staff" and policy.is_provider_staff(user))
                ):
                    want = {302}
            if lenient_403 and want == {403}:
                want = {403, 404}  # an unknown model answers 404 too; both disclose nothing
            if post_only:  # the view may refuse before it checks the method
                want = {403, 405} | (want & {404})
            if got not in want:
                detail = getattr(response, "error", "")
                self.problems.append(f"{route.name} {url} as {name}: {got}, want {want} {detail}")
            elif got == 200 and route.is_api and not filling and target.model is not None:
                self.problems.extend(_list_leaks(route, url, response, user, target.model))


def test_every_route_answers_each_role_as_the_policy_says(demo_users):
    users, clients = demo_users
    routes = all_routes()
    collections = api_collections(routes)
    customer = users["customer"]
    walk = Walk(users, clients)
    started = time.process_time()
    for route in routes:
        if route.name in SKIP:
            continue
        if route.params == RECORD_PARAMS:
            for target, filling, kwargs in _record_cases(customer):
                url = reverse(route.name, kwargs=kwargs)
                # the history page answers 403 for a model the user may not view at all;
                # other record routes may answer 404 (an unknown model is a 404 too)
                walk.check(route, target, filling, url, lenient_403=route.name != "core:history")
            continue
        target = target_of(route, collections)
        if isinstance(target, str):
            walk.problems.append(f"{route.name}: {target}")
            continue
        cases = fillings(target, customer)
        if isinstance(cases, str):
            walk.problems.append(f"{route.name}: {cases}")
            continue
        first = _get(clients["admin"], _url(route, cases[0]))
        post_only = first.status_code == 405
        for n, filling in enumerate(cases):
            seen = first if n == 0 else None
            walk.check(route, target, filling, _url(route, filling), post_only=post_only, seen=seen)
    walk.problems.extend(_walk_lookups(users, clients))
    walk.problems.extend(_walk_kpis(users, clients))
    seconds = time.process_time() - started
    split = ", ".join(f"{k} {walk.count[k]} in {v:.1f} s" for k, v in walk.cpu.items())
    print(f"route walk: {walk.requests} requests, {seconds:.1f} s CPU ({split})")  # noqa: T201
    assert not walk.problems, f"{len(walk.problems)} of {walk.requests} requests:\n" + "\n".join(
        walk.problems
    )


def _list_leaks(route, url, response, user, model) -> list[str]:
    body = response.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    if not isinstance(rows, list):
        return []
    ids = {row["id"] for row in rows if isinstance(row, dict) and "id" in row}
    owner = _owner_field(model)
    if owner:
        mine = model._default_manager.filter(pk__in=ids, **{owner: user})
        leaked = ids - set(mine.values_list("pk", flat=True))
        return (
            [f"{route.name} {url} as {user.username}: rows {sorted(leaked)} leak"] if leaked else []
        )
    visible = set(
        policy.restrict(model._default_manager.filter(pk__in=ids), user, "view").values_list(
            "pk", flat=True
        )
    )
    leaked = ids - visible
    return [f"{route.name} {url} as {user.username}: rows {sorted(leaked)} leak"] if leaked else []


def _walk_lookups(users, clients) -> list[str]:
    """Every picker lookup answers 200 with only rows ``restrict`` lets the user see."""
    from django.utils.module_loading import autodiscover_modules

    from itsm.core import pickers

    autodiscover_modules("lookups")  # as the endpoint does on its first request
    problems = []
    for name, lookup in sorted(pickers._LOOKUPS.items()):
        url = reverse("core:lookup", args=[name])
        for username, client in clients.items():
            response = _get(client, url)
            if username is None:
                if response.status_code != 302:
                    problems.append(f"{url} anonymous: {response.status_code}")
                continue
            if response.status_code != 200:
                problems.append(f"{url} as {username}: {response.status_code}")
                continue
            keys = {item["value"] for item in response.json()["results"]}
            allowed = {
                str(v)
                for v in lookup.rows(users[username]).values_list(lookup.key, flat=True)[:10_000]
            }
            if keys - allowed:
                problems.append(f"{url} as {username}: {sorted(keys - allowed)} leak")
    return problems


def _walk_kpis(users, clients) -> list[str]:
    """Every KPI answers 200 to whoever ``kpi.selectors.may_see`` it, 404 to the others."""
    from itsm.kpi import selectors
    from itsm.kpi.registry import registry

    problems = []
    for kpi in registry.all():
        url = reverse("api:kpi-api:kpi-detail", kwargs={"kpi_id": kpi.id})
        for username, client in clients.items():
            got = _get(client, url).status_code
            if username is None:
                want = 401
            else:
                want = 200 if selectors.may_see(users[username], kpi) else 404
            if got != want:
                problems.append(f"{url} as {username}: {got}, want {want}")
    return problems
