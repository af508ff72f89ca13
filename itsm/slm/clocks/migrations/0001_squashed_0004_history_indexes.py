"""clocks: every migration up to 0004_history_indexes in one (made from the models, with the
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
    replaces = [
        ("clocks", "0001_initial"),
        ("clocks", "0002_slatestticket_from_slm"),
        ("clocks", "0003_report_indexes"),
        ("clocks", "0004_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("calendars", "0002_history_indexes"),
        ("catalog", "0003_history_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_history_indexes"),
        ("slm", "0005_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Clock",
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
                ("object_id", models.PositiveBigIntegerField(verbose_name="record id")),
                (
                    "record_label",
                    models.CharField(blank=True, max_length=220, verbose_name="record"),
                ),
                ("metric", models.CharField(max_length=20, verbose_name="metric")),
                ("priority", models.CharField(blank=True, max_length=4, verbose_name="priority")),
                (
                    "goal_seconds",
                    models.PositiveBigIntegerField(verbose_name="goal (business seconds)"),
                ),
                (
                    "warning_percent",
                    models.PositiveSmallIntegerField(default=75, verbose_name="warning at (%)"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("running", "Running"),
                            ("paused", "Paused"),
                            ("stopped", "Stopped"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="running",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "stopped_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="stopped at"),
                ),
                (
                    "elapsed_seconds",
                    models.PositiveBigIntegerField(
                        default=0, verbose_name="elapsed business seconds"
                    ),
                ),
                (
                    "segment_started_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Empty while paused or stopped.",
                        null=True,
                        verbose_name="running since",
                    ),
                ),
                (
                    "warn_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="warning due at"),
                ),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="due at")),
                (
                    "next_event_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next escalation at"),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(default=0, verbose_name="escalation level"),
                ),
                (
                    "warned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="warned at"),
                ),
                (
                    "breached_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="breached at"),
                ),
                ("breached", models.BooleanField(default=False, verbose_name="breached")),
                ("breach_cause", models.TextField(blank=True, verbose_name="breach cause")),
                (
                    "unconfirmed_years",
                    models.JSONField(
                        blank=True, default=list, verbose_name="unconfirmed calendar years"
                    ),
                ),
                (
                    "pause_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="pause reason"),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="clocks",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "calendar",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="calendars.businesscalendar",
                        verbose_name="calendar",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="record type",
                    ),
                ),
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
                (
                    "target",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="clocks",
                        to="slm.target",
                        verbose_name="target",
                    ),
                ),
            ],
            options={
                "verbose_name": "SLA clock",
                "verbose_name_plural": "SLA clocks",
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "running")),
                        fields=["next_event_at"],
                        name="clocks_clock_sweep",
                    ),
                    models.Index(fields=["agreement", "started_at"], name="clocks_clock_agreement"),
                    models.Index(fields=["customer", "started_at"], name="clocks_clock_customer"),
                    models.Index(
                        condition=models.Q(("state", "stopped")),
                        fields=["stopped_at"],
                        name="clocks_clock_stopped",
                    ),
                    models.Index(
                        condition=models.Q(("breached", True)),
                        fields=["breached_at"],
                        name="clocks_clock_breached",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("content_type", "object_id", "metric"), name="clocks_clock_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ClockSegment",
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
                        choices=[("running", "Running"), ("paused", "Paused")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="from")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="until")),
                (
                    "business_seconds",
                    models.PositiveBigIntegerField(default=0, verbose_name="business seconds"),
                ),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
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
                    "clock",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="segments",
                        to="clocks.clock",
                        verbose_name="clock",
                    ),
                ),
            ],
            options={
                "verbose_name": "clock segment",
                "verbose_name_plural": "clock segments",
                "ordering": ("clock", "started_at", "id"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalSlaTestTicket",
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
                    "priority",
                    models.CharField(
                        choices=[
                            ("p1", "P1 Critical"),
                            ("p2", "P2 High"),
                            ("p3", "P3 Medium"),
                            ("p4", "P4 Low"),
                        ],
                        max_length=4,
                        verbose_name="priority",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
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
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="slm.agreement",
                        verbose_name="agreement",
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
                "verbose_name": "historical SLA test ticket",
                "verbose_name_plural": "historical SLA test tickets",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SlaTestTicket",
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
                    "priority",
                    models.CharField(
                        choices=[
                            ("p1", "P1 Critical"),
                            ("p2", "P2 High"),
                            ("p3", "P3 Medium"),
                            ("p4", "P4 Low"),
                        ],
                        max_length=4,
                        verbose_name="priority",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
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
                "verbose_name": "SLA test ticket",
                "verbose_name_plural": "SLA test tickets",
                "ordering": ("-created_at",),
            },
        ),
    ]
