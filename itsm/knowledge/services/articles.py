"""Services of knowledge articles and categories: the only writers (R-KB).

Rules enforced here (views, the API, the problems app and the demo all call these):

- an article starts as ``draft`` (number ``KB-000123``) and moves along the declared
  ``ARTICLE_MACHINE``: writers (provider staff) submit, reviewers publish, return to draft,
  archive and restore; every step records who and when, and a timeline row;
- four eyes: the review of a submitted article — publishing it or returning it — is made by
  someone other than its submitter (``FourEyes``, code ``four_eyes``); returning needs a reason;
- edits are allowed in draft, review and published (an archived article is frozen); an edit
  of a published article's title or text keeps the previous text as an ``ArticleVersion``
  and counts up ``text_version``;
- visibility is internal, or for customers — every customer, or the chosen customer
  organisations; customers read an article only while it is published (``audience``);
- every write re-indexes the article in the one search index (in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core import services as core_services
from itsm.core.choices import OrganisationKind
from itsm.core.errors import Conflict, FourEyes, Unprocessable, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.knowledge.choices import NUMBER_PREFIX, ArticleStatus, Visibility
from itsm.knowledge.models import Article, ArticleVersion, Category
from itsm.knowledge.services.index import article_audience, index_article

ARTICLE_FIELDS = ("title", "body", "category", "visibility", "review_due", "source")


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


# --- categories -----------------------------------------------------------------------------


def _check_category(category: Category) -> None:
    category.name = (category.name or "").strip()
    if not category.name:
        raise _error("name", _("This field is required."))
    parent = category.parent
    seen = set()
    while parent is not None:
        if category.pk and parent.pk == category.pk:
            raise _error("parent", _("A category cannot be placed under itself."))
        if parent.pk in seen:  # pragma: no cover - a cycle cannot be stored
            break
        seen.add(parent.pk)
        parent = parent.parent
    clash = Category.objects.filter(parent=category.parent, name=category.name)
    if category.pk:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise _error("name", _("This category already has a sub-category with this name."))


def create_category(
    *, name: str, by, parent: Category | None = None, description: str = ""
) -> Category:
    """Create a knowledge category (under *parent*, or at the top)."""
    with transaction.atomic():
        category = Category(name=name, parent=parent, description=description or "")
        _check_category(category)
        core_services.set_actor(category, by)
        category.save()
        record_event(category, "created", by=by)
    return category


def update_category(
    category: Category, *, by, expected_version: int | None = None, **fields
) -> Category:
    """Change ``name``, ``parent`` or ``description`` of a category."""
    core_services.refuse_unknown_fields(fields, {"name", "parent", "description"})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(category, name, value)
        _check_category(category)
        save_versioned(category, expected_version=expected_version, by=by)
        record_event(category, "updated", by=by, data={"fields": sorted(fields)})
    return category


def delete_category(category: Category, *, by) -> None:
    """Delete a category that holds no articles and no sub-categories."""
    if category.children.exists() or category.articles.exists():
        raise ValidationFailed(
            _("Only an empty category can be deleted: move its articles and sub-categories."),
            fields={"category": [str(_("The category is not empty."))]},
            code="delete_not_allowed",
        )
    with transaction.atomic():
        record_event(category, "deleted", by=by, data={"name": category.name})
        category.delete()


# --- articles -------------------------------------------------------------------------------


def _clean_customers(customers) -> list:
    customers = list(customers or ())
    wrong = [str(c) for c in customers if c.kind != OrganisationKind.CUSTOMER]
    if wrong:
        raise _error(
            "customers",
            _("Not a customer organisation: {names}").format(names=", ".join(wrong)),
        )
    return customers


def _check_article(article: Article) -> None:
    article.title = (article.title or "").strip()
    if not article.title:
        raise _error("title", _("This field is required."))
    if len(article.title) > 200:
        raise _error("title", _("At most 200 characters."))
    if not (article.body or "").strip():
        raise _error("body", _("This field is required."))
    if article.visibility not in Visibility.values:
        raise _error(
            "visibility",
            _("Unknown visibility. Allowed: {allowed}.").format(
                allowed=", ".join(Visibility.values)
            ),
        )
    if article.review_due is not None and not isinstance(article.review_due, date):
        raise _error("review_due", _("Enter a valid date."))
    article.source = (article.source or "").strip()[:100]


def create_article(
    *,
    by,
    title: str,
    body: str,
    visibility: str = Visibility.INTERNAL,
    source: str = "",
    links: Iterable[tuple[str, int]] = (),
    category: Category | None = None,
    customers: Iterable = (),
    review_due: date | None = None,
) -> Article:
    """Create a draft article (``KB-…``) with its *links* (``(kind, id)`` pairs: ``ticket``,
    ``problem``, ``known_error``, ``ci``, ``service``) and index it for the search."""
    from itsm.knowledge.services.usage import add_link

    customer_list = _clean_customers(customers)
    with transaction.atomic():
        article = Article(
            title=title,
            body=body,
            visibility=visibility or Visibility.INTERNAL,
            source=source or "",
            category=category,
            review_due=review_due,
            status=ArticleStatus.DRAFT,
            author=by if getattr(by, "pk", None) else None,
        )
        _check_article(article)
        article.number = next_number(NUMBER_PREFIX)
        article.audience = article_audience(article, [])
        core_services.set_actor(article, by)
        article.save()
        if customer_list:
            article.customers.set(customer_list)
        record_event(article, "created", by=by, data={"source": article.source} if source else None)
        for kind, target_id in links or ():
            add_link(article, by=by, kind=kind, target_id=target_id)
        index_article(article)
    return article


def _refuse_archived(article: Article) -> None:
    if article.status == ArticleStatus.ARCHIVED:
        raise Unprocessable(
            _("An archived article cannot be edited; restore it as a draft first."),
            fields={"status": [str(_("The article is archived."))]},
            code="archived",
        )


def update_article(
    article: Article, *, by, expected_version: int | None = None, note: str = "", **fields
) -> Article:
    """Change fields of an article (``customers`` replaces the whole list). A published
    article's previous title and text are kept as a version when they change."""
    core_services.refuse_unknown_fields(fields, {*ARTICLE_FIELDS, "customers"})
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        _refuse_archived(current)
        customers = fields.pop("customers", None)
        customer_list = _clean_customers(customers) if customers is not None else None
        text_changed = any(
            name in fields and fields[name] != getattr(current, name) for name in ("title", "body")
        )
        for name, value in fields.items():
            setattr(article, name, value)
        _check_article(article)
        if text_changed and current.status == ArticleStatus.PUBLISHED:
            ArticleVersion.objects.create(
                article=article,
                text_version=current.text_version,
                title=current.title,
                body=current.body,
                saved_by=by if getattr(by, "pk", None) else None,
            )
            article.text_version = current.text_version + 1
        ids = (
            [c.pk for c in customer_list]
            if customer_list is not None
            else list(current.customers.values_list("pk", flat=True))
        )
        article.audience = article_audience(article, ids)
        save_versioned(article, expected_version=expected_version, by=by)
        if customer_list is not None:
            article.customers.set(customer_list)
        changed = sorted(set(fields) | ({"customers"} if customer_list is not None else set()))
        record_event(
            article,
            "updated",
            by=by,
            note=note,
            data={"fields": changed, "status": article.status},
        )
        index_article(article)
    return article


