"""Services around an article: its links to other records, its attachments, and the use that
is counted (views, "this helped", "this solved it" on a ticket)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.errors import Forbidden, NotFound, ValidationFailed
from itsm.core.timeline import record_event
from itsm.core.uploads import max_bytes
from itsm.knowledge.choices import ArticleStatus, LinkKind, UsageKind
from itsm.knowledge.models import Article, ArticleAttachment, ArticleLink, ArticleUsage


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _target_label(kind: str, target_id: int, by) -> str:
    """Check that *by* may see the linked record (through its app's selectors) and return
    its label; problems and known errors are pushed by the problems app, which checks them."""
    if kind == LinkKind.TICKET:
        from itsm.desk import selectors as desk

        tickets = desk.tickets_for(by) if by is not None else desk.all_tickets()
        ticket = tickets.filter(pk=target_id).only("number", "title").first()
        return f"{ticket.number} {ticket.title}" if ticket else ""
    if kind == LinkKind.CI:
        from itsm.cmdb import selectors as cmdb

        cis = cmdb.cis_for(by) if by is not None else cmdb.all_cis()
        ci = cis.filter(pk=target_id).only("number", "name").first()
        return f"{ci.number} {ci.name}" if ci else ""
    if kind == LinkKind.SERVICE:
        from itsm.catalog import selectors as catalog

        services = catalog.visible_services(by) if by is not None else catalog.all_services()
        service = services.filter(pk=target_id).only("code", "name").first()
        return f"{service.code} {service.name}" if service else ""
    return "—"


def add_link(article: Article, *, by, kind: str, target_id: int, label: str = "") -> ArticleLink:
    """Link *article* to a ticket, problem, known error, CI or service (idempotent)."""
    if kind not in LinkKind.values:
        raise _error(
            "kind",
            _("Unknown kind of link. Allowed: {allowed}.").format(
                allowed=", ".join(LinkKind.values)
            ),
        )
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise _error("target_id", _("Enter a whole number."))
    found = _target_label(kind, target_id, by)
    if not found:
        raise _error("target_id", _("Unknown record."))
    with transaction.atomic():
        link = ArticleLink.objects.filter(article=article, kind=kind, target_id=target_id).first()
        if link is not None:
            return link
        link = ArticleLink.objects.create(
            article=article,
            kind=kind,
            target_id=target_id,
            label=(label or ("" if found == "—" else found))[:250],
            created_by=by if getattr(by, "pk", None) else None,
        )
        record_event(article, "link_added", by=by, data={"kind": kind, "target": target_id})
    return link


def remove_link(link: ArticleLink, *, by) -> None:
    with transaction.atomic():
        record_event(
            link.article,
            "link_removed",
            by=by,
            data={"kind": link.kind, "target": link.target_id},
        )
        link.delete()


def add_attachment(
    article: Article, *, by, name: str, content_type: str, content: bytes
) -> ArticleAttachment:
    """Keep a file with the article (within ``ITSM_UPLOAD_MAX_BYTES``); it is only ever
    served as a download."""
    limit = max_bytes()
    if len(content) > limit:
        raise _error(
            "file",
            str(_("The file is larger than {size} MB.")).format(size=limit // (1024 * 1024)),
        )
    if article.status == ArticleStatus.ARCHIVED:
        raise _error("file", _("An archived article cannot be edited."))
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "attachment"
    with transaction.atomic():
        attachment = ArticleAttachment.objects.create(
            article=article,
            name=name,
            content_type=(content_type or "application/octet-stream")[:120],
            size=len(content),
            content=content,
            uploaded_by=by if getattr(by, "pk", None) else None,
        )
        record_event(
            article, "attachment_added", by=by, note=name, data={"attachment": attachment.pk}
        )
    return attachment


def remove_attachment(attachment: ArticleAttachment, *, by) -> None:
    with transaction.atomic():
        record_event(attachment.article, "attachment_removed", by=by, note=attachment.name)
        attachment.delete()


def _readable(article: Article, by) -> None:
    if by is not None and not policy.may_view_row(by, article):
        raise NotFound()


def record_view(article: Article, *, by) -> None:
    """Count one reading of *article* (the counter only: views are many)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def record_helped(article: Article, *, by) -> ArticleUsage:
    """ "This helped": count it, with the reader's organisation (the utilisation KPI)."""
    _readable(article, by)
    if article.status != ArticleStatus.PUBLISHED:
        raise _error("article", _("Only a published article can be marked as helpful."))
    with transaction.atomic():
        usage = ArticleUsage.objects.create(
            article=article,
            kind=UsageKind.HELPED,
            by=by if getattr(by, "pk", None) else None,
            organisation_id=getattr(by, "organisation_id", None),
        )
        Article.objects.filter(pk=article.pk).update(helped_count=F("helped_count") + 1)
        record_event(article, "helped", by=by)
    return usage


def record_solution(article: Article, *, by, ticket) -> ArticleUsage:
    """ "This solved it" on *ticket*: count the article as a ticket's resolution and link it
    to the ticket (once per ticket; a second call returns the first row)."""
    _readable(article, by)
    if article.status != ArticleStatus.PUBLISHED:
        raise _error("article", _("Only a published article can solve a ticket."))
    if by is not None and not policy.is_provider_staff(by):
        if getattr(by, "organisation_id", None) != ticket.customer_id:
            raise Forbidden(_("You may act only on your own organisation's tickets."))
    existing = ArticleUsage.objects.filter(
        article=article, kind=UsageKind.RESOLUTION, ticket_id=ticket.pk
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            usage = ArticleUsage.objects.create(
                article=article,
                kind=UsageKind.RESOLUTION,
                ticket_id=ticket.pk,
                by=by if getattr(by, "pk", None) else None,
                organisation_id=ticket.customer_id,
            )
            Article.objects.filter(pk=article.pk).update(resolution_count=F("resolution_count") + 1)
            if not ArticleLink.objects.filter(
                article=article, kind=LinkKind.TICKET, target_id=ticket.pk
            ).exists():
                ArticleLink.objects.create(
                    article=article,
                    kind=LinkKind.TICKET,
                    target_id=ticket.pk,
                    label=f"{ticket.number} {ticket.title}"[:250],
                    created_by=by if getattr(by, "pk", None) else None,
                )
            record_event(
                article, "solved_ticket", by=by, data={"ticket": ticket.pk}, note=ticket.number
            )
    except IntegrityError:  # a concurrent click recorded it first
        return ArticleUsage.objects.get(
            article=article, kind=UsageKind.RESOLUTION, ticket_id=ticket.pk
        )
    return usage
