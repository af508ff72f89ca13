"""improvement: every migration up to 0002_history_indexes in one (made from the models, with the
operations a new database needs that have no model state: none).

A new database runs this one; a database that has applied the migrations it replaces
records it as applied. Rendering the models of 69 migrations one change at a time took
~3 minutes of every test run's set-up (docs/architecture.md, shared mechanisms: migrations).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("improvement", "0001_initial"), ("improvement", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("change", "0004_history_indexes"),
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        ("slm", "0005_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalItem",
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
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("audit", "Audit finding"),
                            ("kpi_miss", "KPI target missed"),
                            ("review_action", "Service review action"),
                            ("complaint", "Complaint"),
                            ("incident", "Incident"),
                            ("ad_hoc", "Ad hoc suggestion"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "source_key",
                    models.CharField(
                        help_text="What raised the item: an audit finding, a KPI and month, a complaint…",
                        max_length=120,
                        verbose_name="source reference",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("planned", "Planned"),
                            ("approved", "Approved"),
                            ("implementing", "Implementing"),
                            ("verifying", "Verifying effect"),
                            ("closed", "Closed"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="proposed",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("goal", models.TextField(blank=True, verbose_name="goal")),
                ("plan", models.TextField(blank=True, verbose_name="plan")),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="due date")),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="approved at"),
                ),
                (
                    "implementation_notes",
                    models.TextField(blank=True, verbose_name="implementation notes"),
                ),
                ("kpi_id", models.CharField(blank=True, max_length=60, verbose_name="KPI")),
                (
                    "before_start",
                    models.DateField(blank=True, null=True, verbose_name="before: from"),
                ),
                (
                    "before_end",
                    models.DateField(blank=True, null=True, verbose_name="before: until"),
                ),
                (
                    "before_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=14,
                        null=True,
                        verbose_name="value before",
                    ),
                ),
                (
                    "after_start",
                    models.DateField(blank=True, null=True, verbose_name="after: from"),
                ),
                ("after_end", models.DateField(blank=True, null=True, verbose_name="after: until")),
                (
                    "after_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=14,
                        null=True,
                        verbose_name="value after",
                    ),
                ),
                ("effect_note", models.TextField(blank=True, verbose_name="effect")),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
                ),
                ("closure_note", models.TextField(blank=True, verbose_name="closure note")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
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
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "change",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The change that approves the work, when it needs one.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.change",
                        verbose_name="change",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Leave empty for an improvement of the provider as a whole.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
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
                    "incident",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="incident",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="raised by",
                    ),
                ),
                (
                    "review_action",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="slm.actionitem",
                        verbose_name="review meeting action",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verified by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical improvement item",
                "verbose_name_plural": "historical improvement items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Item",
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
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("audit", "Audit finding"),
                            ("kpi_miss", "KPI target missed"),
                            ("review_action", "Service review action"),
                            ("complaint", "Complaint"),
                            ("incident", "Incident"),
                            ("ad_hoc", "Ad hoc suggestion"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "source_key",
                    models.CharField(
                        help_text="What raised the item: an audit finding, a KPI and month, a complaint…",
                        max_length=120,
                        verbose_name="source reference",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("planned", "Planned"),
                            ("approved", "Approved"),
                            ("implementing", "Implementing"),
                            ("verifying", "Verifying effect"),
                            ("closed", "Closed"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="proposed",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("goal", models.TextField(blank=True, verbose_name="goal")),
                ("plan", models.TextField(blank=True, verbose_name="plan")),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="due date")),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="approved at"),
                ),
                (
                    "implementation_notes",
                    models.TextField(blank=True, verbose_name="implementation notes"),
                ),
                ("kpi_id", models.CharField(blank=True, max_length=60, verbose_name="KPI")),
                (
                    "before_start",
                    models.DateField(blank=True, null=True, verbose_name="before: from"),
                ),
                (
                    "before_end",
                    models.DateField(blank=True, null=True, verbose_name="before: until"),
                ),
                (
                    "before_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=14,
                        null=True,
                        verbose_name="value before",
                    ),
                ),
                (
                    "after_start",
                    models.DateField(blank=True, null=True, verbose_name="after: from"),
                ),
                ("after_end", models.DateField(blank=True, null=True, verbose_name="after: until")),
                (
                    "after_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=14,
                        null=True,
                        verbose_name="value after",
                    ),
                ),
                ("effect_note", models.TextField(blank=True, verbose_name="effect")),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
                ),
                ("closure_note", models.TextField(blank=True, verbose_name="closure note")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "change",
                    models.ForeignKey(
                        blank=True,
                        help_text="The change that approves the work, when it needs one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="change.change",
                        verbose_name="change",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for an improvement of the provider as a whole.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="incident",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="raised by",
                    ),
                ),
                (
                    "review_action",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="slm.actionitem",
                        verbose_name="review meeting action",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verified by",
                    ),
                ),
            ],
            options={
                "verbose_name": "improvement item",
                "verbose_name_plural": "improvement items",
                "ordering": ("-id",),
                "indexes": [
                    models.Index(fields=["status", "due_date"], name="improvement_status_due"),
                    models.Index(fields=["customer", "status"], name="improvement_customer"),
                    models.Index(fields=["closed_at"], name="improvement_closed"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "source_key"), name="improvement_item_source_key"
                    )
                ],
            },
        ),
    ]
