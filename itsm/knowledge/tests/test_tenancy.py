"""Who finds and reads what: customers never find internal articles, drafts, articles for
other organisations or other organisations' tickets — in the search, the API and the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.testing.api import client_for
from itsm.knowledge import selectors, services
from itsm.knowledge.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(provider, customer_a, customer_b):
    author = factories.writer()
    return {
        "internal": factories.published(by=author, title="打印机 internal"),
        "everyone": factories.published(by=author, title="打印机 everyone", visibility="customers"),
        "only_a": factories.published(
            by=author, title="打印机 only A", visibility="customers", customers=[customer_a]
        ),
        "only_b": factories.published(
            by=author, title="打印机 only B", visibility="customers", customers=[customer_b]
        ),
        "draft": factories.article(by=author, title="打印机 draft", visibility="customers"),
    }


def _numbers(hits):
    return sorted(hit.number for hit in hits)


def test_search_through_the_policy(world, customer_user, other_customer_user, admin_user):
    everything = sorted(a.number for a in world.values())
    assert _numbers(selectors.search(admin_user, "打印机")) == everything
    assert _numbers(selectors.search(customer_user, "打印机")) == sorted(
        [world["everyone"].number, world["only_a"].number]
    )
    assert _numbers(selectors.search(other_customer_user, "打印机")) == sorted(
        [world["everyone"].number, world["only_b"].number]
    )


def test_customers_find_only_their_own_tickets(customer_a, customer_b, customer_user, agent):
    from itsm.desk.tests.factories import ticket

    mine = ticket(customer_a, title="邮件服务器无法发送")
    theirs = ticket(customer_b, title="邮件服务器无法接收")
    assert services.index_changed_tickets() == 2
    assert _numbers(selectors.search(customer_user, "邮件服务器")) == [mine.number]
    assert _numbers(selectors.search(agent, "邮件服务器")) == sorted([mine.number, theirs.number])


def test_article_reads_answer_404_outside_the_audience(world, customer_user):
    client = client_for(customer_user)
    url = "api:knowledge-api:article-detail"
    for name, status in [
        ("everyone", 200),
        ("only_a", 200),
        ("only_b", 404),
        ("internal", 404),
        ("draft", 404),
    ]:
        response = client.get(reverse(url, args=[world[name].pk]))
        assert response.status_code == status, name
    listed = {
        row["number"]
        for row in client.get(reverse("api:knowledge-api:article-list")).json()["results"]
    }
    assert listed == {world["everyone"].number, world["only_a"].number}


def test_archiving_takes_an_article_out_of_every_search(world, admin_user, customer_user):
    article = world["everyone"]
    services.archive_article(article, by=factories.reviewer())
    assert article.number not in _numbers(selectors.search(admin_user, "打印机"))
    assert article.number not in _numbers(selectors.search(customer_user, "打印机"))


def test_search_api_for_a_customer(world, customer_user):
    response = client_for(customer_user).get(reverse("api:knowledge-api:search"), {"q": "打印机"})
    assert sorted(hit["number"] for hit in response.json()) == sorted(
        [world["everyone"].number, world["only_a"].number]
    )
