"""The dashboard: exact counts through restricted querysets, chart data, navigation."""

import json

import pytest
from django.urls import reverse

from itsm.conftest import PASSWORD
from itsm.core import services
from itsm.core.choices import OrganisationKind
from itsm.core.testing import crawl


@pytest.fixture
def populated(
    provider, customer_a, customer_b, admin_user, agent, customer_user, other_customer_user
):
    services.create_organisation(code="sup", name="Supplier S", kind=OrganisationKind.SUPPLIER)
    services.create_team(code="desk", name="Desk", organisation=provider, members=[agent])
    services.create_team(code="net", name="Network", organisation=provider)


def _counts(response):
    return {card.key: card.value for card in response.context["admin_cards"]}


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_admin_sees_exact_counts(client, populated, admin_user):
    client.force_login(admin_user)
    response = client.get("/")
    assert response.status_code == 200
    counts = _counts(response)
    assert counts == {
        "organisations": 4,
        "users": 4,
        "teams": 2,
        "outbox-pending": 0,
        "outbox-dead": 0,
    }
    html = response.content.decode()
    assert 'data-count="organisations">4<' in html
    assert 'data-count="users">4<' in html
    assert 'data-count="teams">2<' in html


def test_customer_sees_no_provider_internal_counts(client, populated, customer_user):
    """Issue 8, item 11: a customer saw "服务提供方 0, 供方 0" and outbox counters."""
    client.force_login(customer_user)
    response = client.get("/")
    assert response.context["admin_cards"] == []
    assert response.context["work_cards"] == []
    assert response.context["outbox"] is None
    assert response.context["chart"] is None
    html = response.content.decode()
    assert 'data-count="organisations' not in html
    assert 'data-count="outbox' not in html
    assert "echarts" not in html


def test_chart_data_is_a_json_script(client, populated, admin_user):
    client.force_login(admin_user)
    response = client.get("/")
    html = response.content.decode()
    start = html.index('<script id="chart-users-per-organisation-data" type="application/json">')
    payload = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(payload) == {
        "names": ["Provider Ltd", "Customer A", "Customer B"],
        "counts": [2, 1, 1],
    }
    assert "/static/vendor/echarts/echarts.min.js" in html
    # nothing loaded from another host
    assets = crawl.ASSET_URL.findall(html)
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))], assets
    assert not crawl.CDN_URL.search(html)


def test_outbox_counts_for_administrators(client, populated, admin_user, agent):
    outbox = pytest.importorskip("itsm.core.outbox.services")
    outbox.enqueue(key="k1", channel="email", target="a@example.com", payload={})
    outbox.enqueue(key="k2", channel="email", target="b@example.com", payload={})
    client.force_login(admin_user)
    response = client.get("/")
    assert response.context["outbox"]["pending"] == 2
    assert response.context["outbox"]["dead"] == 0
    assert 'data-count="outbox-pending">2<' in response.content.decode()
    client.force_login(agent)  # other staff see their work, not the platform's plumbing
    assert client.get("/").context["outbox"] is None


def test_navigation_follows_policy(client, populated, admin_user, customer_user):
    client.force_login(admin_user)
    admin_nav = [item["url"] for item in client.get(reverse("core:user_list")).context["nav_items"]]
    assert admin_nav[0] == "ui:dashboard"
    assert {
        "core:organisation_list",
        "core:user_list",
        "core:team_list",
        "slm:requirement_list",
        "slm:review_list",
        "calendars:list",
    } <= set(admin_nav)
    client.force_login(customer_user)
    customer_nav = [
        item["url"] for item in client.get(reverse("core:user_list")).context["nav_items"]
    ]
    # teams (and other provider-internal pages) are not offered to customers; their own
    # catalogue, agreements, requirements, reviews and configuration items are
    assert {
        "ui:dashboard",
        "core:organisation_list",
        "core:user_list",
        "catalog:service_list",
        "slm:agreement_list",
        "slm:requirement_list",
        "slm:review_list",
        "cmdb:ci_list",
    } <= set(customer_nav)
    assert not {
        "core:team_list",
        "slm:report",
        "clocks:clock_list",
        "clocks:testticket_list",
        "calendars:list",
        "outbox:message_list",
    } & set(customer_nav)


def test_menu_groups_entries_into_drop_downs(client, admin_user):
    """The header shows groups (service levels, administration) as drop-down menus, so it
    stays one row in English at 1440 px; a group with one visible entry is that entry."""
    from itsm.ui.context_processors import menu

    client.force_login(admin_user)
    html = client.get(reverse("slm:review_list")).content.decode()
    nav = html.split('data-testid="main-nav"')[1].split("</ul>")[0]
    assert 'data-nav-group="slm"' in nav and 'data-nav-group="admin"' in nav
    slm = nav.split('data-nav-group="slm"')[1].split("</li>")[0]
    assert f'href="{reverse("slm:requirement_list")}"' in slm
    assert f'class="dropdown-item active" href="{reverse("slm:review_list")}"' in slm
    assert 'nav-item dropdown active" data-nav-group="slm"' in nav
    single = menu([{"url": "slm:agreement_list", "group": "slm", "active": False, "href": "/slm/"}])
    assert single == [
        {"url": "slm:agreement_list", "group": "slm", "active": False, "href": "/slm/"}
    ]


def test_htmx_csrf_header_and_logout_form(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert f'action="{reverse("logout")}"' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_logout_by_post_lands_on_login(client, admin_user):
    assert client.login(username="admin", password=PASSWORD)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_only_the_most_specific_navigation_entry_is_active(client, admin_user):
    client.force_login(admin_user)
    nav = client.get(reverse("slm:report")).context["nav_items"]
    assert [item["url"] for item in nav if item["active"]] == ["slm:report"]
