"""objectives: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("objectives", "0001_initial"), ("objectives", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalPlan",
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
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "management_policy",
                    models.TextField(blank=True, verbose_name="management policy"),
                ),
                ("commitments", models.TextField(blank=True, verbose_name="commitments")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("approved", "Approved"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "approved_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="approved at"
                    ),
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
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
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
            ],
            options={
                "verbose_name": "historical objective plan",
                "verbose_name_plural": "historical objective plans",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Objective",
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
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "kpi_id",
                    models.CharField(
                        blank=True,
                        help_text="A KPI of the catalogue; empty: the actual is entered by hand each period.",
                        max_length=64,
                        verbose_name="KPI",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("percent", "Percent (%)"),
                            ("count", "Count"),
                            ("minutes", "Minutes"),
                            ("hours", "Hours"),
                            ("days", "Days"),
                            ("score", "Score"),
                        ],
                        default="percent",
                        max_length=10,
                        verbose_name="unit",
                    ),
                ),
                (
                    "target",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="target"),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("higher", "Higher is better"), ("lower", "Lower is better")],
                        default="higher",
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("month", "Month"), ("quarter", "Quarter"), ("year", "Year")],
                        default="month",
                        max_length=10,
                        verbose_name="period",
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("provider", "Whole provider"),
                            ("department", "Department"),
                            ("project", "Project"),
                            ("customer", "Customer"),
                        ],
                        default="provider",
                        max_length=12,
                        verbose_name="scope",
                    ),
                ),
                ("project", models.CharField(blank=True, max_length=200, verbose_name="project")),
                ("owner", models.CharField(blank=True, max_length=200, verbose_name="responsible")),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        help_text="The objective this one breaks down (performance responsibility statement).",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="children",
                        to="objectives.objective",
                        verbose_name="decomposes",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.team",
                        verbose_name="department",
                    ),
                ),
            ],
            options={
                "verbose_name": "objective",
                "verbose_name_plural": "objectives",
                "ordering": ("plan", "id"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalManualActual",
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
                ("period_start", models.DateField(verbose_name="period start")),
                (
                    "value",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="actual"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
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
                    "objective",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="objectives.objective",
                        verbose_name="objective",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical manual actual",
                "verbose_name_plural": "historical manual actuals",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Plan",
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
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "management_policy",
                    models.TextField(blank=True, verbose_name="management policy"),
                ),
                ("commitments", models.TextField(blank=True, verbose_name="commitments")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("approved", "Approved"),
                            ("archived", "Archived"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "approved_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="approved at"
                    ),
                ),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
            ],
            options={
                "verbose_name": "objective plan",
                "verbose_name_plural": "objective plans",
                "ordering": ("-year", "-id"),
            },
        ),
        migrations.AddField(
            model_name="objective",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="objectives",
                to="objectives.plan",
                verbose_name="plan",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalObjective",
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
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "kpi_id",
                    models.CharField(
                        blank=True,
                        help_text="A KPI of the catalogue; empty: the actual is entered by hand each period.",
                        max_length=64,
                        verbose_name="KPI",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("percent", "Percent (%)"),
                            ("count", "Count"),
                            ("minutes", "Minutes"),
                            ("hours", "Hours"),
                            ("days", "Days"),
                            ("score", "Score"),
                        ],
                        default="percent",
                        max_length=10,
                        verbose_name="unit",
                    ),
                ),
                (
                    "target",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="target"),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("higher", "Higher is better"), ("lower", "Lower is better")],
                        default="higher",
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("month", "Month"), ("quarter", "Quarter"), ("year", "Year")],
                        default="month",
                        max_length=10,
                        verbose_name="period",
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("provider", "Whole provider"),
                            ("department", "Department"),
                            ("project", "Project"),
                            ("customer", "Customer"),
                        ],
                        default="provider",
                        max_length=12,
                        verbose_name="scope",
                    ),
                ),
                ("project", models.CharField(blank=True, max_length=200, verbose_name="project")),
                ("owner", models.CharField(blank=True, max_length=200, verbose_name="responsible")),
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
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
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
                    "team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.team",
                        verbose_name="department",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The objective this one breaks down (performance responsibility statement).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="objectives.objective",
                        verbose_name="decomposes",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="objectives.plan",
                        verbose_name="plan",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical objective",
                "verbose_name_plural": "historical objectives",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ManualActual",
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
                ("period_start", models.DateField(verbose_name="period start")),
                (
                    "value",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="actual"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "entered_by",
                    models.ForeignKey(
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                (
                    "objective",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actuals",
                        to="objectives.objective",
                        verbose_name="objective",
                    ),
                ),
            ],
            options={
                "verbose_name": "manual actual",
                "verbose_name_plural": "manual actuals",
                "ordering": ("objective", "period_start"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("objective", "period_start"), name="objectives_actual_period"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="plan",
            index=models.Index(fields=["status", "id"], name="objectives_plan_status"),
        ),
        migrations.AddIndex(
            model_name="plan",
            index=models.Index(fields=["year", "id"], name="objectives_plan_year"),
        ),
        migrations.AddIndex(
            model_name="objective",
            index=models.Index(fields=["customer", "id"], name="objectives_obj_customer"),
        ),
        migrations.AddIndex(
            model_name="objective",
            index=models.Index(fields=["kpi_id", "id"], name="objectives_obj_kpi"),
        ),
    ]
