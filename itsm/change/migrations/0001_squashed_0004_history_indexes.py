"""change: every migration up to 0004_history_indexes in one (made from the models, with the
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
        ("change", "0001_initial"),
        ("change", "0002_cab_meetings"),
        ("change", "0003_incident_links"),
        ("change", "0004_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("catalog", "0003_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        ("slm", "0005_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeTemplate",
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
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software"),
                            ("network", "Network"),
                            ("database", "Database"),
                            ("application", "Application"),
                            ("security", "Security"),
                            ("facility", "Facility"),
                            ("documentation", "Documentation and agreements"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("implementation_plan", models.TextField(verbose_name="implementation plan")),
                ("backout_plan", models.TextField(verbose_name="back-out plan")),
                ("test_plan", models.TextField(blank=True, verbose_name="test plan")),
                (
                    "duration_minutes",
                    models.PositiveIntegerField(
                        default=60, verbose_name="usual duration (minutes)"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "standard change template",
                "verbose_name_plural": "standard change templates",
                "ordering": ("code",),
            },
        ),
        migrations.CreateModel(
            name="RiskQuestion",
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
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                ("text", models.CharField(max_length=300, verbose_name="question")),
                (
                    "answers",
                    models.JSONField(
                        default=list,
                        help_text="Each answer with its label and weight.",
                        verbose_name="answers",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "risk question",
                "verbose_name_plural": "risk questions",
                "ordering": ("order", "id"),
            },
        ),
        migrations.CreateModel(
            name="RiskThreshold",
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
                    "level",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        max_length=10,
                        unique=True,
                        verbose_name="risk level",
                    ),
                ),
                ("min_score", models.PositiveIntegerField(verbose_name="from score")),
                (
                    "approval_path",
                    models.CharField(
                        choices=[
                            ("none", "Pre-approved (standard change)"),
                            ("change_manager", "Change manager"),
                            ("cab", "Change advisory board (CAB)"),
                            ("emergency_cab", "Emergency CAB"),
                        ],
                        max_length=20,
                        verbose_name="approval path",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk threshold",
                "verbose_name_plural": "risk thresholds",
                "ordering": ("min_score",),
            },
        ),
        migrations.CreateModel(
            name="AdvisoryBoard",
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
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("is_emergency", models.BooleanField(default=False, verbose_name="emergency CAB")),
                (
                    "quorum",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="Votes needed (abstentions count) for a decision.",
                        verbose_name="quorum",
                    ),
                ),
                (
                    "veto",
                    models.BooleanField(
                        default=False,
                        help_text="A single rejection rejects the change without waiting for the quorum.",
                        verbose_name="one rejection rejects",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        related_name="advisory_boards",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="members",
                    ),
                ),
            ],
            options={
                "verbose_name": "change advisory board",
                "verbose_name_plural": "change advisory boards",
                "ordering": ("code",),
            },
        ),
        migrations.CreateModel(
            name="CabMeeting",
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
                ("starts_at", models.DateTimeField(verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                ("online_link", models.URLField(blank=True, verbose_name="online meeting link")),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("held", "Held"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "attendees",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="attendees",
                    ),
                ),
                (
                    "board",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meetings",
                        to="change.advisoryboard",
                        verbose_name="CAB",
                    ),
                ),
            ],
            options={
                "verbose_name": "CAB meeting",
                "verbose_name_plural": "CAB meetings",
                "ordering": ("-starts_at", "-id"),
                "indexes": [models.Index(fields=["starts_at", "id"], name="change_meeting_start")],
            },
        ),
        migrations.CreateModel(
            name="Change",
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
                            ("standard", "Standard change"),
                            ("normal", "Normal change"),
                            ("emergency", "Emergency change"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software"),
                            ("network", "Network"),
                            ("database", "Database"),
                            ("application", "Application"),
                            ("security", "Security"),
                            ("facility", "Facility"),
                            ("documentation", "Documentation and agreements"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason for change")),
                (
                    "implementation_plan",
                    models.TextField(blank=True, verbose_name="implementation plan"),
                ),
                ("backout_plan", models.TextField(blank=True, verbose_name="back-out plan")),
                ("test_plan", models.TextField(blank=True, verbose_name="test plan")),
                (
                    "planned_start",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned start"),
                ),
                (
                    "planned_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned end"),
                ),
                (
                    "actual_start",
                    models.DateTimeField(blank=True, null=True, verbose_name="actual start"),
                ),
                (
                    "actual_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="actual end"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("assessment", "Assessment"),
                            ("approval", "Awaiting approval"),
                            ("scheduled", "Scheduled"),
                            ("implementing", "Implementing"),
                            ("review", "Post-implementation review"),
                            ("closed", "Closed"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Cancelled"),
                            ("failed", "Failed"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "risk_answers",
                    models.JSONField(blank=True, default=dict, verbose_name="risk answers"),
                ),
                (
                    "risk_score",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="risk score"),
                ),
                (
                    "risk_level",
                    models.CharField(
                        blank=True,
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                (
                    "approval_path",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "Pre-approved (standard change)"),
                            ("change_manager", "Change manager"),
                            ("cab", "Change advisory board (CAB)"),
                            ("emergency_cab", "Emergency CAB"),
                        ],
                        max_length=20,
                        verbose_name="approval path",
                    ),
                ),
                (
                    "impact",
                    models.JSONField(
                        blank=True, default=dict, editable=False, verbose_name="impact"
                    ),
                ),
                (
                    "assessed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assessed at"),
                ),
                (
                    "conflicts",
                    models.JSONField(
                        blank=True, default=list, editable=False, verbose_name="conflicts"
                    ),
                ),
                (
                    "conflicts_checked_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="conflicts checked at"
                    ),
                ),
                (
                    "approval_round",
                    models.PositiveSmallIntegerField(default=0, verbose_name="approval round"),
                ),
                ("rolled_back", models.BooleanField(default=False, verbose_name="rolled back")),
                ("outcome_note", models.TextField(blank=True, verbose_name="outcome")),
                (
                    "review_note",
                    models.TextField(blank=True, verbose_name="post-implementation review"),
                ),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "board",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="change.advisoryboard",
                        verbose_name="CAB",
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
                    "customers",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Computed from the CIs and services: who sees the change.",
                        related_name="+",
                        to="core.organisation",
                        verbose_name="affected customers",
                    ),
                ),
                (
                    "implementer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="implementer",
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
                        verbose_name="change owner",
                    ),
                ),
                (
                    "requester",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requester",
                    ),
                ),
                (
                    "services",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="affected services",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="change.changetemplate",
                        verbose_name="standard change template",
                    ),
                ),
            ],
            options={
                "verbose_name": "change",
                "verbose_name_plural": "changes",
                "ordering": ("-id",),
                "indexes": [
                    models.Index(fields=["status", "planned_start"], name="change_status_start"),
                    models.Index(
                        fields=["implementer", "planned_start"], name="change_implementer"
                    ),
                    models.Index(fields=["planned_start", "id"], name="change_start"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Approval",
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
                    "round",
                    models.PositiveSmallIntegerField(default=1, verbose_name="approval round"),
                ),
                (
                    "vote",
                    models.CharField(
                        choices=[
                            ("approve", "Approve"),
                            ("reject", "Reject"),
                            ("abstain", "Abstain"),
                        ],
                        max_length=10,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(verbose_name="comment")),
                (
                    "approver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approver",
                    ),
                ),
                (
                    "board",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="change.advisoryboard",
                        verbose_name="CAB",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="decisions",
                        to="change.cabmeeting",
                        verbose_name="CAB meeting",
                    ),
                ),
                (
                    "change",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="approvals",
                        to="change.change",
                        verbose_name="change",
                    ),
                ),
            ],
            options={
                "verbose_name": "approval decision",
                "verbose_name_plural": "approval decisions",
                "ordering": ("change", "round", "id"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("change", "round", "approver"), name="change_approval_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AgendaItem",
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
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="position")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="change.cabmeeting",
                        verbose_name="CAB meeting",
                    ),
                ),
                (
                    "change",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="change.change",
                        verbose_name="change",
                    ),
                ),
            ],
            options={
                "verbose_name": "agenda item",
                "verbose_name_plural": "agenda items",
                "ordering": ("meeting", "position", "id"),
                "constraints": [
                    models.UniqueConstraint(fields=("meeting", "change"), name="change_agenda_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAdvisoryBoard",
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
                ("code", models.SlugField(db_index=False, max_length=40, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("is_emergency", models.BooleanField(default=False, verbose_name="emergency CAB")),
                (
                    "quorum",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="Votes needed (abstentions count) for a decision.",
                        verbose_name="quorum",
                    ),
                ),
                (
                    "veto",
                    models.BooleanField(
                        default=False,
                        help_text="A single rejection rejects the change without waiting for the quorum.",
                        verbose_name="one rejection rejects",
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
                "verbose_name": "historical change advisory board",
                "verbose_name_plural": "historical change advisory boards",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAgendaItem",
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
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="position")),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
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
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.cabmeeting",
                        verbose_name="CAB meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical agenda item",
                "verbose_name_plural": "historical agenda items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalApproval",
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
                    "round",
                    models.PositiveSmallIntegerField(default=1, verbose_name="approval round"),
                ),
                (
                    "vote",
                    models.CharField(
                        choices=[
                            ("approve", "Approve"),
                            ("reject", "Reject"),
                            ("abstain", "Abstain"),
                        ],
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
                    "approver",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approver",
                    ),
                ),
                (
                    "board",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.advisoryboard",
                        verbose_name="CAB",
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
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.cabmeeting",
                        verbose_name="CAB meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical approval decision",
                "verbose_name_plural": "historical approval decisions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCabMeeting",
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
                ("starts_at", models.DateTimeField(verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                ("online_link", models.URLField(blank=True, verbose_name="online meeting link")),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("held", "Held"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
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
                    "board",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.advisoryboard",
                        verbose_name="CAB",
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
                "verbose_name": "historical CAB meeting",
                "verbose_name_plural": "historical CAB meetings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalChange",
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
                            ("standard", "Standard change"),
                            ("normal", "Normal change"),
                            ("emergency", "Emergency change"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software"),
                            ("network", "Network"),
                            ("database", "Database"),
                            ("application", "Application"),
                            ("security", "Security"),
                            ("facility", "Facility"),
                            ("documentation", "Documentation and agreements"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason for change")),
                (
                    "implementation_plan",
                    models.TextField(blank=True, verbose_name="implementation plan"),
                ),
                ("backout_plan", models.TextField(blank=True, verbose_name="back-out plan")),
                ("test_plan", models.TextField(blank=True, verbose_name="test plan")),
                (
                    "planned_start",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned start"),
                ),
                (
                    "planned_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="planned end"),
                ),
                (
                    "actual_start",
                    models.DateTimeField(blank=True, null=True, verbose_name="actual start"),
                ),
                (
                    "actual_end",
                    models.DateTimeField(blank=True, null=True, verbose_name="actual end"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("assessment", "Assessment"),
                            ("approval", "Awaiting approval"),
                            ("scheduled", "Scheduled"),
                            ("implementing", "Implementing"),
                            ("review", "Post-implementation review"),
                            ("closed", "Closed"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Cancelled"),
                            ("failed", "Failed"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "risk_answers",
                    models.JSONField(blank=True, default=dict, verbose_name="risk answers"),
                ),
                (
                    "risk_score",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="risk score"),
                ),
                (
                    "risk_level",
                    models.CharField(
                        blank=True,
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                (
                    "approval_path",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "Pre-approved (standard change)"),
                            ("change_manager", "Change manager"),
                            ("cab", "Change advisory board (CAB)"),
                            ("emergency_cab", "Emergency CAB"),
                        ],
                        max_length=20,
                        verbose_name="approval path",
                    ),
                ),
                (
                    "impact",
                    models.JSONField(
                        blank=True, default=dict, editable=False, verbose_name="impact"
                    ),
                ),
                (
                    "assessed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="assessed at"),
                ),
                (
                    "conflicts",
                    models.JSONField(
                        blank=True, default=list, editable=False, verbose_name="conflicts"
                    ),
                ),
                (
                    "conflicts_checked_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="conflicts checked at"
                    ),
                ),
                (
                    "approval_round",
                    models.PositiveSmallIntegerField(default=0, verbose_name="approval round"),
                ),
                ("rolled_back", models.BooleanField(default=False, verbose_name="rolled back")),
                ("outcome_note", models.TextField(blank=True, verbose_name="outcome")),
                (
                    "review_note",
                    models.TextField(blank=True, verbose_name="post-implementation review"),
                ),
                ("internal_notes", models.TextField(blank=True, verbose_name="internal notes")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
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
                    "board",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.advisoryboard",
                        verbose_name="CAB",
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
                    "implementer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="implementer",
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
                        verbose_name="change owner",
                    ),
                ),
                (
                    "requester",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requester",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="change.changetemplate",
                        verbose_name="standard change template",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical change",
                "verbose_name_plural": "historical changes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalChangeTemplate",
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
                ("code", models.SlugField(db_index=False, max_length=40, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("hardware", "Hardware"),
                            ("software", "Software"),
                            ("network", "Network"),
                            ("database", "Database"),
                            ("application", "Application"),
                            ("security", "Security"),
                            ("facility", "Facility"),
                            ("documentation", "Documentation and agreements"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("implementation_plan", models.TextField(verbose_name="implementation plan")),
                ("backout_plan", models.TextField(verbose_name="back-out plan")),
                ("test_plan", models.TextField(blank=True, verbose_name="test plan")),
                (
                    "duration_minutes",
                    models.PositiveIntegerField(
                        default=60, verbose_name="usual duration (minutes)"
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
                "verbose_name": "historical standard change template",
                "verbose_name_plural": "historical standard change templates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalIncidentLink",
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
                    "relation",
                    models.CharField(
                        choices=[
                            ("caused", "Caused by the change"),
                            ("fixed", "Fixed by the change"),
                        ],
                        max_length=10,
                        verbose_name="relation",
                    ),
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
                "verbose_name": "historical incident link",
                "verbose_name_plural": "historical incident links",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRiskQuestion",
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
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                ("text", models.CharField(max_length=300, verbose_name="question")),
                (
                    "answers",
                    models.JSONField(
                        default=list,
                        help_text="Each answer with its label and weight.",
                        verbose_name="answers",
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
                "verbose_name": "historical risk question",
                "verbose_name_plural": "historical risk questions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRiskThreshold",
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
                    "level",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        max_length=10,
                        verbose_name="risk level",
                    ),
                ),
                ("min_score", models.PositiveIntegerField(verbose_name="from score")),
                (
                    "approval_path",
                    models.CharField(
                        choices=[
                            ("none", "Pre-approved (standard change)"),
                            ("change_manager", "Change manager"),
                            ("cab", "Change advisory board (CAB)"),
                            ("emergency_cab", "Emergency CAB"),
                        ],
                        max_length=20,
                        verbose_name="approval path",
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
            ],
            options={
                "verbose_name": "historical risk threshold",
                "verbose_name_plural": "historical risk thresholds",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalWindow",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("maintenance", "Maintenance window"),
                            ("blackout", "Blackout (freeze) window"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("starts_at", models.DateTimeField(blank=True, null=True, verbose_name="from")),
                ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="until")),
                (
                    "weekdays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="0 = Monday … 6 = Sunday.",
                        verbose_name="weekdays",
                    ),
                ),
                ("start_time", models.TimeField(blank=True, null=True, verbose_name="daily start")),
                ("end_time", models.TimeField(blank=True, null=True, verbose_name="daily end")),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai", max_length=60, verbose_name="time zone"
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                "verbose_name": "historical maintenance or blackout window",
                "verbose_name_plural": "historical maintenance and blackout windows",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="IncidentLink",
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
                    "relation",
                    models.CharField(
                        choices=[
                            ("caused", "Caused by the change"),
                            ("fixed", "Fixed by the change"),
                        ],
                        max_length=10,
                        verbose_name="relation",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "change",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incident_links",
                        to="change.change",
                        verbose_name="change",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="incident",
                    ),
                ),
            ],
            options={
                "verbose_name": "incident link",
                "verbose_name_plural": "incident links",
                "ordering": ("change", "id"),
                "indexes": [
                    models.Index(fields=["ticket", "change"], name="change_incident_ticket"),
                    models.Index(fields=["relation", "change"], name="change_incident_relation"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("change", "ticket", "relation"), name="change_incident_link_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Window",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("maintenance", "Maintenance window"),
                            ("blackout", "Blackout (freeze) window"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("starts_at", models.DateTimeField(blank=True, null=True, verbose_name="from")),
                ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="until")),
                (
                    "weekdays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="0 = Monday … 6 = Sunday.",
                        verbose_name="weekdays",
                    ),
                ),
                ("start_time", models.TimeField(blank=True, null=True, verbose_name="daily start")),
                ("end_time", models.TimeField(blank=True, null=True, verbose_name="daily end")),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai", max_length=60, verbose_name="time zone"
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "ci",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="configuration item",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "maintenance or blackout window",
                "verbose_name_plural": "maintenance and blackout windows",
                "ordering": ("kind", "starts_at", "id"),
                "indexes": [models.Index(fields=["kind", "starts_at"], name="change_window_kind")],
            },
        ),
    ]
