"""The knowledge base (知识库, R-KB): categories, articles with their versions, links,
attachments and usage, and the one search index over articles, known errors, problems and
tickets (``SearchDocument``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ADMIN, ANYONE, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.knowledge.audience import AudienceField
from itsm.knowledge.choices import (
    ARTICLE_MACHINE,
    KNOWLEDGE_REVIEWERS,
    KNOWLEDGE_WRITERS,
    ArticleStatus,
    DocumentKind,
    LinkKind,
    UsageKind,
    Visibility,
)

_USER = settings.AUTH_USER_MODEL
#: what customers may see of articles: published ones whose audience names them
_CUSTOMER_ARTICLES = models.Q(status=ArticleStatus.PUBLISHED)


class Category(DomainModel):
    """A node of the knowledge base's category tree (e.g. 数据库 › Oracle)."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)

    policy = ModelPolicy(
        view=STAFF,
        add=KNOWLEDGE_REVIEWERS,
        change=KNOWLEDGE_REVIEWERS,
        delete=KNOWLEDGE_REVIEWERS,
    )

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="knowledge_category_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Article(DomainModel):
    """A knowledge article (知识条目). Customers read it when it is published and its
    visibility is for customers — every customer, or the chosen ``customers``."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    customers = models.ManyToManyField(
        Organisation,
        verbose_name=_("customers"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "customer"},
        help_text=_("Leave empty to show the article to every customer."),
    )
    #: kept by the services from status, visibility and customers (``knowledge.audience``)
    audience = AudienceField(_("audience"))
    review_due = models.DateField(_("review date"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=100,
        blank=True,
        help_text=_("Where the article comes from, e.g. a known error's number."),
    )
    author = models.ForeignKey(
        _USER,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        _USER,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        _USER,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    text_version = models.PositiveIntegerField(_("text version"), default=1)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helped_count = models.PositiveIntegerField(_("helped"), default=0)
    resolution_count = models.PositiveIntegerField(_("tickets solved"), default=0)

    state_machine = ARTICLE_MACHINE
    policy = ModelPolicy(
        view=ANYONE,
        add=KNOWLEDGE_WRITERS,
        change=KNOWLEDGE_WRITERS,
        delete=KNOWLEDGE_WRITERS,
        tenant_field="audience__reaches",
        external_filter=_CUSTOMER_ARTICLES,
        internal_fields=(
            "customers",
            "visibility",
            "review_due",
            "source",
            "author",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "archived_at",
            "transitions",
        ),
    )

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ("-id",)
        indexes = [
            models.Index(fields=["status", "id"], name="knowledge_article_status"),
            models.Index(fields=["category", "id"], name="knowledge_article_category"),
            models.Index(fields=["title", "id"], name="knowledge_article_title"),
            models.Index(fields=["updated_at", "id"], name="knowledge_article_updated"),
            models.Index(fields=["review_due", "id"], name="knowledge_article_review"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ArticleVersion(models.Model):
    """The text an article had before a published edit (each published edit keeps it)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    text_version = models.PositiveIntegerField(_("text version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    saved_by = models.ForeignKey(
        _USER,
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=STAFF)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ("article", "-text_version")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "text_version"], name="knowledge_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.text_version}"


class ArticleLink(models.Model):
    """A link from an article to a ticket, problem, known error, CI or service (by id: the
    target belongs to another app, checked through its selectors when the link is made)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="links"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    target_id = models.PositiveBigIntegerField(_("record id"))
    label = models.CharField(_("label"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        _USER,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=STAFF, add=KNOWLEDGE_WRITERS, delete=KNOWLEDGE_WRITERS)

    class Meta:
        verbose_name = _("article link")
        verbose_name_plural = _("article links")
        ordering = ("article", "kind", "target_id")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "target_id"], name="knowledge_link_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "target_id"], name="knowledge_link_target")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target_id}"


class ArticleAttachment(models.Model):
    """A file of an article; kept in the database, served only as a download through the
    reader's restriction (customers: files of published articles they may read)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        _USER,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=ANYONE,
        add=KNOWLEDGE_WRITERS,
        delete=KNOWLEDGE_WRITERS,
        tenant_field="article__audience__reaches",
        external_filter=models.Q(article__status=ArticleStatus.PUBLISHED),
    )

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ("article", "id")

    def __str__(self) -> str:
        return self.name


class ArticleUsage(models.Model):
    """One use of an article: "this helped", or solving a ticket (the counters on the article
    add views too); the KPIs count these rows per period."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="usages"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    ticket_id = models.PositiveBigIntegerField(_("ticket"), null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        _USER,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=ANYONE, tenant_field="organisation")

    class Meta:
        verbose_name = _("article usage")
        verbose_name_plural = _("article usages")
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["at", "kind"], name="knowledge_usage_at")]
        constraints = [
            # a ticket is solved by an article once
            models.UniqueConstraint(
                fields=["article", "kind", "ticket_id"],
                condition=models.Q(ticket_id__isnull=False),
                name="knowledge_usage_ticket_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind}"


class SearchDocument(models.Model):
    """One searchable record (an article, known error, problem or ticket) in the one search
    index: its display text, its segmented tokens and who may find it (``audience``).

    SQLite: the FTS5 table ``knowledge_search_fts`` indexes ``title_tokens`` and
    ``body_tokens`` (external content, kept by triggers; migration 0002). PostgreSQL: the
    generated column ``search`` (``tsvector``, 'simple' lexemes taken verbatim from the tokens)
    with a GIN index. Written only by ``knowledge.services.index``."""

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    key = models.PositiveBigIntegerField(_("record id"))
    number = models.CharField(_("number"), max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    title_tokens = models.TextField(editable=False, blank=True)
    body_tokens = models.TextField(editable=False, blank=True)
    audience = AudienceField(_("audience"))
    record_status = models.CharField(_("status"), max_length=30, blank=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    updated_at = models.DateTimeField(_("updated at"))

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=ANYONE, tenant_field="audience__reaches")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="knowledge_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.title}"


class IndexMark(models.Model):
    """How far a periodic indexer has read its source (e.g. tickets changed up to this
    update time and id), so its next run reads only what changed since."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    updated_at = models.DateTimeField(_("read up to"), null=True, blank=True)
    last_id = models.PositiveBigIntegerField(_("last id"), default=0)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=ADMIN)

    class Meta:
        verbose_name = _("index mark")
        verbose_name_plural = _("index marks")

    def __str__(self) -> str:
        return self.name