def delete_article(article: Article, *, by) -> None:
    """Delete a draft that was never published; a published article is archived instead."""
    if article.status != ArticleStatus.DRAFT or article.published_at is not None:
        raise ValidationFailed(
            _("Only a draft that was never published can be deleted; archive the article."),
            fields={"status": [str(_("Not a draft."))]},
            code="delete_not_allowed",
        )
    from itsm.knowledge.services.index import remove_document

    with transaction.atomic():
        record_event(article, "deleted", by=by, data={"number": article.number})
        remove_document(kind="article", key=article.pk)
        article.delete()


def _check_version(article: Article, expected_version: int | None) -> None:
    if expected_version is None:
        return
    current = Article.objects.filter(pk=article.pk).values_list("version", flat=True).first()
    if current is not None and current != expected_version:
        raise Conflict(
            fields={
                "version": [
                    str(_("Expected version {expected}, found {found}.")).format(
                        expected=expected_version, found=current
                    )
                ]
            }
        )


def _ensure_second_person(article: Article, *, by) -> None:
    by_pk = getattr(by, "pk", None)
    if by_pk is not None and article.submitted_by_id == by_pk:
        raise FourEyes(_("You submitted this article for review: another reviewer must review it."))


def _move(article: Article, target: str, *, by, note: str, expected_version, **fields) -> Article:
    with transaction.atomic():
        core_services.transition(
            article, target, by=by, note=note, expected_version=expected_version, **fields
        )
        ids = list(article.customers.values_list("pk", flat=True))
        audience = article_audience(article, ids)
        if audience != article.audience:
            article.audience = audience
            Article.objects.filter(pk=article.pk).update(audience=audience)
        index_article(article)
    return article


