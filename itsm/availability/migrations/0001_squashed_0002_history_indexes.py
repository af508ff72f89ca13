"""availability: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("availability", "0001_initial"), ("availability", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("catalog", "0003_history_indexes"),
        ("change", "0004_history_indexes"),
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalOutage",
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
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unplanned", "Unplanned outage"),
                            ("planned", "Planned interruption"),
                        ],
                        default="unplanned",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("incident", "Incident"),
                            ("alert", "Monitoring alert"),
                            ("change", "Change"),
                            ("manual", "Entered by hand"),
                        ],
                        default="manual",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="start")),
                (
                    "ended_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Empty while the outage lasts.",
                        null=True,
                        verbose_name="end",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True,
                        help_text="E.g. the fingerprint of the monitoring alert that opened it.",
                        max_length=200,
                        verbose_name="external reference",
                    ),
                ),
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
                    "change",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
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
                        help_text="Empty: the outage affects every customer of the service.",
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
                (
                    "ticket",
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
            ],
            options={
                "verbose_name": "historical outage",
                "verbose_name_plural": "historical outages",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Outage",
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
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("unplanned", "Unplanned outage"),
                            ("planned", "Planned interruption"),
                        ],
                        default="unplanned",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("incident", "Incident"),
                            ("alert", "Monitoring alert"),
                            ("change", "Change"),
                            ("manual", "Entered by hand"),
                        ],
                        default="manual",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="start")),
                (
                    "ended_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Empty while the outage lasts.",
                        null=True,
                        verbose_name="end",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        blank=True,
                        help_text="E.g. the fingerprint of the monitoring alert that opened it.",
                        max_length=200,
                        verbose_name="external reference",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "change",
                    models.ForeignKey(
                        blank=True,
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
                        help_text="Empty: the outage affects every customer of the service.",
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
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="incident",
                    ),
                ),
            ],
            options={
                "verbose_name": "outage",
                "verbose_name_plural": "outages",
                "ordering": ("-started_at", "-id"),
                "indexes": [
                    models.Index(fields=["service", "started_at"], name="outage_service_start"),
                    models.Index(fields=["started_at", "id"], name="outage_start"),
                    models.Index(fields=["ended_at"], name="outage_end"),
                    models.Index(fields=["source", "reference"], name="outage_reference"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("source", "incident"), ("ticket__isnull", False)),
                        fields=("ticket",),
                        name="outage_one_per_incident",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_at__isnull", True),
                            ("ended_at__gte", models.F("started_at")),
                            _connector="OR",
                        ),
                        name="outage_ends_after_start",
                    ),
                ],
            },
        ),
    ]
