"""API endpoints of the knowledge base (shared endpoint tests) and the search API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.knowledge.models import Article, Category
from itsm.knowledge.tests import factories


class TestCategoryAPI(APIEndpointTests):
    model = Category
    url_name = "api:knowledge-api:category"
    tenancy = "staff"
    required_fields = ("name",)
    writer_roles = (Role.GROUP_LEADER,)
    limited_roles = (Role.SERVICE_DESK,)
    deletable = True
    invalid_filters = ({"parent": "x"},)

    def make_row(self, owner):
        return factories.category()

    def create_payload(self, env):
        return {"name": "数据库"}

    def update_payload(self, env, row):
        return {"description": "Oracle, MySQL"}


class TestArticleAPI(APIEndpointTests):
    """Drafts are the provider's own (customers read only published articles shown to them,
    see ``test_tenancy.py``), so the shared tests run with provider tenancy on drafts."""

    model = Article
    url_name = "api:knowledge-api:article"
    tenancy = "provider"
    required_fields = ("title", "body")
    writer_roles = (Role.SERVICE_DESK,)
    limited_roles = (Role.TOP_MANAGEMENT,)
    deletable = True
    invalid_filters = ({"status": "bogus"}, {"visibility": "bogus"})

    def make_row(self, owner):
        return factories.article(title=f"VPN 超时 {owner.code}", customers=[owner])

    def create_payload(self, env):
        return {"title": "打印机卡纸", "body": "取出卡纸。", "visibility": "customers"}

    def update_payload(self, env, row):
        return {"title": "打印机卡纸（更新）"}


@pytest.mark.django_db
def test_transitions_through_the_api_keep_four_eyes():
    writer = factories.reviewer()  # a group leader writes and reviews, never their own
    reviewer = factories.reviewer()
    article = factories.article(by=writer, title="DNS 解析失败")
    url = reverse("api:knowledge-api:article-transition", args=[article.pk])
    response = client_for(writer).post(url, {"to": "review", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    response = client_for(writer).post(url, {"to": "published", "version": 2}, format="json")
    assert_error(response, 403, "four_eyes")
    response = client_for(reviewer).post(url, {"to": "published", "version": 2}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


@pytest.mark.django_db
def test_search_api_answers_ranked_marked_hits(admin_user):
    factories.article(by=admin_user, title="Oracle 表空间不足", body="ORA-01653 <b>")
    response = client_for(admin_user).get(
        reverse("api:knowledge-api:search"), {"q": "oracle 表空间"}
    )
    assert response.status_code == 200, response.content
    (hit,) = response.json()
    assert hit["kind"] == "article"
    assert hit["title_html"] == "<mark>Oracle</mark> <mark>表空间</mark>不足"
    assert hit["url"] == reverse("knowledge:article_detail", args=[hit["key"]])


@pytest.mark.django_db
def test_search_api_names_bad_parameters(admin_user):
    client = client_for(admin_user)
    url = reverse("api:knowledge-api:search")
    assert client.get(url).json() == []  # nothing to look for: nothing found
    assert_error(client.get(url, {"q": "x" * 201}), 400, "validation", fields=("q",))
    assert_error(client.get(url, {"q": "x", "kind": "bogus"}), 400, "validation", fields=("kind",))
    assert_error(client.get(url, {"q": "x", "limit": "0"}), 400, "validation", fields=("limit",))
    assert_error(client_for(None).get(url, {"q": "x"}), 401, "not_authenticated")


@pytest.mark.django_db
def test_helped_and_solved_through_the_api(admin_user, customer_a):
    from itsm.desk.tests.factories import ticket

    article = factories.published(title="打印机卡纸")
    incident = ticket(customer_a, title="打印机又卡纸")
    client = client_for(admin_user)
    url = reverse("api:knowledge-api:article-solved", args=[article.pk])
    assert client.post(url, {"ticket": incident.pk}, format="json").status_code == 200
    assert client.post(url, {"ticket": incident.pk}, format="json").status_code == 200
    assert_error(client.post(url, {"ticket": 987654}, format="json"), 400, "validation")
    response = client.post(reverse("api:knowledge-api:article-helped", args=[article.pk]))
    assert response.json()["resolution_count"] == 1
    assert response.json()["helped_count"] == 1
