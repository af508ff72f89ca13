"""Navigation (issue 8, item 9): every page type has breadcrumbs leading back, the menu offers
requirements and review meetings, and no menu entry, tab or link answers 403.

The crawl starts at the dashboard of the demo data, follows every link of every page (one page
per URL name) and so renders every page type with real ids; a named route it never reaches must
be an action that answers 405 to a GET (a POST-only endpoint) or a redirect, or the test fails.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from itsm.cmdb.models import ConfigurationItem
from itsm.core.models import User
from itsm.core.testing.crawl import HREF, NOT_SHELL_PAGES, crawl, is_html, signed_in
from itsm.slm.models import Target

pytestmark = pytest.mark.django_db

BREADCRUMBS = re.compile(r'<nav aria-label="[^"]*" data-testid="breadcrumbs">(.*?)</nav>', re.S)


def _named_routes(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _page_routes() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in _named_routes()
        if not name.startswith("api:") and name not in NOT_SHELL_PAGES
    }


def _dummy_url(pattern: URLPattern, name: str) -> str:
    kwargs = {
        key: 999_999 if converter.__class__.__name__ == "IntConverter" else "x"
        for key, converter in pattern.pattern.converters.items()
    }
    return reverse(name, kwargs=kwargs)


def test_every_page_type_has_breadcrumbs_back(module_demo):
    """As the administrator (who may open every page): every page type renders, with a
    breadcrumb trail from the dashboard; a record's sub-pages lead through the record."""
    from itsm.cmdb.audit.services import create_audit
    from itsm.core.outbox.services import create_channel

    admin = User.objects.get(username="admin")
    # rows the demo does not have, so that their pages are reached too
    create_audit(
        title="Discovery",
        by=admin,
        items=[{"identifier": "new-01", "class": "server", "name": "N"}],
    )
    create_channel(by=admin, name="Hook", kind="generic", url="https://93.184.216.34/hook")
    from itsm.slm.models import Agreement

    agreement = Agreement.objects.filter(kind="sla", status="active").order_by("pk").first()
    month = f"?agreement={agreement.pk}&month=2026-01"
    # the desk's pages no link of the shell leads to: a file, the console's impact fragment
    # (htmx), the survey reached from its e-mail
    from itsm.desk.models import Survey, Ticket
    from itsm.desk.services import contact, entries

    ticket = Ticket.objects.exclude(status__in=["closed", "cancelled"]).order_by("pk").first()
    attachment = entries.add_attachment(
        ticket, by=admin, name="log.txt", content_type="text/plain", content=b"log"
    )
    survey = Survey.objects.order_by("pk").first()
    # a proposed problem: two incidents in a category of their own (the tests' small demo has
    # too few repeat incidents for its rules, and which ones depends on the day it is loaded)
    from itsm.desk.services import config, tickets
    from itsm.problems.services import detection

    repeated = config.create_category(by=None, code="nav.repeat", name="Repeat")
    for _ in range(2):
        tickets.create_ticket(
            by=None,
            kind="incident",
            title="Repeat",
            customer=ticket.customer,
            channel="phone",
            category=repeated,
        )
    detection.create_rule(by=admin, name="Any repeat", dimension="category", threshold=2)
    assert detection.detect()["made"] >= 1
    desk_pages = [
        reverse("desk:attachment_download", args=[attachment.pk]),
        reverse("desk:impact_preview"),
        reverse("desk:survey_answer", args=[contact.survey_token(survey)]),
        # the knowledge suggestions, an htmx fragment of the console and the report form
        reverse("knowledge:suggest") + "?q=打印机",
        # the incident's problems and known errors, an htmx fragment of the ticket page
        reverse("problems:ticket_problems") + f"?ticket={ticket.pk}",
        # the changes linked to the incident (the ticket page's fragment)
        reverse("change:ticket_changes") + f"?ticket={ticket.pk}",
    ]
    # a change's pages no crawled link leads to: its fragments (htmx) and, as the crawl opens
    # one change only, the edit page of one still in draft or assessment
    from itsm.change.choices import EDITABLE_STATES
    from itsm.change.selectors import changes_for

    change = changes_for(admin).order_by("pk").first()
    editable = changes_for(admin).filter(status__in=EDITABLE_STATES).order_by("pk").first()
    desk_pages += [
        reverse("change:change_incidents", args=[change.pk]),
        reverse("releases:change_releases") + f"?change={change.pk}",
        reverse("change:change_edit", args=[editable.pk]),
    ]
    # the draft objective plan's edit pages (the crawl opens one plan, the approved one) and a
    # historic import's progress fragment (htmx, polled while its job runs)
    from itsm.desk.imports.models import TicketImport
    from itsm.objectives.selectors import plans_for

    draft = plans_for(admin).filter(status="draft").order_by("pk").first()
    desk_pages += [
        reverse("objectives:plan_edit", args=[draft.pk]),
        reverse("objectives:objective_create", args=[draft.pk]),
        reverse("objectives:objective_edit", args=[draft.objectives.order_by("pk").first().pk]),
        reverse("deskimport:progress", args=[TicketImport.objects.order_by("pk").first().pk]),
    ]
    client = signed_in("admin")
    pages = crawl(
        client,
        also=[
            reverse("slm:report_monthly") + month,
            reverse("slm:report_excel") + month,
            *desk_pages,
        ],
    )

    # every page type was rendered, or it is not a page (POST-only action, redirect)
    unreached = {
        name: client.get(_dummy_url(pattern, name)).status_code
        for name, pattern in _page_routes().items()
        if name not in pages
    }
    assert {name: code for name, code in unreached.items() if code not in (302, 405)} == {}

    missing, too_short = [], []
    for name, (url, response) in sorted(pages.items()):
        assert response.status_code in (200, 302), (url, response.status_code)
        if name in NOT_SHELL_PAGES or not is_html(response):
            continue
        found = BREADCRUMBS.search(response.content.decode())
        if name == "ui:dashboard":
            assert found is None
            continue
        links = HREF.findall(found.group(1)) if found else []
        if not links:
            missing.append(url)
            continue
        assert links[0] == "/", url  # the trail starts at the dashboard
        # a record's page and its sub-pages (edit, history, impact …) lead through more than
        # the dashboard: their list or their record
        if resolve(urlsplit(url).path).kwargs and len(links) < 2:
            too_short.append(url)
    assert missing == []
    assert too_short == []
    assert len(pages) >= 50  # the crawl really reached the page types

    # a record's pages lead through the record
    ci = ConfigurationItem.objects.order_by("pk").first()
    assert _trail(client, reverse("cmdb:ci_edit", args=[ci.pk])) == [
        "/",
        reverse("cmdb:ci_list"),
        reverse("cmdb:ci_detail", args=[ci.pk]),
    ]
    history = reverse("core:history", args=["cmdb", "configurationitem", ci.pk])
    assert _trail(client, history)[-1] == reverse("cmdb:ci_detail", args=[ci.pk])
    target = Target.objects.order_by("pk").first()
    assert _trail(client, reverse("slm:target_edit", args=[target.pk]))[-1] == reverse(
        "slm:agreement_detail", args=[target.agreement_id]
    )
    # the administrator sees every outbox tab
    admin = client.get(reverse("outbox:message_list")).content.decode()
    assert f'href="{reverse("outbox:channel_list")}"' in admin


