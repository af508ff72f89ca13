"""capacity: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("capacity", "0001_initial"), ("capacity", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("catalog", "0003_history_indexes"),
        ("change", "0004_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCapacityPlan",
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
                ("period_start", models.DateField(verbose_name="period start")),
                ("period_end", models.DateField(verbose_name="period end")),
                ("current_demand", models.TextField(blank=True, verbose_name="current demand")),
                ("forecast_demand", models.TextField(blank=True, verbose_name="forecast demand")),
                (
                    "upgrade_due",
                    models.DateField(blank=True, null=True, verbose_name="upgrade due"),
                ),
                (
                    "upgrade_cost",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="upgrade cost",
                    ),
                ),
                ("upgrade_description", models.TextField(blank=True, verbose_name="upgrade")),
                (
                    "changes_effect",
                    models.TextField(blank=True, verbose_name="effect of planned changes"),
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
                    "service",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical capacity plan",
                "verbose_name_plural": "historical capacity plans",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalMetric",
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
                (
                    "unit",
                    models.CharField(
                        blank=True, help_text="E.g. %, GB, ms.", max_length=20, verbose_name="unit"
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "key",
                    models.CharField(
                        blank=True,
                        help_text="How monitoring names the metric (e.g. the Prometheus alert's metric label); unique when given.",
                        max_length=200,
                        verbose_name="key",
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("up", "Higher is worse"), ("down", "Lower is worse")],
                        default="up",
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "warning_threshold",
                    models.FloatField(blank=True, null=True, verbose_name="warning threshold"),
                ),
                (
                    "critical_threshold",
                    models.FloatField(blank=True, null=True, verbose_name="critical threshold"),
                ),
                (
                    "forecast_method",
                    models.CharField(
                        choices=[
                            ("auto", "Automatic"),
                            ("linear", "Linear trend (least squares)"),
                            ("seasonal", "Seasonal trend (trend plus seasonal indices)"),
                        ],
                        default="auto",
                        max_length=10,
                        verbose_name="forecast method",
                    ),
                ),
                (
                    "season_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="The length of the repeating pattern the seasonal forecast looks for.",
                        verbose_name="season (days)",
                    ),
                ),
                (
                    "last_value",
                    models.FloatField(
                        blank=True, editable=False, null=True, verbose_name="last value"
                    ),
                ),
                (
                    "last_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last sample"
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
                    "ci",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="configuration item",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        help_text="The customer of the CI: who sees the metric.",
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
                    "service",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical capacity metric",
                "verbose_name_plural": "historical capacity metrics",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Metric",
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
                (
                    "unit",
                    models.CharField(
                        blank=True, help_text="E.g. %, GB, ms.", max_length=20, verbose_name="unit"
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "key",
                    models.CharField(
                        blank=True,
                        help_text="How monitoring names the metric (e.g. the Prometheus alert's metric label); unique when given.",
                        max_length=200,
                        verbose_name="key",
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("up", "Higher is worse"), ("down", "Lower is worse")],
                        default="up",
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "warning_threshold",
                    models.FloatField(blank=True, null=True, verbose_name="warning threshold"),
                ),
                (
                    "critical_threshold",
                    models.FloatField(blank=True, null=True, verbose_name="critical threshold"),
                ),
                (
                    "forecast_method",
                    models.CharField(
                        choices=[
                            ("auto", "Automatic"),
                            ("linear", "Linear trend (least squares)"),
                            ("seasonal", "Seasonal trend (trend plus seasonal indices)"),
                        ],
                        default="auto",
                        max_length=10,
                        verbose_name="forecast method",
                    ),
                ),
                (
                    "season_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="The length of the repeating pattern the seasonal forecast looks for.",
                        verbose_name="season (days)",
                    ),
                ),
                (
                    "last_value",
                    models.FloatField(
                        blank=True, editable=False, null=True, verbose_name="last value"
                    ),
                ),
                (
                    "last_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last sample"
                    ),
                ),
                (
                    "ci",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="configuration item",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        help_text="The customer of the CI: who sees the metric.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "capacity metric",
                "verbose_name_plural": "capacity metrics",
                "ordering": ("name", "id"),
                "indexes": [
                    models.Index(fields=["customer", "id"], name="capacity_metric_customer"),
                    models.Index(fields=["name", "id"], name="capacity_metric_name"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("key", ""), _negated=True),
                        fields=("key",),
                        name="capacity_metric_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CapacityPlan",
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
                ("period_start", models.DateField(verbose_name="period start")),
                ("period_end", models.DateField(verbose_name="period end")),
                ("current_demand", models.TextField(blank=True, verbose_name="current demand")),
                ("forecast_demand", models.TextField(blank=True, verbose_name="forecast demand")),
                (
                    "upgrade_due",
                    models.DateField(blank=True, null=True, verbose_name="upgrade due"),
                ),
                (
                    "upgrade_cost",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="upgrade cost",
                    ),
                ),
                ("upgrade_description", models.TextField(blank=True, verbose_name="upgrade")),
                (
                    "changes_effect",
                    models.TextField(blank=True, verbose_name="effect of planned changes"),
                ),
                (
                    "approved_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="approved at"
                    ),
                ),
                (
                    "changes",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="change.change",
                        verbose_name="planned changes",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "metrics",
                    models.ManyToManyField(
                        blank=True,
                        related_name="plans",
                        to="capacity.metric",
                        verbose_name="metrics",
                    ),
                ),
            ],
            options={
                "verbose_name": "capacity plan",
                "verbose_name_plural": "capacity plans",
                "ordering": ("-id",),
                "indexes": [models.Index(fields=["status", "id"], name="capacity_plan_status")],
            },
        ),
        migrations.CreateModel(
            name="Sample",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="measured at")),
                ("value", models.FloatField(verbose_name="value")),
                (
                    "metric",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="samples",
                        to="capacity.metric",
                        verbose_name="metric",
                    ),
                ),
            ],
            options={
                "verbose_name": "sample",
                "verbose_name_plural": "samples",
                "ordering": ("metric", "at"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("metric", "at"), name="capacity_sample_metric_at"
                    )
                ],
            },
        ),
    ]
