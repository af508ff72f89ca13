"""problems: every migration up to 0003_history_indexes in one (made from the models, with the
operations a new database needs that have no model state: none).

A new database runs this one; a database that has applied the migrations it replaces
records it as applied. Rendering the models of 69 migrations one change at a time took
~3 minutes of every test run's set-up (docs/architecture.md, shared mechanisms: migrations).
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("problems", "0001_initial"),
        ("problems", "0002_fix_change"),
        ("problems", "0003_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("catalog", "0003_history_indexes"),
        ("change", "0004_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DetectionRule",
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
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "dimension",
                    models.CharField(
                        choices=[
                            ("ci", "Configuration item"),
                            ("service", "Service"),
                            ("category", "Category"),
                        ],
                        max_length=20,
                        verbose_name="group by",
                    ),
                ),
                (
                    "threshold",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="How many incidents make a proposal (2 or more).",
                        validators=[
                            django.core.validators.MinValueValidator(2),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="threshold",
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Incidents opened within this many days are counted.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="window (days)",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "detection rule",
                "verbose_name_plural": "detection rules",
                "ordering": ("dimension", "name"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalDetectionRule",
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
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "dimension",
                    models.CharField(
                        choices=[
                            ("ci", "Configuration item"),
                            ("service", "Service"),
                            ("category", "Category"),
                        ],
                        max_length=20,
                        verbose_name="group by",
                    ),
                ),
                (
                    "threshold",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="How many incidents make a proposal (2 or more).",
                        validators=[
                            django.core.validators.MinValueValidator(2),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="threshold",
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Incidents opened within this many days are counted.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="window (days)",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
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
            ],
            options={
                "verbose_name": "historical detection rule",
                "verbose_name_plural": "historical detection rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProblem",
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
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("investigating", "Investigating"),
                            ("known_error", "Known error"),
                            ("resolved", "Resolved"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="new",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("p1", "P1 Critical"),
                            ("p2", "P2 High"),
                            ("p3", "P3 Medium"),
                            ("p4", "P4 Low"),
                        ],
                        default="p3",
                        max_length=4,
                        verbose_name="priority",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("manual", "Raised by hand"),
                            ("incidents", "From incidents"),
                            ("proactive", "Proactive detection"),
                        ],
                        default="manual",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "rca_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("five_whys", "5 whys"),
                            ("fishbone", "Fishbone (Ishikawa)"),
                            ("fault_tree", "Fault tree"),
                            ("kepner_tregoe", "Kepner-Tregoe"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="analysis method",
                    ),
                ),
                ("root_cause", models.TextField(blank=True, verbose_name="root cause")),
                (
                    "cause_category",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software defect"),
                            ("configuration", "Configuration"),
                            ("capacity", "Capacity or performance"),
                            ("network", "Network"),
                            ("change", "Change or release"),
                            ("supplier", "Supplier or third party"),
                            ("human", "Human error"),
                            ("process", "Process or documentation"),
                            ("environment", "Environment (power, cooling)"),
                            ("security", "Security"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=20,
                        verbose_name="cause category",
                    ),
                ),
                ("workaround", models.TextField(blank=True, verbose_name="workaround")),
                (
                    "fix",
                    models.TextField(
                        blank=True,
                        help_text="How the root cause was (or will be) removed.",
                        verbose_name="fix",
                    ),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The change number typed before changes were linked.",
                        max_length=40,
                        verbose_name="earlier change reference",
                    ),
                ),
                (
                    "known_error_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="known error at"),
                ),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "reopen_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reopened"),
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
                    "assignment_group",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.team",
                        verbose_name="assignment group",
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
                        to="desk.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "fix_change",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The change that removes the cause (type a number or a title).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.change",
                        verbose_name="fix change",
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
                        verbose_name="problem manager",
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
                        verbose_name="affected service",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical problem",
                "verbose_name_plural": "historical problems",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Problem",
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
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("investigating", "Investigating"),
                            ("known_error", "Known error"),
                            ("resolved", "Resolved"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="new",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("p1", "P1 Critical"),
                            ("p2", "P2 High"),
                            ("p3", "P3 Medium"),
                            ("p4", "P4 Low"),
                        ],
                        default="p3",
                        max_length=4,
                        verbose_name="priority",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("manual", "Raised by hand"),
                            ("incidents", "From incidents"),
                            ("proactive", "Proactive detection"),
                        ],
                        default="manual",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "rca_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("five_whys", "5 whys"),
                            ("fishbone", "Fishbone (Ishikawa)"),
                            ("fault_tree", "Fault tree"),
                            ("kepner_tregoe", "Kepner-Tregoe"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="analysis method",
                    ),
                ),
                ("root_cause", models.TextField(blank=True, verbose_name="root cause")),
                (
                    "cause_category",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software defect"),
                            ("configuration", "Configuration"),
                            ("capacity", "Capacity or performance"),
                            ("network", "Network"),
                            ("change", "Change or release"),
                            ("supplier", "Supplier or third party"),
                            ("human", "Human error"),
                            ("process", "Process or documentation"),
                            ("environment", "Environment (power, cooling)"),
                            ("security", "Security"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=20,
                        verbose_name="cause category",
                    ),
                ),
                ("workaround", models.TextField(blank=True, verbose_name="workaround")),
                (
                    "fix",
                    models.TextField(
                        blank=True,
                        help_text="How the root cause was (or will be) removed.",
                        verbose_name="fix",
                    ),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The change number typed before changes were linked.",
                        max_length=40,
                        verbose_name="earlier change reference",
                    ),
                ),
                (
                    "known_error_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="known error at"),
                ),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "reopen_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reopened"),
                ),
                (
                    "assignment_group",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.team",
                        verbose_name="assignment group",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="desk.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "cis",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="affected CIs",
                    ),
                ),
                (
                    "fix_change",
                    models.ForeignKey(
                        blank=True,
                        help_text="The change that removes the cause (type a number or a title).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="change.change",
                        verbose_name="fix change",
                    ),
                ),
                (
                    "incidents",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="desk.ticket", verbose_name="incidents"
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
                        verbose_name="problem manager",
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
                        verbose_name="affected service",
                    ),
                ),
            ],
            options={
                "verbose_name": "problem",
                "verbose_name_plural": "problems",
                "indexes": [
                    models.Index(fields=["status", "id"], name="problems_problem_status"),
                    models.Index(fields=["priority", "id"], name="problems_problem_priority"),
                    models.Index(fields=["created_at", "id"], name="problems_problem_created"),
                    models.Index(fields=["resolved_at", "id"], name="problems_problem_resolved"),
                ],
            },
        ),
        migrations.CreateModel(
            name="KnownError",
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
                        choices=[("active", "Active"), ("retired", "Retired")],
                        default="active",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("symptoms", models.TextField(verbose_name="symptoms")),
                ("workaround", models.TextField(verbose_name="workaround")),
                ("root_cause", models.TextField(blank=True, verbose_name="root cause")),
                (
                    "article_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="article"),
                ),
                (
                    "article_number",
                    models.CharField(blank=True, max_length=40, verbose_name="article number"),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="published as article at"
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="desk.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "cis",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="affected CIs",
                    ),
                ),
                (
                    "incidents",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="desk.ticket", verbose_name="incidents"
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
                        verbose_name="affected service",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="known_errors",
                        to="problems.problem",
                        verbose_name="problem",
                    ),
                ),
            ],
            options={
                "verbose_name": "known error",
                "verbose_name_plural": "known errors",
                "indexes": [models.Index(fields=["status", "id"], name="problems_ke_status")],
            },
        ),
        migrations.CreateModel(
            name="HistoricalProblemProposal",
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
                    "dimension",
                    models.CharField(
                        choices=[
                            ("ci", "Configuration item"),
                            ("service", "Service"),
                            ("category", "Category"),
                        ],
                        max_length=20,
                        verbose_name="group by",
                    ),
                ),
                ("key", models.PositiveBigIntegerField(verbose_name="grouped record")),
                ("label", models.CharField(max_length=250, verbose_name="on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="proposed",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "incident_count",
                    models.PositiveIntegerField(default=0, verbose_name="incidents"),
                ),
                (
                    "first_opened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first incident at"),
                ),
                (
                    "last_opened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last incident at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
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
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="problems.detectionrule",
                        verbose_name="detection rule",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="problems.problem",
                        verbose_name="problem",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical proposed problem",
                "verbose_name_plural": "historical proposed problems",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalKnownError",
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
                        choices=[("active", "Active"), ("retired", "Retired")],
                        default="active",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("symptoms", models.TextField(verbose_name="symptoms")),
                ("workaround", models.TextField(verbose_name="workaround")),
                ("root_cause", models.TextField(blank=True, verbose_name="root cause")),
                (
                    "article_id",
                    models.PositiveBigIntegerField(blank=True, null=True, verbose_name="article"),
                ),
                (
                    "article_number",
                    models.CharField(blank=True, max_length=40, verbose_name="article number"),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="published as article at"
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
                    "category",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="desk.category",
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
                    "service",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="affected service",
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="problems.problem",
                        verbose_name="problem",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical known error",
                "verbose_name_plural": "historical known errors",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ProblemProposal",
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
                    "dimension",
                    models.CharField(
                        choices=[
                            ("ci", "Configuration item"),
                            ("service", "Service"),
                            ("category", "Category"),
                        ],
                        max_length=20,
                        verbose_name="group by",
                    ),
                ),
                ("key", models.PositiveBigIntegerField(verbose_name="grouped record")),
                ("label", models.CharField(max_length=250, verbose_name="on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("accepted", "Accepted"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="proposed",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "incident_count",
                    models.PositiveIntegerField(default=0, verbose_name="incidents"),
                ),
                (
                    "first_opened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first incident at"),
                ),
                (
                    "last_opened_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last incident at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "incidents",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="desk.ticket", verbose_name="incidents"
                    ),
                ),
                (
                    "problem",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="problems.problem",
                        verbose_name="problem",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="problems.detectionrule",
                        verbose_name="detection rule",
                    ),
                ),
            ],
            options={
                "verbose_name": "proposed problem",
                "verbose_name_plural": "proposed problems",
                "indexes": [
                    models.Index(fields=["status", "id"], name="problems_proposal_status"),
                    models.Index(
                        fields=["dimension", "key", "status"], name="problems_proposal_key"
                    ),
                ],
            },
        ),
    ]