def submit_article(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Draft → review."""
    _check_version(article, expected_version)
    ensure_transition(article, ArticleStatus.REVIEW, by=by)
    return _move(
        article,
        ArticleStatus.REVIEW,
        by=by,
        note=note,
        expected_version=expected_version,
        submitted_by=by if getattr(by, "pk", None) else None,
        submitted_at=timezone.now(),
    )


def publish_article(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Review → published, by a reviewer other than the submitter (four eyes)."""
    _check_version(article, expected_version)
    ensure_transition(article, ArticleStatus.PUBLISHED, by=by)
    _ensure_second_person(article, by=by)
    now = timezone.now()
    return _move(
        article,
        ArticleStatus.PUBLISHED,
        by=by,
        note=note,
        expected_version=expected_version,
        reviewed_by=by if getattr(by, "pk", None) else None,
        reviewed_at=now,
        published_at=now,
    )


def reject_article(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Review → draft, with the reviewer's reason (required; four eyes)."""
    _check_version(article, expected_version)
    ensure_transition(article, ArticleStatus.DRAFT, by=by)
    _ensure_second_person(article, by=by)
    if not (note or "").strip():
        raise _error("note", _("Say why the article goes back to draft."))
    return _move(
        article,
        ArticleStatus.DRAFT,
        by=by,
        note=note,
        expected_version=expected_version,
        reviewed_by=by if getattr(by, "pk", None) else None,
        reviewed_at=timezone.now(),
    )


def archive_article(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Published → archived: out of the search, the suggestions and the portal."""
    _check_version(article, expected_version)
    ensure_transition(article, ArticleStatus.ARCHIVED, by=by)
    return _move(
        article,
        ArticleStatus.ARCHIVED,
        by=by,
        note=note,
        expected_version=expected_version,
        archived_at=timezone.now(),
    )


def restore_article(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Archived → draft, to be revised and reviewed again."""
    _check_version(article, expected_version)
    ensure_transition(article, ArticleStatus.DRAFT, by=by)
    return _move(article, ArticleStatus.DRAFT, by=by, note=note, expected_version=expected_version)


def _back_to_draft(
    article: Article, *, by, note: str = "", expected_version: int | None = None
) -> Article:
    if article.status == ArticleStatus.ARCHIVED:
        return restore_article(article, by=by, note=note, expected_version=expected_version)
    return reject_article(article, by=by, note=note, expected_version=expected_version)


#: target status → service function (the API's ``transition`` and the pages' buttons)
TRANSITIONS: dict[str, Callable[..., Article]] = {
    ArticleStatus.REVIEW: submit_article,
    ArticleStatus.PUBLISHED: publish_article,
    ArticleStatus.DRAFT: _back_to_draft,
    ArticleStatus.ARCHIVED: archive_article,
}


def transition_article(
    article: Article, *, to: str, by, note: str = "", expected_version: int | None = None
) -> Article:
    """Dispatch a status change to the matching service function."""
    function = TRANSITIONS.get(to)
    if function is None:
        ensure_transition(article, to, by=by)  # raises InvalidTransition naming the status
        raise _error("to", _("Unknown status."))  # pragma: no cover - map is exhaustive
    return function(article, by=by, note=note, expected_version=expected_version)
