"""The page crawl and the demo data shared by the tests that walk the product's pages.

``crawl(client)`` starts at the dashboard, follows every link (and every ``<form
method="get">``) of every HTML page and returns one response per URL name, with the demo's real
ids. Each walking test reads what it checks from that one crawl: breadcrumbs and menus
(``ui/tests/test_navigation.py``), English left in zh-Hans pages
(``ui/tests/test_zh_hans_pages.py``), CSP violations in Chromium
(``core/tests/test_csp_browser.py``, which visits the crawled URLs). The route walk
(``core/tests/test_route_walk.py``) requests every named route rather than following links; it
shares the demo fixture.

Fixtures (registered in ``itsm/conftest.py``): ``demo`` loads the demo data in the test's
transaction, ``module_demo`` once for all the tests of a module (each test's transaction a
savepoint in the module's, so what a test writes is still undone after it), ``live_demo`` in a
transactional database for a live server (browser tests).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

#: a URL on a public CDN: the product serves every asset from its own static files (a bare
#: "cdn" is no sign of one: it turns up in random tokens)
CDN_URL = re.compile(r"//[^\s\"']*(?:cdn|jsdelivr|unpkg)", re.IGNORECASE)
#: the ``src`` and ``href`` values of an HTML page
ASSET_URL = re.compile(r'(?:src|href)="([^"]+)"')

#: routes the crawl never requests: they leave the product or change state on GET
NOT_PAGES = {"logout", "set_language", "ui:set_language", "javascript-catalog"}
#: routes that are not pages of the shell (no breadcrumbs, no menu): sign-in, JSON look-ups
#: and htmx fragments
NOT_SHELL_PAGES = NOT_PAGES | {
    "login",
    "core:lookup",
    "clocks:clock_panel",
    "desk:impact_preview",
    "knowledge:suggest",
    "problems:ticket_problems",
    "change:change_incidents",
    "change:ticket_changes",
    "releases:change_releases",
    "deskimport:progress",
}
HREF = re.compile(r'href="(/[^"#]*)"')
#: forms that GET a page (e.g. "as it was on a date"): their action is followed like a link
GET_FORM = re.compile(r'<form method="get" action="(/[^"#]*)"')


def route_name(url: str) -> str | None:
    """The URL name of *url*'s path, or ``None`` when it is not one of ours."""
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def is_html(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def crawl(client: Client, *, also=()) -> dict[str, tuple[str, Any]]:
    """One response per URL name reachable by links from the dashboard (and the pages *also*,
    reached by a filled-in form): name → (url, response). API routes are not followed."""
    pages: dict[str, tuple[str, Any]] = {}
    queue = ["/", *also]
    while queue:
        url = queue.pop(0)
        name = route_name(url)
        if name is None or name in pages or name.startswith("api:") or name in NOT_PAGES:
            continue
        response = client.get(url)
        pages[name] = (url, response)
        if is_html(response):
            body = response.content.decode()
            queue.extend(
                html.unescape(href)
                for href in HREF.findall(body) + GET_FORM.findall(body)
                if not href.startswith(("/static/", "/api/"))
            )
    return pages


def signed_in(username: str, **client_options) -> Client:
    """A test client signed in as the demo user *username*."""
    from itsm.core.models import User

    client = Client(**client_options)
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def demo(db):
    """The demo data (users admin, agent, engineer, customer, slm, maintainer, cmdb …)."""
    from itsm.core.demo import load_demo

    load_demo()


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo data loaded once for a module whose database tests all read it (loading it
    takes seconds): in a transaction rolled back after the module's last test. A test asks
    for ``db`` as well; its own transaction (``db``) is then a savepoint in this one, rolled
    back after it as usual. Only for modules where every database test uses it: a test of
    the module without it would still see the demo's rows."""
    from itsm.core.demo import load_demo

    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            load_demo()
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def live_demo(transactional_db):
    """The demo data, committed, for a live server (browser tests)."""
    from itsm.core.demo import load_demo

    load_demo()
