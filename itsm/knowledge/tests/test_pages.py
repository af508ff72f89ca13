"""Pages of the knowledge base: list, detail with its lifecycle buttons, forms, the customer's
reading page and portal, the search page, the suggestions fragment and "this solved it"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.knowledge.models import Article, ArticleUsage
from itsm.knowledge.tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_render(provider, customer_a):
    author = factories.writer()
    article = factories.published(by=author, title="Oracle 表空间不足", body="ORA-01653")
    client = _client(author)
    for url in [
        reverse("knowledge:article_list"),
        reverse("knowledge:article_detail", args=[article.pk]),
        reverse("knowledge:article_edit", args=[article.pk]),
        reverse("knowledge:article_create"),
        reverse("knowledge:portal"),
        reverse("knowledge:search") + "?q=表空间",
        reverse("knowledge:category_list"),
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("knowledge:search"), {"q": "表空间"}).content.decode()
    assert f'data-hit="article:{article.number}"' in page
    assert "<mark>表空间</mark>" in page


def test_create_submit_publish_through_the_pages(provider):
    author, reviewer = factories.writer(), factories.reviewer()
    response = _client(author).post(
        reverse("knowledge:article_create"),
        {"title": "打印机卡纸", "body": "取出纸张。", "visibility": "customers"},
    )
    article = Article.objects.get(title="打印机卡纸")
    assert response.url == reverse("knowledge:article_detail", args=[article.pk])
    transition = reverse("knowledge:article_transition", args=[article.pk])
    _client(author).post(transition, {"to": "review", "version": 1})
    _client(reviewer).post(transition, {"to": "published", "version": 2})
    article.refresh_from_db()
    assert article.status == "published"
    page = _client(author).get(reverse("knowledge:article_detail", args=[article.pk]))
    assert 'data-status="published"' in page.content.decode()


def test_customer_reads_in_the_portal_look_and_counts_help(customer_a, customer_user, provider):
    shown = factories.published(title="VPN 超时", visibility="customers")
    hidden = factories.published(title="内部手册")
    client = _client(customer_user)
    listed = client.get(reverse("knowledge:article_list")).content.decode()
    assert shown.number in listed and hidden.number not in listed
    portal = client.get(reverse("knowledge:portal")).content.decode()
    assert shown.number in portal and hidden.number not in portal
    page = client.get(reverse("knowledge:article_detail", args=[shown.pk])).content.decode()
    assert 'data-testid="article-read"' in page and "transitions" not in page
    assert client.get(reverse("knowledge:article_detail", args=[hidden.pk])).status_code == 404
    client.post(reverse("knowledge:article_helped", args=[shown.pk]))
    shown.refresh_from_db()
    assert (shown.view_count, shown.helped_count) == (1, 1)
    assert ArticleUsage.objects.get(article=shown).organisation == customer_a


def test_suggestions_fragment_and_this_solved_it(customer_a, agent):
    from itsm.desk.tests.factories import ticket
    from itsm.knowledge import services

    article = factories.published(title="打印机卡纸后无法打印", visibility="customers")
    other = ticket(customer_a, title="三楼打印机卡纸")
    mine = ticket(customer_a, title="打印机卡纸")
    services.index_changed_tickets()
    client = _client(agent)
    fragment = client.get(
        reverse("knowledge:suggest"), {"q": "打印机卡", "ticket": mine.pk}
    ).content.decode()
    assert f'data-suggestion="{article.number}"' in fragment
    assert f'data-similar="{other.number}"' in fragment
    assert f'data-similar="{mine.number}"' not in fragment  # the ticket being typed
    response = client.post(
        reverse("knowledge:article_solved", args=[article.pk]),
        {"ticket": mine.pk},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="solved-recorded"' in response.content.decode()
    article.refresh_from_db()
    assert article.resolution_count == 1
    assert article.links.filter(kind="ticket", target_id=mine.pk).exists()


def test_suggestions_for_a_customer_hide_other_organisations(
    customer_a, customer_b, customer_user, provider
):
    from itsm.desk.tests.factories import ticket
    from itsm.knowledge import services

    theirs = ticket(customer_b, title="邮件服务器无法发送")
    mine = ticket(customer_a, title="邮件服务器很慢")
    services.index_changed_tickets()
    fragment = _client(customer_user).get(reverse("knowledge:suggest"), {"q": "邮件服务器"})
    text = fragment.content.decode()
    assert mine.number in text and theirs.number not in text


def test_attachment_upload_and_download(provider, customer_user, customer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    author = factories.writer()
    article = factories.article(by=author, visibility="customers")
    client = _client(author)
    client.post(
        reverse("knowledge:attachment_add", args=[article.pk]),
        {"file": SimpleUploadedFile("步骤.html", b"<script>x</script>", "text/html")},
    )
    (file,) = article.attachments.all()
    response = client.get(reverse("knowledge:attachment_download", args=[file.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    # a draft's file is not the customer's
    download = reverse("knowledge:attachment_download", args=[file.pk])
    assert _client(customer_user).get(download).status_code == 404
