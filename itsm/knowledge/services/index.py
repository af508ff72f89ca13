"""The only writer of the search index (``SearchDocument``; the engines' full-text structures
follow it: SQLite's FTS5 table through triggers, PostgreSQL's generated ``tsvector``).

Other apps push their records through :func:`index_document` / :func:`remove_document`
(problems: its problems and known errors). Articles are indexed by the article services;
tickets, which knowledge may only read through ``desk.selectors``, by the periodic job
``knowledge.index_tickets`` (:func:`index_changed_tickets`: the tickets changed since its
last run), so a ticket's create path does no extra work; :func:`rebuild_index` re-reads
every article and ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed
from itsm.knowledge.audience import audience_of
from itsm.knowledge.choices import ArticleStatus, DocumentKind, Visibility
from itsm.knowledge.models import Article, IndexMark, SearchDocument
from itsm.knowledge.search.segment import token_text

#: the longest text kept per document (display and tokens): a longer ticket description is
#: cut, the search finds it by its beginning
MAX_BODY = 20_000
TICKET_MARK = "tickets"
TICKET_BATCH = 500
#: how far before its mark the ticket indexer reads again (late commits)
OVERLAP = timedelta(minutes=2)


def _document(
    *,
    kind: str,
    key: int,
    number: str,
    title: str,
    body: str,
    audience: str,
    customer_id: int | None,
    state: str,
    updated_at: datetime | None,
) -> SearchDocument:
    title = (title or "").strip()[:300]
    body = (body or "")[:MAX_BODY]
    return SearchDocument(
        kind=kind,
        key=key,
        number=(number or "")[:30],
        title=title,
        body=body,
        title_tokens=token_text(f"{number} {title}"),
        body_tokens=token_text(body),
        audience=audience,
        customer_id=customer_id,
        record_status=(state or "")[:30],
        updated_at=updated_at or timezone.now(),
    )


_FIELDS = (
    "number",
    "title",
    "body",
    "title_tokens",
    "body_tokens",
    "audience",
    "customer_id",
    "record_status",
    "updated_at",
)


def _store(documents: list[SearchDocument]) -> None:
    """Insert or replace *documents* (by kind and key) in one or two statements."""
    if not documents:
        return
    keys = {(d.kind, d.key) for d in documents}
    with transaction.atomic():
        existing = {}
        by_kind: dict[str, list[int]] = {}
        for kind, key in keys:
            by_kind.setdefault(kind, []).append(key)
        for kind, ids in by_kind.items():
            for row in SearchDocument.objects.filter(kind=kind, key__in=ids).only(
                "id", "kind", "key"
            ):
                existing[(row.kind, row.key)] = row.pk
        new, changed = [], []
        for document in documents:
            pk = existing.get((document.kind, document.key))
            if pk is None:
                new.append(document)
            else:
                document.pk = pk
                changed.append(document)
        if new:
            SearchDocument.objects.bulk_create(new, batch_size=500)
        if changed:
            SearchDocument.objects.bulk_update(changed, _FIELDS, batch_size=200)


def index_document(
    *,
    kind: str,
    key: int,
    number: str,
    title: str,
    body: str,
    customer_id: int | None,
    customer_visible: bool,
    updated_at,
    state: str = "",
) -> None:
    """Put one record into the search index (or replace it).

    *kind*: a ``DocumentKind`` (``known_error``, ``problem`` …); *key*: the record's id;
    *customer_visible*: whether customers may find it at all — then *customer_id* names the
    one organisation that may (``None``: every customer); *state*: the record's status
    (suggestions keep open tickets and published articles)."""
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            fields={"kind": [str(_("Unknown kind of search document."))]},
        )
    audience = audience_of(
        customer_visible=customer_visible,
        organisation_ids=None if customer_id is None else [customer_id],
    )
    _store(
        [
            _document(
                kind=kind,
                key=key,
                number=number,
                title=title,
                body=body,
                audience=audience,
                customer_id=customer_id,
                state=state,
                updated_at=updated_at,
            )
        ]
    )


def remove_document(*, kind: str, key: int) -> None:
    """Take one record out of the search index (nothing happens when it is not there)."""
    SearchDocument.objects.filter(kind=kind, key=key).delete()


# --- articles -------------------------------------------------------------------------------


def article_audience(article: Article, customer_ids: Iterable[int] | None = None) -> str:
    """Who among the customers may read *article*: published for customers (every customer,
    or the chosen ones), else nobody."""
    visible = (
        article.status == ArticleStatus.PUBLISHED and article.visibility == Visibility.CUSTOMERS
    )
    if customer_ids is None:
        customer_ids = (
            list(article.customers.values_list("pk", flat=True)) if visible and article.pk else []
        )
    return audience_of(customer_visible=visible, organisation_ids=customer_ids)


def index_article(article: Article) -> None:
    """(Re-)index *article*: staff find it in every status but archived (drafts too: the
    author looks for them), customers only as its audience says."""
    if article.status == ArticleStatus.ARCHIVED:
        remove_document(kind=DocumentKind.ARTICLE, key=article.pk)
        return
    _store(
        [
            _document(
                kind=DocumentKind.ARTICLE,
                key=article.pk,
                number=article.number,
                title=article.title,
                body=article.body,
                audience=article.audience,
                customer_id=None,
                state=article.status,
                updated_at=article.updated_at,
            )
        ]
    )


# --- tickets --------------------------------------------------------------------------------


def _ticket_document(ticket) -> SearchDocument:
    body = "\n".join(part for part in (ticket.description, ticket.resolution) if part)
    return _document(
        kind=DocumentKind.TICKET,
        key=ticket.pk,
        number=ticket.number,
        title=ticket.title,
        body=body,
        audience=audience_of(customer_visible=True, organisation_ids=[ticket.customer_id]),
        customer_id=ticket.customer_id,
        state=ticket.status,
        updated_at=ticket.updated_at,
    )


_TICKET_COLUMNS = (
    "id",
    "number",
    "title",
    "description",
    "resolution",
    "customer_id",
    "status",
    "updated_at",
)


def index_changed_tickets(*, batch: int = TICKET_BATCH, limit: int | None = None) -> int:
    """Index the tickets changed since the last call (by update time, then id), at most
    *limit* of them (all when ``None``), in batches; returns how many were indexed.

    The mark moves with each batch, so a run cut short goes on where it stopped. Each run
    reads again the tickets of the ``OVERLAP`` before the mark: a transaction that committed
    after the last run with an earlier update time is not missed (indexing is idempotent)."""
    from itsm.desk.selectors import all_tickets

    mark, _created = IndexMark.objects.get_or_create(name=TICKET_MARK)
    cursor: tuple[datetime, int] | None = None
    done = 0
    while limit is None or done < limit:
        rows = all_tickets().only(*_TICKET_COLUMNS).order_by("updated_at", "id")
        if cursor is not None:
            rows = rows.filter(updated_at__gte=cursor[0]).exclude(
                updated_at=cursor[0], id__lte=cursor[1]
            )
        elif mark.updated_at is not None:
            rows = rows.filter(updated_at__gte=mark.updated_at - OVERLAP)
        size = batch if limit is None else min(batch, limit - done)
        tickets = list(rows[:size])
        if not tickets:
            break
        last = tickets[-1]
        cursor = (last.updated_at, last.pk)
        with transaction.atomic():
            _store([_ticket_document(t) for t in tickets])
            if mark.updated_at is None or cursor > (mark.updated_at, mark.last_id):
                mark.updated_at, mark.last_id = cursor
                IndexMark.objects.filter(pk=mark.pk).update(
                    updated_at=mark.updated_at, last_id=mark.last_id
                )
        done += len(tickets)
        if len(tickets) < size:
            break
    return done


def rebuild_index() -> dict[str, int]:
    """Re-index every article and ticket from scratch (documents pushed by other apps —
    known errors, problems — are kept: their apps re-push them). Returns the counts."""
    with transaction.atomic():
        SearchDocument.objects.filter(kind__in=[DocumentKind.ARTICLE, DocumentKind.TICKET]).delete()
        IndexMark.objects.filter(name=TICKET_MARK).delete()
    articles = 0
    queryset = Article.objects.exclude(status=ArticleStatus.ARCHIVED).order_by("id")
    for start in range(0, queryset.count(), 1000):
        chunk = list(queryset[start : start + 1000])
        _store(
            [
                _document(
                    kind=DocumentKind.ARTICLE,
                    key=a.pk,
                    number=a.number,
                    title=a.title,
                    body=a.body,
                    audience=a.audience,
                    customer_id=None,
                    state=a.status,
                    updated_at=a.updated_at,
                )
                for a in chunk
            ]
        )
        articles += len(chunk)
    tickets = index_changed_tickets(batch=1000)
    return {"articles": articles, "tickets": tickets}
