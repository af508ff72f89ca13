"""What the page shell keeps per process (issue 10 item 2) stays right: the menu of a kind of
user (roles, organisation kind) follows role changes, menu and breadcrumbs follow the
language, a record's crumb is read again; the list's header cells and column menu, written in
Python, are what the template loops they replace wrote."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from itsm.cmdb.tests.factories import CIFactory
from itsm.core import services
from itsm.core.choices import Role
from itsm.core.lists.rendering import column_choices, head_cells
from itsm.core.models import User
from itsm.ui.context_processors import _entries, visible_items

pytestmark = pytest.mark.django_db


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def test_menu_follows_role_changes(admin_user, agent, customer_user):
    users = [admin_user, agent, customer_user]
    for user in users:
        assert [i["url"] for i in visible_items(user)] == [e["url"] for e in _entries(user)]
    services.set_roles(admin_user, roles={Role.SERVICE_DESK})
    services.set_roles(agent, roles={Role.ADMINISTRATOR})
    for user in map(_fresh, users):
        assert [i["url"] for i in visible_items(user)] == [e["url"] for e in _entries(user)]
    assert "core:user_list" in [i["url"] for i in visible_items(_fresh(agent))]


def _signed_in(user, language: str) -> Client:
    services.set_language(user, language=language)
    client = Client()
    client.force_login(user)
    return client


def test_menu_and_breadcrumbs_follow_the_language(admin_user):
    chinese = _signed_in(admin_user, "zh-hans").get(reverse("cmdb:class_list")).content.decode()
    assert ">仪表板</span>" in chinese and ">配置项</a>" in chinese
    english = _signed_in(admin_user, "en").get(reverse("cmdb:class_list")).content.decode()
    assert ">Dashboard</span>" in english and ">Configuration items</a>" in english


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_menu_and_language_buttons_follow_the_page_and_the_request(admin_user):
    client = _signed_in(admin_user, "en")
    pages = {}
    for name in ("cmdb:ci_list", "catalog:service_list", "cmdb:ci_list"):
        html = client.get(reverse(name) + "?q=a&b=c").content.decode()
        menu = _between(html, 'data-testid="main-nav">', "</ul>")
        switch = _between(html, 'data-testid="language-switch">', "</form>")
        current = _between(menu, 'aria-current="page">', "</a>")
        token = _between(switch, 'name="csrfmiddlewaretoken" value="', '"')
        pages.setdefault(name, []).append((current, switch.replace(token, "TOKEN")))
        assert token and token in _between(html, '"X-CSRFToken": "', '"')  # this request's
        assert f'name="next" value="{reverse(name)}?q=a&amp;b=c"' in switch
        assert 'value="en" lang="en"\n            class="btn btn-sm btn-primary active"' in switch
    assert "CMDB" in pages["cmdb:ci_list"][0][0]
    assert "Service catalogue" in pages["catalog:service_list"][0][0]
    assert pages["cmdb:ci_list"][0] == pages["cmdb:ci_list"][1]
    chinese = _signed_in(admin_user, "zh-hans").get(reverse("cmdb:ci_list")).content.decode()
    switch = _between(chinese, 'data-testid="language-switch">', "</form>")
    assert 'value="zh-hans" lang="zh-hans"\n            class="btn btn-sm btn-primary active"' in (
        switch
    )
    assert "CMDB" in _between(chinese, 'aria-current="page">', "</a>")


#: ``ui/_breadcrumbs.html``, which ``{% breadcrumbs %}`` included before it wrote the same
BREADCRUMBS_TEMPLATE = (
    "{% load i18n %}{% if crumbs %}<nav aria-label=\"{% translate 'Breadcrumb' %}\""
    ' data-testid="breadcrumbs">\n  <ol class="breadcrumb breadcrumb-arrows mb-1">\n'
    '    {% for crumb in crumbs %}<li class="breadcrumb-item"><a href="{{ crumb.url }}">'
    "{{ crumb.label }}</a></li>{% endfor %}\n  </ol>\n</nav>{% endif %}\n"
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_breadcrumbs_are_what_their_template_wrote(admin_user, language):
    from django.test import RequestFactory
    from django.utils import translation
    from django.utils.safestring import mark_safe

    from itsm.ui.breadcrumbs import Crumb

    request = RequestFactory().get(reverse("cmdb:class_list"))
    request.user = admin_user
    request.resolver_match = None
    given = [
        [{"label": "a <b> & c", "url": "/x/?a=1&b=2"}, {"label": mark_safe("<i>i</i>")}],
        [Crumb("Dashboard", "/"), Crumb('"quoted"', "/q/")],
        [],
        None,  # from the URL: no resolver match, no crumbs
    ]
    tag = Template("{% load navigation %}{% breadcrumbs %}")
    reference = Template(BREADCRUMBS_TEMPLATE)
    with translation.override(language):
        for crumbs in given:
            context = {"breadcrumbs": crumbs, "request": request}
            expected = reference.render(Context({"crumbs": crumbs or []}))
            assert tag.render(Context(context)) == expected, crumbs
    client = _signed_in(admin_user, language)
    html = client.get(reverse("cmdb:class_list")).content.decode()
    assert 'data-testid="breadcrumbs">' in html and 'href="/cmdb/"' in _crumbs_of(html)


def _crumbs_of(html: str) -> str:
    return html.split('data-testid="breadcrumbs"')[1].split("</nav>")[0]


def _crumbs(response) -> str:
    return response.content.decode().split('data-testid="breadcrumbs"')[1].split("</nav>")[0]


def test_a_record_crumb_is_read_again(admin_user):
    ci = CIFactory(name="before-rename")
    client = _signed_in(admin_user, "en")
    edit = reverse("cmdb:ci_edit", kwargs={"pk": ci.pk})
    assert "before-rename" in _crumbs(client.get(edit))
    type(ci).objects.filter(pk=ci.pk).update(name="after-rename")
    assert "after-rename" in _crumbs(client.get(edit))


HEAD_TEMPLATE = (
    "{% for header in list.headers %}"
    '<th data-column="{{ header.column.name }}"'
    '{% if header.column.css %} class="{{ header.column.css }}"{% endif %}'
    '{% if header.sorted %} aria-sort="'
    "{% if header.sorted == 'asc' %}ascending{% else %}descending{% endif %}\"{% endif %}>"
    "{% if header.sort_query %}"
    '<a href="?{{ header.sort_query }}"'
    ' class="table-sort{% if header.sorted %} {{ header.sorted }}{% endif %}"'
    ' data-testid="sort-{{ header.column.name }}">{{ header.column.label }}</a>'
    "{% else %}{{ header.column.label }}{% endif %}</th>{% endfor %}"
)
COLUMNS_TEMPLATE = (
    "{% for column, shown in list.columns %}"
    '<label class="form-check text-nowrap"><input class="form-check-input" type="checkbox" '
    'name="columns" value="{{ column.name }}"{% if shown %} checked{% endif %}><span '
    'class="form-check-label">{{ column.label }}</span></label>{% if not forloop.last %}\n'
    "{% endif %}{% endfor %}"
)


@pytest.mark.parametrize("query", ["", "sort=-name", "sort=name&status=in_use"])
def test_header_and_column_menu_are_the_template_loops(admin_user, query):
    CIFactory()
    client = _signed_in(admin_user, "en")
    listing = client.get(f"{reverse('cmdb:ci_list')}?{query}").context["list"]
    context = Context({"list": listing})
    assert head_cells(listing["headers"]) == Template(HEAD_TEMPLATE).render(context)
    assert column_choices(listing["columns"]) == Template(COLUMNS_TEMPLATE).render(context)
    assert 'aria-sort="' in head_cells(listing["headers"]) or not query
