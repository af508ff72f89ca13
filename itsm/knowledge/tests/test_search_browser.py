"""The search in a browser: a customer types Chinese and English words in the portal's box,
gets their own ticket and the articles shown to them, marked; never another organisation's
ticket or an internal article. The article list is sorted and filtered as every list."""

from __future__ import annotations

import pytest

from itsm.knowledge import services
from itsm.knowledge.tests import factories

pytestmark = pytest.mark.browser


def test_customer_searches_from_the_portal(
    page, login, provider, customer_a, customer_b, customer_user
):
    from itsm.desk.tests.factories import ticket

    author = factories.writer()
    shown = factories.published(
        by=author, title="Oracle 表空间不足", body="ORA-01653 扩展数据文件", visibility="customers"
    )
    internal = factories.published(by=author, title="Oracle 表空间巡检（内部）")
    mine = ticket(customer_a, title="Oracle 表空间告警")
    theirs = ticket(customer_b, title="Oracle 表空间满")
    services.index_changed_tickets()

    login(customer_user)
    page.goto("/knowledge/portal/")
    page.fill("[data-testid=portal-search] input[name=q]", "oracle 表空间")
    page.click("[data-testid=portal-search] button[type=submit]")
    page.wait_for_load_state()
    hits = page.locator("[data-hit]").evaluate_all("els => els.map(e => e.dataset.hit)")
    assert sorted(hits) == sorted([f"article:{shown.number}", f"ticket:{mine.number}"])
    assert internal.number not in page.content() and theirs.number not in page.content()
    marked = page.locator(f"[data-hit='article:{shown.number}'] mark").all_inner_texts()
    assert marked == ["Oracle", "表空间"]

    page.fill("[data-testid=search-box]", "ORA-01653")
    page.click("[data-testid=search-submit]")
    page.wait_for_load_state()
    hits = page.locator("[data-hit]").evaluate_all("els => els.map(e => e.dataset.hit)")
    assert hits == [f"article:{shown.number}"]


def test_article_list_filters_by_status(page, login, provider):
    author = factories.writer()
    published = factories.published(by=author, title="VPN 超时")
    draft = factories.article(by=author, title="交换机端口")
    login(author)
    page.goto("/knowledge/?status=draft")
    rows = page.locator("[data-testid=article-table] tr[data-article]").evaluate_all(
        "els => els.map(e => e.dataset.article)"
    )
    assert rows == [draft.number]
    assert published.number not in rows
