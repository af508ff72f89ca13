"""Reads of the knowledge base that other apps (problems, the dashboard, the desk's pages by
URL) and this app's views may call: restricted querysets, the search and figures."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from itsm.knowledge.choices import ArticleStatus, DocumentKind
from itsm.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleLink,
    ArticleUsage,
    ArticleVersion,
    Category,
    SearchDocument,
)
from itsm.knowledge.search import query as _query
from itsm.knowledge.search.query import Hit


def articles_for(user, action: str = "view") -> QuerySet[Article]:
    """The articles *user* may *action*: all for provider staff, published ones shown to
    their organisation for a customer."""
    return Article.objects.restrict(user, action)


def published_articles_for(user) -> QuerySet[Article]:
    return articles_for(user).filter(status=ArticleStatus.PUBLISHED)


def all_articles() -> QuerySet[Article]:
    """Every article, unrestricted (the worker, KPIs' denominators, form placeholders)."""
    return Article.objects.all()


def categories_for(user, action: str = "view") -> QuerySet[Category]:
    return Category.objects.restrict(user, action)


def all_categories() -> QuerySet[Category]:
    return Category.objects.all()


def versions_for(user, article: Article) -> QuerySet[ArticleVersion]:
    return ArticleVersion.objects.restrict(user, "view").filter(article=article)


def links_for(user, article: Article) -> QuerySet[ArticleLink]:
    return ArticleLink.objects.restrict(user, "view").filter(article=article)


def articles_linked_to(user, *, kind: str, target_id: int) -> QuerySet[Article]:
    """The articles *user* may read that link to one record (a ticket, a known error …)."""
    ids = ArticleLink.objects.filter(kind=kind, target_id=target_id).values("article_id")
    return articles_for(user).filter(pk__in=ids)


def attachments_for(user, action: str = "view") -> QuerySet[ArticleAttachment]:
    return ArticleAttachment.objects.restrict(user, action).defer("content")


def usages_for(user, action: str = "view") -> QuerySet[ArticleUsage]:
    return ArticleUsage.objects.restrict(user, action)


def documents_for(user) -> QuerySet[SearchDocument]:
    return SearchDocument.objects.restrict(user, "view")


def search(
    user,
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    limit: int = 20,
    prefix_last: bool = False,
    exclude: tuple[str, int] | None = None,
    relaxed: bool = False,
) -> list[Hit]:
    """The one search over articles, known errors, problems and tickets
    (``knowledge.search.query.search``), through the user's restriction."""
    return _query.search(
        user,
        query,
        kinds=kinds,
        states=states,
        limit=limit,
        prefix_last=prefix_last,
        exclude=exclude,
        relaxed=relaxed,
    )


def suggestions(user, text: str, *, ticket_id: int | None = None, limit: int = 5) -> dict:
    """What to suggest while *user* types a ticket's summary: published articles (and open
    known errors) and, for provider staff and the customer's own organisation alike, similar
    open tickets. Articles with all the words come first; when they are fewer than *limit*,
    articles sharing two of the words follow (a summary seldom repeats an article's title)."""
    from itsm.desk.choices import OPEN_STATES

    def article_search(count: int, *, relaxed: bool) -> list[Hit]:
        return search(
            user,
            text,
            kinds=[DocumentKind.ARTICLE, DocumentKind.KNOWN_ERROR],
            states=[ArticleStatus.PUBLISHED, *_KNOWN_ERROR_OPEN],
            limit=count,
            prefix_last=True,
            relaxed=relaxed,
        )

    articles = article_search(limit, relaxed=False)
    if len(articles) < limit:
        found = {(hit.kind, hit.key) for hit in articles}
        more = article_search(limit + len(articles), relaxed=True)
        articles += [hit for hit in more if (hit.kind, hit.key) not in found][
            : limit - len(articles)
        ]
    tickets = search(
        user,
        text,
        kinds=[DocumentKind.TICKET],
        states=[str(s) for s in OPEN_STATES],
        limit=limit,
        prefix_last=True,
        exclude=(DocumentKind.TICKET, ticket_id) if ticket_id else None,
    )
    return {"articles": articles, "tickets": tickets}


#: the known-error states suggested (``problems.choices.KnownErrorStatus.ACTIVE``; knowledge
#: may not import problems, which pushes its known errors with their status)
_KNOWN_ERROR_OPEN = ("active",)


# --- figures (the knowledge KPIs, seed 000 §4.1) --------------------------------------------

#: functions ``(period_start, period_end) -> int`` counting problems opened in a period,
#: registered by the problems app (``register_problem_counter`` in its ``ready()``): knowledge
#: may not import problems
_PROBLEM_COUNTERS: list = []


def register_problem_counter(counter) -> None:
    """Let the problems app count its problems for "new articles vs incidents/problems"."""
    if counter not in _PROBLEM_COUNTERS:
        _PROBLEM_COUNTERS.append(counter)


def _published_by(end) -> QuerySet[Article]:
    """Articles published before *end* and still published (archived ones left out)."""
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, published_at__lt=end)


def new_articles(start, end) -> int:
    """Articles first published in ``[start, end)`` (still published or archived since)."""
    return Article.objects.filter(published_at__gte=start, published_at__lt=end).count()


def utilisation(start, end) -> tuple[int, int]:
    """(published articles used in the period — "this helped" or solving a ticket —,
    published articles)."""
    from itsm.knowledge.choices import UsageKind

    base = _published_by(end)
    used = (
        base.filter(
            usages__at__gte=start,
            usages__at__lt=end,
            usages__kind__in=[UsageKind.HELPED, UsageKind.RESOLUTION],
        )
        .values("pk")
        .distinct()
        .count()
    )
    return used, base.count()


def update_rate(start, end) -> tuple[int, int]:
    """(published articles whose text was revised in the period, published articles)."""
    base = _published_by(end)
    revised = (
        base.filter(versions__saved_at__gte=start, versions__saved_at__lt=end)
        .values("pk")
        .distinct()
        .count()
    )
    return revised, base.count()


def completeness(start, end) -> tuple[int, int]:
    """(published articles with a category and a review date not passed at the period's end,
    published articles)."""
    from django.utils import timezone

    base = _published_by(end)
    last_day = timezone.localtime(end).date()
    complete = base.filter(category__isnull=False, review_due__gte=last_day).count()
    return complete, base.count()


def category_shares(end) -> list[tuple[str, int]]:
    """Published articles per category (``""``: none), largest first."""
    from django.db.models import Count

    rows = (
        _published_by(end)
        .values("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__name")
    )
    return [(row["category__name"] or "", row["n"]) for row in rows]


def incidents_and_problems(start, end) -> int:
    """Incidents opened in the period plus the problems the registered counters count."""
    from itsm.desk.choices import TicketKind
    from itsm.desk.selectors import all_tickets

    incidents = (
        all_tickets()
        .filter(kind=TicketKind.INCIDENT, opened_at__gte=start, opened_at__lt=end)
        .count()
    )
    return incidents + sum(int(counter(start, end)) for counter in _PROBLEM_COUNTERS)