def _trail(client: Client, url: str) -> list[str]:
    return HREF.findall(BREADCRUMBS.search(client.get(url).content.decode()).group(1))


def test_menu_and_tabs_offer_only_what_each_role_may_open(module_demo):
    """Requirements and review meetings are in the menu; no menu entry, tab or link that a
    role is shown answers 403 (the notification channels tab of the outbox did for agents)."""
    for username in ("slm", "customer"):
        body = signed_in(username).get(reverse("core:user_list")).content.decode()
        nav = body.split('data-testid="main-nav"')[1].split("</ul>")[0]
        assert f'href="{reverse("slm:requirement_list")}"' in nav, username
        assert f'href="{reverse("slm:review_list")}"' in nav, username

    agent = signed_in("agent")
    tabs = agent.get(reverse("outbox:message_list")).content.decode()
    assert f'href="{reverse("outbox:job_list")}"' in tabs
    assert f'href="{reverse("outbox:channel_list")}"' not in tabs  # administrators only
    assert agent.get(reverse("outbox:channel_list")).status_code == 403

    forbidden = {}
    for username in ("agent", "engineer", "customer", "slm", "cmdb"):
        pages = crawl(signed_in(username))
        forbidden[username] = sorted(url for url, resp in pages.values() if resp.status_code == 403)
    assert forbidden == {name: [] for name in forbidden}
