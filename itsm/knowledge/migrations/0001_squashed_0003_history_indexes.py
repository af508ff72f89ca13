"""knowledge: every migration up to 0003_history_indexes in one (made from the models, with the
operations a new database needs that have no model state: ``0002_search_index``).

A new database runs this one; a database that has applied the migrations it replaces
records it as applied. Rendering the models of 69 migrations one change at a time took
~3 minutes of every test run's set-up (docs/architecture.md, shared mechanisms: migrations).
"""

import django.db.models.deletion
import itsm.knowledge.audience
import simple_history.models
from django.conf import settings
from importlib import import_module

from django.db import migrations, models


search_index = import_module("itsm.knowledge.migrations.0002_search_index")


class Migration(migrations.Migration):
    replaces = [
        ("knowledge", "0001_initial"),
        ("knowledge", "0002_search_index"),
        ("knowledge", "0003_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="name")),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="read up to"),
                ),
                ("last_id", models.PositiveBigIntegerField(default=0, verbose_name="last id")),
            ],
            options={
                "verbose_name": "index mark",
                "verbose_name_plural": "index marks",
            },
        ),
        migrations.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "number",
                    models.CharField(
                        editable=False, max_length=20, unique=True, verbose_name="number"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("review", "In review"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[
                            ("internal", "Internal (provider staff)"),
                            ("customers", "Customers"),
                        ],
                        default="internal",
                        max_length=20,
                        verbose_name="visibility",
                    ),
                ),
                (
                    "audience",
                    itsm.knowledge.audience.AudienceField(
                        blank=True, default="", editable=False, verbose_name="audience"
                    ),
                ),
                ("review_due", models.DateField(blank=True, null=True, verbose_name="review date")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the article comes from, e.g. a known error's number.",
                        max_length=100,
                        verbose_name="source",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                ),
                (
                    "text_version",
                    models.PositiveIntegerField(default=1, verbose_name="text version"),
                ),
                ("view_count", models.PositiveIntegerField(default=0, verbose_name="views")),
                ("helped_count", models.PositiveIntegerField(default=0, verbose_name="helped")),
                (
                    "resolution_count",
                    models.PositiveIntegerField(default=0, verbose_name="tickets solved"),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "customers",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Leave empty to show the article to every customer.",
                        limit_choices_to={"kind": "customer"},
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customers",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "knowledge article",
                "verbose_name_plural": "knowledge articles",
                "ordering": ("-id",),
            },
        ),
        migrations.CreateModel(
            name="ArticleAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=120, verbose_name="type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size")),
                ("content", models.BinaryField(verbose_name="content")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "article attachment",
                "verbose_name_plural": "article attachments",
                "ordering": ("article", "id"),
            },
        ),
        migrations.CreateModel(
            name="Category",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="created at"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="knowledge.category",
                        verbose_name="parent category",
                    ),
                ),
            ],
            options={
                "verbose_name": "knowledge category",
                "verbose_name_plural": "knowledge categories",
                "ordering": ("name", "id"),
            },
        ),
        migrations.AddField(
            model_name="article",
            name="category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="knowledge.category",
                verbose_name="category",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalArticle",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                ("number", models.CharField(editable=False, max_length=20, verbose_name="number")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("review", "In review"),
                            ("published", "Published"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "visibility",
                    models.CharField(
                        choices=[
                            ("internal", "Internal (provider staff)"),
                            ("customers", "Customers"),
                        ],
                        default="internal",
                        max_length=20,
                        verbose_name="visibility",
                    ),
                ),
                (
                    "audience",
                    itsm.knowledge.audience.AudienceField(
                        blank=True, default="", editable=False, verbose_name="audience"
                    ),
                ),
                ("review_due", models.DateField(blank=True, null=True, verbose_name="review date")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text="Where the article comes from, e.g. a known error's number.",
                        max_length=100,
                        verbose_name="source",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "archived_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="archived at"),
                ),
                (
                    "text_version",
                    models.PositiveIntegerField(default=1, verbose_name="text version"),
                ),
                ("view_count", models.PositiveIntegerField(default=0, verbose_name="views")),
                ("helped_count", models.PositiveIntegerField(default=0, verbose_name="helped")),
                (
                    "resolution_count",
                    models.PositiveIntegerField(default=0, verbose_name="tickets solved"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical knowledge article",
                "verbose_name_plural": "historical knowledge articles",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCategory",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="created at"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="updated at"),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="knowledge.category",
                        verbose_name="parent category",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical knowledge category",
                "verbose_name_plural": "historical knowledge categories",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("article", "Article"),
                            ("known_error", "Known error"),
                            ("problem", "Problem"),
                            ("ticket", "Ticket"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("key", models.PositiveBigIntegerField(verbose_name="record id")),
                ("number", models.CharField(blank=True, max_length=30, verbose_name="number")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                ("title_tokens", models.TextField(blank=True, editable=False)),
                ("body_tokens", models.TextField(blank=True, editable=False)),
                (
                    "audience",
                    itsm.knowledge.audience.AudienceField(
                        blank=True, default="", editable=False, verbose_name="audience"
                    ),
                ),
                (
                    "record_status",
                    models.CharField(blank=True, max_length=30, verbose_name="status"),
                ),
                ("updated_at", models.DateTimeField(verbose_name="updated at")),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.CreateModel(
            name="ArticleLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ticket", "Ticket"),
                            ("problem", "Problem"),
                            ("known_error", "Known error"),
                            ("ci", "Configuration item"),
                            ("service", "Service"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("target_id", models.PositiveBigIntegerField(verbose_name="record id")),
                ("label", models.CharField(blank=True, max_length=250, verbose_name="label")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="linked at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="linked by",
                    ),
                ),
            ],
            options={
                "verbose_name": "article link",
                "verbose_name_plural": "article links",
                "ordering": ("article", "kind", "target_id"),
                "indexes": [
                    models.Index(fields=["kind", "target_id"], name="knowledge_link_target")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "kind", "target_id"), name="knowledge_link_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ArticleUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("view", "Viewed"),
                            ("helped", "This helped"),
                            ("resolution", "Solved a ticket"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "ticket_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="ticket"),
                ),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usages",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "article usage",
                "verbose_name_plural": "article usages",
                "ordering": ("-at", "-id"),
                "indexes": [models.Index(fields=["at", "kind"], name="knowledge_usage_at")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ticket_id__isnull", False)),
                        fields=("article", "kind", "ticket_id"),
                        name="knowledge_usage_ticket_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ArticleVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text_version", models.PositiveIntegerField(verbose_name="text version")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                ("saved_at", models.DateTimeField(auto_now_add=True, verbose_name="replaced at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="knowledge.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "saved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="replaced by",
                    ),
                ),
            ],
            options={
                "verbose_name": "article version",
                "verbose_name_plural": "article versions",
                "ordering": ("article", "-text_version"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "text_version"), name="knowledge_version_unique"
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("parent", "name"), name="knowledge_category_name_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "id"], name="knowledge_article_status"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["category", "id"], name="knowledge_article_category"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["title", "id"], name="knowledge_article_title"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["updated_at", "id"], name="knowledge_article_updated"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["review_due", "id"], name="knowledge_article_review"),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(
                fields=("kind", "key"), name="knowledge_document_unique"
            ),
        ),
        migrations.RunPython(search_index.install_search, search_index.remove_search),
    ]
