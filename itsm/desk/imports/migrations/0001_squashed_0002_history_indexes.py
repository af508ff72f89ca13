"""deskimport: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("deskimport", "0001_initial"), ("deskimport", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalTicketImport",
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
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                (
                    "source",
                    models.CharField(
                        help_text="Names the old tool; numbers are unique per source system.",
                        max_length=60,
                        verbose_name="source system",
                    ),
                ),
                (
                    "shape",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("rows", "One row per incident"),
                            ("events", "Event log (one row per update)"),
                        ],
                        max_length=10,
                        verbose_name="shape",
                    ),
                ),
                ("headers", models.JSONField(blank=True, default=list, verbose_name="columns")),
                ("mapping", models.JSONField(blank=True, default=dict, verbose_name="mapping")),
                (
                    "state_map",
                    models.JSONField(blank=True, default=dict, verbose_name="state mapping"),
                ),
                (
                    "priority_map",
                    models.JSONField(blank=True, default=dict, verbose_name="priority mapping"),
                ),
                ("day_first", models.BooleanField(default=True, verbose_name="day first dates")),
                (
                    "unknown_groups",
                    models.CharField(
                        choices=[("create", "Create them"), ("ignore", "Leave the field empty")],
                        default="create",
                        max_length=10,
                        verbose_name="unknown groups",
                    ),
                ),
                (
                    "unknown_categories",
                    models.CharField(
                        choices=[("create", "Create them"), ("ignore", "Leave the field empty")],
                        default="create",
                        max_length=10,
                        verbose_name="unknown categories",
                    ),
                ),
                (
                    "skip_bad",
                    models.BooleanField(
                        default=False,
                        help_text="Import the other incidents and record the skipped ones in the log.",
                        verbose_name="skip the bad incidents",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Uploaded"),
                            ("checked", "Checked"),
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="uploaded",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                (
                    "incident_count",
                    models.PositiveIntegerField(default=0, verbose_name="incidents"),
                ),
                ("done_rows", models.PositiveIntegerField(default=0, verbose_name="rows done")),
                (
                    "created_count",
                    models.PositiveIntegerField(default=0, verbose_name="tickets created"),
                ),
                (
                    "unchanged_count",
                    models.PositiveIntegerField(default=0, verbose_name="already imported"),
                ),
                ("problems", models.JSONField(blank=True, default=list, verbose_name="bad rows")),
                (
                    "skipped",
                    models.JSONField(blank=True, default=list, verbose_name="skipped incidents"),
                ),
                ("log", models.TextField(blank=True, verbose_name="log")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
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
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
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
            ],
            options={
                "verbose_name": "historical ticket import",
                "verbose_name_plural": "historical ticket imports",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="TicketImport",
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
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                (
                    "source",
                    models.CharField(
                        help_text="Names the old tool; numbers are unique per source system.",
                        max_length=60,
                        verbose_name="source system",
                    ),
                ),
                (
                    "shape",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("rows", "One row per incident"),
                            ("events", "Event log (one row per update)"),
                        ],
                        max_length=10,
                        verbose_name="shape",
                    ),
                ),
                ("headers", models.JSONField(blank=True, default=list, verbose_name="columns")),
                ("mapping", models.JSONField(blank=True, default=dict, verbose_name="mapping")),
                (
                    "state_map",
                    models.JSONField(blank=True, default=dict, verbose_name="state mapping"),
                ),
                (
                    "priority_map",
                    models.JSONField(blank=True, default=dict, verbose_name="priority mapping"),
                ),
                ("day_first", models.BooleanField(default=True, verbose_name="day first dates")),
                (
                    "unknown_groups",
                    models.CharField(
                        choices=[("create", "Create them"), ("ignore", "Leave the field empty")],
                        default="create",
                        max_length=10,
                        verbose_name="unknown groups",
                    ),
                ),
                (
                    "unknown_categories",
                    models.CharField(
                        choices=[("create", "Create them"), ("ignore", "Leave the field empty")],
                        default="create",
                        max_length=10,
                        verbose_name="unknown categories",
                    ),
                ),
                (
                    "skip_bad",
                    models.BooleanField(
                        default=False,
                        help_text="Import the other incidents and record the skipped ones in the log.",
                        verbose_name="skip the bad incidents",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Uploaded"),
                            ("checked", "Checked"),
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="uploaded",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                (
                    "incident_count",
                    models.PositiveIntegerField(default=0, verbose_name="incidents"),
                ),
                ("done_rows", models.PositiveIntegerField(default=0, verbose_name="rows done")),
                (
                    "created_count",
                    models.PositiveIntegerField(default=0, verbose_name="tickets created"),
                ),
                (
                    "unchanged_count",
                    models.PositiveIntegerField(default=0, verbose_name="already imported"),
                ),
                ("problems", models.JSONField(blank=True, default=list, verbose_name="bad rows")),
                (
                    "skipped",
                    models.JSONField(blank=True, default=list, verbose_name="skipped incidents"),
                ),
                ("log", models.TextField(blank=True, verbose_name="log")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket import",
                "verbose_name_plural": "ticket imports",
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["status", "id"], name="deskimport_status")],
            },
        ),
        migrations.CreateModel(
            name="ImportFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("content", models.BinaryField(verbose_name="content")),
                (
                    "ticket_import",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="file",
                        to="deskimport.ticketimport",
                        verbose_name="import",
                    ),
                ),
            ],
            options={
                "verbose_name": "import file",
                "verbose_name_plural": "import files",
            },
        ),
    ]
