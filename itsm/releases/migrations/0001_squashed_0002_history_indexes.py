"""releases: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("releases", "0001_initial"), ("releases", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("change", "0004_history_indexes"),
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalRelease",
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
                            ("major", "Major release"),
                            ("minor", "Minor release"),
                            ("emergency", "Emergency release"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "version_label",
                    models.CharField(
                        blank=True,
                        help_text="E.g. 5.3.0 or 2026.11.",
                        max_length=60,
                        verbose_name="release version",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planning", "Planning"),
                            ("testing", "Testing"),
                            ("decision", "Awaiting go/no-go"),
                            ("ready", "Go: ready to deploy"),
                            ("deploying", "Deploying"),
                            ("deployed", "Deployed"),
                            ("rolled_back", "Rolled back"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planning",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "planned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned deployment"),
                ),
                ("deployment_plan", models.TextField(blank=True, verbose_name="deployment plan")),
                ("rollback_plan", models.TextField(blank=True, verbose_name="rollback plan")),
                (
                    "ci_versions",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The version each CI takes when the release is deployed (CI id → version).",
                        verbose_name="CI versions",
                    ),
                ),
                (
                    "deploy_started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deployment start"),
                ),
                (
                    "deploy_ended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deployment end"),
                ),
                ("outcome_note", models.TextField(blank=True, verbose_name="outcome")),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
                (
                    "closed_at",
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
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="release manager",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical release",
                "verbose_name_plural": "historical releases",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Release",
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
                            ("major", "Major release"),
                            ("minor", "Minor release"),
                            ("emergency", "Emergency release"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "version_label",
                    models.CharField(
                        blank=True,
                        help_text="E.g. 5.3.0 or 2026.11.",
                        max_length=60,
                        verbose_name="release version",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planning", "Planning"),
                            ("testing", "Testing"),
                            ("decision", "Awaiting go/no-go"),
                            ("ready", "Go: ready to deploy"),
                            ("deploying", "Deploying"),
                            ("deployed", "Deployed"),
                            ("rolled_back", "Rolled back"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planning",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "planned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned deployment"),
                ),
                ("deployment_plan", models.TextField(blank=True, verbose_name="deployment plan")),
                ("rollback_plan", models.TextField(blank=True, verbose_name="rollback plan")),
                (
                    "ci_versions",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="The version each CI takes when the release is deployed (CI id → version).",
                        verbose_name="CI versions",
                    ),
                ),
                (
                    "deploy_started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deployment start"),
                ),
                (
                    "deploy_ended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="deployment end"),
                ),
                ("outcome_note", models.TextField(blank=True, verbose_name="outcome")),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "changes",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="change.change", verbose_name="changes"
                    ),
                ),
                (
                    "customers",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The customers of the bundled changes: who sees the release.",
                        related_name="+",
                        to="core.organisation",
                        verbose_name="affected customers",
                    ),
                ),
                (
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="release manager",
                    ),
                ),
            ],
            options={
                "verbose_name": "release",
                "verbose_name_plural": "releases",
                "ordering": ("-id",),
                "indexes": [
                    models.Index(fields=["status", "closed_at"], name="release_status_closed"),
                    models.Index(fields=["planned_at", "id"], name="release_planned"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalReleaseTest",
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
                ("subject", models.CharField(max_length=200, verbose_name="what was tested")),
                (
                    "result",
                    models.CharField(
                        choices=[("passed", "Passed"), ("failed", "Failed")],
                        max_length=10,
                        verbose_name="result",
                    ),
                ),
                ("tested_at", models.DateTimeField(verbose_name="tested at")),
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
                    "tested_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tested by",
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="releases.release",
                        verbose_name="release",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical release test",
                "verbose_name_plural": "historical release tests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalReleaseDecision",
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
                (
                    "decision",
                    models.CharField(
                        choices=[("go", "Go"), ("no_go", "No-go")],
                        max_length=10,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(verbose_name="comment")),
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
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
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
                    "release",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="releases.release",
                        verbose_name="release",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical go/no-go decision",
                "verbose_name_plural": "historical go/no-go decisions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ReleaseDecision",
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
                    "decision",
                    models.CharField(
                        choices=[("go", "Go"), ("no_go", "No-go")],
                        max_length=10,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(verbose_name="comment")),
                (
                    "decided_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "release",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decisions",
                        to="releases.release",
                        verbose_name="release",
                    ),
                ),
            ],
            options={
                "verbose_name": "go/no-go decision",
                "verbose_name_plural": "go/no-go decisions",
                "ordering": ("release", "id"),
            },
        ),
        migrations.CreateModel(
            name="ReleaseTest",
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
                ("subject", models.CharField(max_length=200, verbose_name="what was tested")),
                (
                    "result",
                    models.CharField(
                        choices=[("passed", "Passed"), ("failed", "Failed")],
                        max_length=10,
                        verbose_name="result",
                    ),
                ),
                ("tested_at", models.DateTimeField(verbose_name="tested at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "release",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tests",
                        to="releases.release",
                        verbose_name="release",
                    ),
                ),
                (
                    "tested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "release test",
                "verbose_name_plural": "release tests",
                "ordering": ("release", "tested_at", "id"),
            },
        ),
    ]
