"""Services of the knowledge base: lifecycle with four eyes, versions, visibility, links,
attachments, usage, the ticket indexer."""

from __future__ import annotations

import pytest

from itsm.core.errors import (
    Forbidden,
    FourEyes,
    InvalidTransition,
    Unprocessable,
    ValidationFailed,
)
from itsm.knowledge import services
from itsm.knowledge.models import ArticleUsage, SearchDocument
from itsm.knowledge.tests import factories

pytestmark = pytest.mark.django_db


def test_lifecycle_with_four_eyes():
    # a group leader both writes and reviews: never their own article
    author, reviewer = factories.reviewer(), factories.reviewer()
    article = factories.article(by=author)
    assert (article.status, article.number[:3]) == ("draft", "KB-")
    with pytest.raises(InvalidTransition):
        services.publish_article(article, by=reviewer)
    services.submit_article(article, by=author)
    with pytest.raises(FourEyes):
        services.publish_article(article, by=author)
    with pytest.raises(ValidationFailed) as error:
        services.reject_article(article, by=reviewer)
    assert set(error.value.fields) == {"note"}
    services.publish_article(article, by=reviewer)
    assert (article.status, article.reviewed_by, article.published_at is not None) == (
        "published",
        reviewer,
        True,
    )
    with pytest.raises(Forbidden):  # an agent writes, does not archive
        services.archive_article(article, by=factories.writer())
    services.archive_article(article, by=reviewer)
    with pytest.raises(Unprocessable):
        services.update_article(article, by=author, title="x")
    services.restore_article(article, by=reviewer)
    assert article.status == "draft"


def test_a_published_edit_keeps_the_previous_text():
    article = factories.published(title="VPN 超时", body="重启客户端。")
    services.update_article(article, by=factories.writer(), body="升级客户端到 5.2。")
    article.refresh_from_db()
    assert article.text_version == 2
    (old,) = article.versions.all()
    assert (old.text_version, old.title, old.body) == (1, "VPN 超时", "重启客户端。")
    # an edit of a draft keeps no version
    draft = factories.article()
    services.update_article(draft, by=None, body="new")
    assert draft.versions.count() == 0


def test_visibility_sets_the_audience(customer_a, customer_b):
    article = factories.published(visibility="customers", customers=[customer_a, customer_b])
    article.refresh_from_db()
    assert (
        article.audience
        == f",{min(customer_a.pk, customer_b.pk)},{max(customer_a.pk, customer_b.pk)},"
    )
    services.update_article(article, by=None, customers=[])
    article.refresh_from_db()
    assert article.audience == "*"
    services.update_article(article, by=None, visibility="internal")
    article.refresh_from_db()
    assert article.audience == ""
    document = SearchDocument.objects.get(kind="article", key=article.pk)
    assert document.audience == ""


def test_validation_names_the_field():
    with pytest.raises(ValidationFailed) as error:
        services.create_article(by=None, title=" ", body="x")
    assert set(error.value.fields) == {"title"}
    with pytest.raises(ValidationFailed) as error:
        services.create_article(by=None, title="t", body="x", visibility="public")
    assert set(error.value.fields) == {"visibility"}
    with pytest.raises(ValidationFailed) as error:
        services.create_article(by=None, title="t", body="x", links=[("bogus", 1)])
    assert set(error.value.fields) == {"kind"}


def test_links_and_usage(customer_a, agent):
    from itsm.desk.tests.factories import ticket

    incident = ticket(customer_a, title="打印机卡纸")
    article = factories.published(links=[("ticket", incident.pk)])
    assert list(article.links.values_list("kind", "target_id")) == [("ticket", incident.pk)]
    with pytest.raises(ValidationFailed) as error:
        services.add_link(article, by=agent, kind="ticket", target_id=987654)
    assert set(error.value.fields) == {"target_id"}
    other = ticket(customer_a, title="打印机又卡纸")
    first = services.record_solution(article, by=agent, ticket=other)
    again = services.record_solution(article, by=agent, ticket=other)
    assert first.pk == again.pk
    services.record_helped(article, by=agent)
    article.refresh_from_db()
    assert (article.resolution_count, article.helped_count) == (1, 1)
    assert article.links.filter(kind="ticket", target_id=other.pk).exists()
    assert ArticleUsage.objects.filter(article=article).count() == 2


def test_attachments_are_capped(settings):
    article = factories.article()
    settings.ITSM_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as error:
        services.add_attachment(
            article, by=None, name="a.txt", content_type="text/plain", content=b"x" * 11
        )
    assert set(error.value.fields) == {"file"}


def test_ticket_indexer_reads_only_what_changed(customer_a):
    from itsm.desk.tests.factories import ticket

    first = ticket(customer_a, title="数据库连接超时")
    assert services.index_changed_tickets() == 1
    assert services.index_changed_tickets() == 1  # the overlap reads the last minutes again
    second = ticket(customer_a, title="数据库死锁")
    assert services.index_changed_tickets() == 2
    keys = set(SearchDocument.objects.filter(kind="ticket").values_list("key", flat=True))
    assert keys == {first.pk, second.pk}
    counts = services.rebuild_index()
    assert counts["tickets"] == 2
