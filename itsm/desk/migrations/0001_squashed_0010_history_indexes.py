"""desk: every migration up to 0010_history_indexes in one (made from the models, with the
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
        ("desk", "0001_initial"),
        ("desk", "0002_group_settings"),
        ("desk", "0003_calls_versioned"),
        ("desk", "0004_edit_lock_of_its_own"),
        ("desk", "0005_queue_indexes"),
        ("desk", "0006_report_indexes"),
        ("desk", "0007_ticket_updated_index"),
        ("desk", "0008_imported_facts"),
        ("desk", "0009_ticket_flapping"),
        ("desk", "0010_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("calendars", "0002_history_indexes"),
        ("catalog", "0003_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        ("slm", "0005_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AgentPresence",
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
                ("away", models.BooleanField(default=False, verbose_name="away")),
                ("away_note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "shift",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="calendars.businesscalendar",
                        verbose_name="shift (working hours)",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "presence",
                "verbose_name_plural": "presence",
            },
        ),
        migrations.CreateModel(
            name="CannedResponse",
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
                ("body", models.TextField(verbose_name="text")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: offered to every group.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.team",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "canned response",
                "verbose_name_plural": "canned responses",
                "ordering": ("title", "id"),
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
                ("code", models.CharField(max_length=60, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        help_text="Empty: offered for every kind of ticket.",
                        max_length=20,
                        verbose_name="for kind",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="desk.category",
                        verbose_name="parent category",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket category",
                "verbose_name_plural": "ticket categories",
                "ordering": ("order", "code"),
            },
        ),
        migrations.CreateModel(
            name="ClockPolicy",
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
                    "pause_states",
                    models.JSONField(
                        blank=True, default=list, verbose_name="states that pause the clocks"
                    ),
                ),
                (
                    "agreement",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
            ],
            options={
                "verbose_name": "clock pause rule",
                "verbose_name_plural": "clock pause rules",
            },
        ),
        migrations.CreateModel(
            name="DispatchRule",
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
                ("order", models.PositiveIntegerField(default=100, verbose_name="order")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("phone", "Phone"),
                            ("portal", "Portal"),
                            ("email", "E-mail"),
                            ("api", "API"),
                            ("console", "Agent console"),
                            ("monitoring", "Monitoring"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                (
                    "time_from",
                    models.TimeField(blank=True, null=True, verbose_name="from (time of day)"),
                ),
                (
                    "time_to",
                    models.TimeField(blank=True, null=True, verbose_name="until (time of day)"),
                ),
                (
                    "weekdays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Empty: every day. 1 = Monday.",
                        verbose_name="weekdays",
                    ),
                ),
                (
                    "assign_mode",
                    models.CharField(
                        choices=[
                            ("group", "Group only"),
                            ("round_robin", "Round-robin"),
                            ("least_loaded", "Least loaded"),
                        ],
                        default="group",
                        max_length=20,
                        verbose_name="assign to a person",
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
                        verbose_name="category (and its subcategories)",
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
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "last_assignee",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last assigned",
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
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="core.team",
                        verbose_name="assignment group",
                    ),
                ),
            ],
            options={
                "verbose_name": "dispatch rule",
                "verbose_name_plural": "dispatch rules",
                "ordering": ("order", "id"),
            },
        ),
        migrations.CreateModel(
            name="Ticket",
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
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("assigned", "Assigned"),
                            ("in_progress", "In progress"),
                            ("pending_customer", "Pending customer"),
                            ("pending_supplier", "Pending supplier"),
                            ("pending_change", "Pending change"),
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
                    "impact",
                    models.CharField(
                        blank=True,
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="impact",
                    ),
                ),
                (
                    "urgency",
                    models.CharField(
                        blank=True,
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="urgency",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        blank=True,
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
                    "form_data",
                    models.JSONField(blank=True, default=dict, verbose_name="request form"),
                ),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="contact e-mail"),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone"),
                            ("portal", "Portal"),
                            ("email", "E-mail"),
                            ("api", "API"),
                            ("console", "Agent console"),
                            ("monitoring", "Monitoring"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "responded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first response at"),
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
                    "due_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The resolution clock's due time; empty while it is paused or stopped.",
                        null=True,
                        verbose_name="due at",
                    ),
                ),
                ("breached", models.BooleanField(default=False, verbose_name="SLA breached")),
                (
                    "resolution_code",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("solved", "Solved (permanently)"),
                            ("workaround", "Solved (workaround)"),
                            ("fulfilled", "Request fulfilled"),
                            ("answered", "Question answered"),
                            ("not_reproducible", "Not reproducible"),
                            ("duplicate", "Duplicate"),
                            ("by_customer", "Resolved by the customer"),
                        ],
                        max_length=20,
                        verbose_name="resolution code",
                    ),
                ),
                ("resolution", models.TextField(blank=True, verbose_name="resolution")),
                ("is_major", models.BooleanField(default=False, verbose_name="major incident")),
                ("flapping", models.BooleanField(default=False, verbose_name="flapping")),
                (
                    "major_declared_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="declared major at"),
                ),
                (
                    "update_interval_minutes",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="update every (minutes)"
                    ),
                ),
                (
                    "next_update_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next update due at"),
                ),
                (
                    "satisfaction",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="satisfaction"
                    ),
                ),
                (
                    "time_spent_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="time spent (minutes)"),
                ),
                (
                    "return_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="returns"),
                ),
                (
                    "reassignment_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reassignments"),
                ),
                (
                    "reopen_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reopened"),
                ),
                (
                    "escalation_level",
                    models.PositiveSmallIntegerField(default=0, verbose_name="escalation level"),
                ),
                (
                    "missing_fields",
                    models.JSONField(blank=True, default=list, verbose_name="missing fields"),
                ),
                ("is_complete", models.BooleanField(default=True, verbose_name="complete record")),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
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
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="contact",
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
                (
                    "major_manager",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="major incident manager",
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged",
                        to="desk.ticket",
                        verbose_name="merged into",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="desk.ticket",
                        verbose_name="parent ticket",
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
                    "service_item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.serviceitem",
                        verbose_name="catalogue item",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket",
                "verbose_name_plural": "tickets",
                "indexes": [
                    models.Index(fields=["status", "due_at", "id"], name="desk_ticket_status_due"),
                    models.Index(
                        fields=["assignment_group", "due_at", "id"], name="desk_ticket_group_due"
                    ),
                    models.Index(
                        fields=["assignee", "due_at", "id"], name="desk_ticket_assignee_due"
                    ),
                    models.Index(fields=["customer", "id"], name="desk_ticket_customer"),
                    models.Index(
                        fields=["customer", "due_at", "id"], name="desk_ticket_customer_due"
                    ),
                    models.Index(
                        fields=["priority", "due_at", "id"], name="desk_ticket_priority_due"
                    ),
                    models.Index(fields=["opened_at", "id"], name="desk_ticket_opened"),
                    models.Index(fields=["contact", "id"], name="desk_ticket_contact"),
                    models.Index(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "new",
                                    "assigned",
                                    "in_progress",
                                    "pending_customer",
                                    "pending_supplier",
                                    "pending_change",
                                ],
                            )
                        ),
                        fields=["due_at", "id"],
                        name="desk_ticket_open_due",
                    ),
                    models.Index(fields=["due_at", "id"], name="desk_ticket_due"),
                    models.Index(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "new",
                                    "assigned",
                                    "in_progress",
                                    "pending_customer",
                                    "pending_supplier",
                                    "pending_change",
                                ],
                            ),
                            ("is_major", True),
                        ),
                        fields=["due_at", "id"],
                        name="desk_ticket_open_major_due",
                    ),
                    models.Index(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "new",
                                    "assigned",
                                    "in_progress",
                                    "pending_customer",
                                    "pending_supplier",
                                    "pending_change",
                                ],
                            )
                        ),
                        fields=["assignment_group", "due_at", "id"],
                        name="desk_ticket_open_group_due",
                    ),
                    models.Index(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "new",
                                    "assigned",
                                    "in_progress",
                                    "pending_customer",
                                    "pending_supplier",
                                    "pending_change",
                                ],
                            )
                        ),
                        fields=["customer", "due_at", "id"],
                        name="desk_ticket_open_customer_due",
                    ),
                    models.Index(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "new",
                                    "assigned",
                                    "in_progress",
                                    "pending_customer",
                                    "pending_supplier",
                                    "pending_change",
                                ],
                            )
                        ),
                        fields=["assignee", "due_at", "id"],
                        name="desk_ticket_open_assignee_due",
                    ),
                    models.Index(fields=["updated_at", "id"], name="desk_ticket_updated"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Callback",
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
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("satisfied", "Satisfied"),
                            ("dissatisfied", "Dissatisfied"),
                            ("unreachable", "Could not reach the customer"),
                            ("reopened", "Problem not solved: reopened"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="score (1–5)"
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="callbacks",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "callback",
                "verbose_name_plural": "callbacks",
                "ordering": ("ticket", "at", "id"),
            },
        ),
        migrations.CreateModel(
            name="Call",
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
                    "caller_name",
                    models.CharField(blank=True, max_length=200, verbose_name="caller name"),
                ),
                ("caller_phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("started_at", models.DateTimeField(verbose_name="call started")),
                (
                    "ended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="call ended"),
                ),
                ("answered", models.BooleanField(default=True, verbose_name="answered")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("ticket", "Ticket logged"),
                            ("updated", "Existing ticket updated"),
                            ("no_record", "No record needed"),
                            ("missed", "Missed (not answered)"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                (
                    "caller",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="caller",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="calls",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "call",
                "verbose_name_plural": "calls",
                "ordering": ("-started_at", "-id"),
                "indexes": [models.Index(fields=["started_at", "id"], name="desk_call_started")],
            },
        ),
        migrations.CreateModel(
            name="Assignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "returned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="returned at"),
                ),
                ("return_reason", models.TextField(blank=True, verbose_name="return reason")),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
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
                    "returned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="returned by",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="core.team",
                        verbose_name="group",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="desk.dispatchrule",
                        verbose_name="dispatch rule",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "dispatch",
                "verbose_name_plural": "dispatches",
                "ordering": ("ticket", "at", "id"),
                "indexes": [
                    models.Index(fields=["at", "id"], name="desk_assignment_at"),
                    models.Index(fields=["ticket", "at", "id"], name="desk_assignment_ticket_at"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Escalation",
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
                            ("functional", "Functional (next line)"),
                            ("hierarchical", "Hierarchical (management)"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        choices=[
                            ("manual", "By hand"),
                            ("warning", "SLA warning"),
                            ("breach", "SLA breach"),
                        ],
                        max_length=20,
                        verbose_name="trigger",
                    ),
                ),
                ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("at", models.DateTimeField(verbose_name="at")),
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
                    "from_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.team",
                        verbose_name="from group",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
                (
                    "to_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.team",
                        verbose_name="to group",
                    ),
                ),
                (
                    "to_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="to",
                    ),
                ),
            ],
            options={
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
                "ordering": ("ticket", "at", "id"),
            },
        ),
        migrations.CreateModel(
            name="GroupSettings",
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
                    "chat_channel",
                    models.SlugField(
                        blank=True,
                        help_text="The name of a notification channel (DingTalk, WeCom, Feishu, Slack …).",
                        max_length=60,
                        verbose_name="chat channel",
                    ),
                ),
                (
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="manager",
                    ),
                ),
                (
                    "next_line",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.team",
                        verbose_name="next-line group",
                    ),
                ),
                (
                    "team",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.team",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "group settings",
                "verbose_name_plural": "group settings",
            },
        ),
        migrations.CreateModel(
            name="HistoricalAgentPresence",
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
                ("away", models.BooleanField(default=False, verbose_name="away")),
                ("away_note", models.CharField(blank=True, max_length=200, verbose_name="note")),
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
                    "shift",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="calendars.businesscalendar",
                        verbose_name="shift (working hours)",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical presence",
                "verbose_name_plural": "historical presence",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCall",
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
                    "caller_name",
                    models.CharField(blank=True, max_length=200, verbose_name="caller name"),
                ),
                ("caller_phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("started_at", models.DateTimeField(verbose_name="call started")),
                (
                    "ended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="call ended"),
                ),
                ("answered", models.BooleanField(default=True, verbose_name="answered")),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("ticket", "Ticket logged"),
                            ("updated", "Existing ticket updated"),
                            ("no_record", "No record needed"),
                            ("missed", "Missed (not answered)"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
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
                    "agent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                (
                    "caller",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="caller",
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
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="organisation",
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
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical call",
                "verbose_name_plural": "historical calls",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCannedResponse",
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
                ("body", models.TextField(verbose_name="text")),
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
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Empty: offered to every group.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.team",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical canned response",
                "verbose_name_plural": "historical canned responses",
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
                ("code", models.CharField(max_length=60, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        help_text="Empty: offered for every kind of ticket.",
                        max_length=20,
                        verbose_name="for kind",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
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
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="desk.category",
                        verbose_name="parent category",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical ticket category",
                "verbose_name_plural": "historical ticket categories",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalClockPolicy",
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
                    "pause_states",
                    models.JSONField(
                        blank=True, default=list, verbose_name="states that pause the clocks"
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
                "verbose_name": "historical clock pause rule",
                "verbose_name_plural": "historical clock pause rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDispatchRule",
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
                ("order", models.PositiveIntegerField(default=100, verbose_name="order")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("phone", "Phone"),
                            ("portal", "Portal"),
                            ("email", "E-mail"),
                            ("api", "API"),
                            ("console", "Agent console"),
                            ("monitoring", "Monitoring"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                (
                    "time_from",
                    models.TimeField(blank=True, null=True, verbose_name="from (time of day)"),
                ),
                (
                    "time_to",
                    models.TimeField(blank=True, null=True, verbose_name="until (time of day)"),
                ),
                (
                    "weekdays",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Empty: every day. 1 = Monday.",
                        verbose_name="weekdays",
                    ),
                ),
                (
                    "assign_mode",
                    models.CharField(
                        choices=[
                            ("group", "Group only"),
                            ("round_robin", "Round-robin"),
                            ("least_loaded", "Least loaded"),
                        ],
                        default="group",
                        max_length=20,
                        verbose_name="assign to a person",
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
                        verbose_name="category (and its subcategories)",
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
                    "last_assignee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last assigned",
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
                    "team",
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
            ],
            options={
                "verbose_name": "historical dispatch rule",
                "verbose_name_plural": "historical dispatch rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalGroupSettings",
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
                    "chat_channel",
                    models.SlugField(
                        blank=True,
                        db_index=False,
                        help_text="The name of a notification channel (DingTalk, WeCom, Feishu, Slack …).",
                        max_length=60,
                        verbose_name="chat channel",
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
                    "manager",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="manager",
                    ),
                ),
                (
                    "next_line",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.team",
                        verbose_name="next-line group",
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
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical group settings",
                "verbose_name_plural": "historical group settings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPriorityRule",
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
                    "impact",
                    models.CharField(
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="impact",
                    ),
                ),
                (
                    "urgency",
                    models.CharField(
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="urgency",
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
                        max_length=4,
                        verbose_name="priority",
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
                "verbose_name": "historical priority matrix cell",
                "verbose_name_plural": "historical priority matrix",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTask",
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
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="order")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
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
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
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
                        verbose_name="group",
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
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical fulfilment task",
                "verbose_name_plural": "historical fulfilment tasks",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTicket",
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
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="summary")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("assigned", "Assigned"),
                            ("in_progress", "In progress"),
                            ("pending_customer", "Pending customer"),
                            ("pending_supplier", "Pending supplier"),
                            ("pending_change", "Pending change"),
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
                    "impact",
                    models.CharField(
                        blank=True,
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="impact",
                    ),
                ),
                (
                    "urgency",
                    models.CharField(
                        blank=True,
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="urgency",
                    ),
                ),
                (
                    "priority",
                    models.CharField(
                        blank=True,
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
                    "form_data",
                    models.JSONField(blank=True, default=dict, verbose_name="request form"),
                ),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="contact e-mail"),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone"),
                            ("portal", "Portal"),
                            ("email", "E-mail"),
                            ("api", "API"),
                            ("console", "Agent console"),
                            ("monitoring", "Monitoring"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "responded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first response at"),
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
                    "due_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The resolution clock's due time; empty while it is paused or stopped.",
                        null=True,
                        verbose_name="due at",
                    ),
                ),
                ("breached", models.BooleanField(default=False, verbose_name="SLA breached")),
                (
                    "resolution_code",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("solved", "Solved (permanently)"),
                            ("workaround", "Solved (workaround)"),
                            ("fulfilled", "Request fulfilled"),
                            ("answered", "Question answered"),
                            ("not_reproducible", "Not reproducible"),
                            ("duplicate", "Duplicate"),
                            ("by_customer", "Resolved by the customer"),
                        ],
                        max_length=20,
                        verbose_name="resolution code",
                    ),
                ),
                ("resolution", models.TextField(blank=True, verbose_name="resolution")),
                ("is_major", models.BooleanField(default=False, verbose_name="major incident")),
                ("flapping", models.BooleanField(default=False, verbose_name="flapping")),
                (
                    "major_declared_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="declared major at"),
                ),
                (
                    "update_interval_minutes",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="update every (minutes)"
                    ),
                ),
                (
                    "next_update_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next update due at"),
                ),
                (
                    "satisfaction",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="satisfaction"
                    ),
                ),
                (
                    "time_spent_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="time spent (minutes)"),
                ),
                (
                    "return_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="returns"),
                ),
                (
                    "reassignment_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reassignments"),
                ),
                (
                    "reopen_count",
                    models.PositiveSmallIntegerField(default=0, verbose_name="reopened"),
                ),
                (
                    "escalation_level",
                    models.PositiveSmallIntegerField(default=0, verbose_name="escalation level"),
                ),
                (
                    "missing_fields",
                    models.JSONField(blank=True, default=list, verbose_name="missing fields"),
                ),
                ("is_complete", models.BooleanField(default=True, verbose_name="complete record")),
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
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
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
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="contact",
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
                    "major_manager",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="major incident manager",
                    ),
                ),
                (
                    "merged_into",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="merged into",
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
                        to="desk.ticket",
                        verbose_name="parent ticket",
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
                    "service_item",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.serviceitem",
                        verbose_name="catalogue item",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical ticket",
                "verbose_name_plural": "historical tickets",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ImportedFacts",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=60, verbose_name="source system")),
                (
                    "source_number",
                    models.CharField(max_length=60, verbose_name="number in the source system"),
                ),
                (
                    "source_state",
                    models.CharField(
                        blank=True, max_length=60, verbose_name="state in the source system"
                    ),
                ),
                (
                    "made_sla",
                    models.BooleanField(
                        blank=True, null=True, verbose_name="SLA met (source verdict)"
                    ),
                ),
                (
                    "reassignment_count",
                    models.PositiveIntegerField(default=0, verbose_name="reassignments"),
                ),
                ("reopen_count", models.PositiveIntegerField(default=0, verbose_name="reopened")),
                ("opened_at", models.DateTimeField(verbose_name="opened at")),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                ("caller", models.CharField(blank=True, max_length=200, verbose_name="caller")),
                (
                    "import_reference",
                    models.CharField(blank=True, max_length=40, verbose_name="import"),
                ),
                ("imported_at", models.DateTimeField(verbose_name="imported at")),
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="imported_facts",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "imported ticket facts",
                "verbose_name_plural": "imported ticket facts",
                "indexes": [models.Index(fields=["opened_at", "id"], name="desk_imported_opened")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "source_number"), name="desk_imported_source_number"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IncidentReview",
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
                ("summary", models.TextField(verbose_name="what happened")),
                ("root_cause", models.TextField(blank=True, verbose_name="root cause")),
                ("what_went_well", models.TextField(blank=True, verbose_name="what went well")),
                ("what_went_wrong", models.TextField(blank=True, verbose_name="what went wrong")),
                ("actions", models.TextField(blank=True, verbose_name="follow-up actions")),
                ("at", models.DateTimeField(verbose_name="at")),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "post-incident review",
                "verbose_name_plural": "post-incident reviews",
            },
        ),
        migrations.CreateModel(
            name="PriorityRule",
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
                    "impact",
                    models.CharField(
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="impact",
                    ),
                ),
                (
                    "urgency",
                    models.CharField(
                        choices=[("1", "1 High"), ("2", "2 Medium"), ("3", "3 Low")],
                        max_length=2,
                        verbose_name="urgency",
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
                        max_length=4,
                        verbose_name="priority",
                    ),
                ),
            ],
            options={
                "verbose_name": "priority matrix cell",
                "verbose_name_plural": "priority matrix",
                "ordering": ("impact", "urgency"),
                "constraints": [
                    models.UniqueConstraint(fields=("impact", "urgency"), name="desk_priority_cell")
                ],
            },
        ),
        migrations.CreateModel(
            name="Survey",
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
                    "nonce",
                    models.CharField(
                        editable=False, max_length=40, unique=True, verbose_name="link key"
                    ),
                ),
                ("sent_at", models.DateTimeField(verbose_name="sent at")),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="score (1–5)"
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                (
                    "channel",
                    models.CharField(
                        blank=True,
                        choices=[("portal", "Portal"), ("email", "E-mail link")],
                        max_length=20,
                        verbose_name="answered through",
                    ),
                ),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "satisfaction survey",
                "verbose_name_plural": "satisfaction surveys",
                "indexes": [
                    models.Index(fields=["answered_at", "id"], name="desk_survey_answered")
                ],
            },
        ),
        migrations.CreateModel(
            name="Task",
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
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="order")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
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
                        verbose_name="group",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "fulfilment task",
                "verbose_name_plural": "fulfilment tasks",
                "ordering": ("ticket", "order", "id"),
            },
        ),
        migrations.CreateModel(
            name="TicketEntry",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("reply", "Reply"),
                            ("comment", "Customer comment"),
                            ("note", "Work note"),
                            ("email", "E-mail"),
                            ("auto_reply", "Automatic e-mail"),
                            ("bounce", "Bounced e-mail"),
                            ("update", "Major incident update"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("internal", models.BooleanField(default=False, verbose_name="internal")),
                (
                    "author_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="from"),
                ),
                ("body", models.TextField(blank=True, verbose_name="text")),
                ("body_html", models.TextField(blank=True, verbose_name="formatted text")),
                (
                    "time_spent_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="time spent (minutes)"),
                ),
                ("automatic", models.BooleanField(default=False, verbose_name="automatic")),
                ("at", models.DateTimeField(verbose_name="at")),
                ("mentions", models.JSONField(blank=True, default=list, verbose_name="mentioned")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket entry",
                "verbose_name_plural": "ticket entries",
                "ordering": ("at", "id"),
                "indexes": [models.Index(fields=["ticket", "at", "id"], name="desk_entry_ticket")],
            },
        ),
        migrations.CreateModel(
            name="Attachment",
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
                ("name", models.CharField(max_length=255, verbose_name="file name")),
                ("content_type", models.CharField(max_length=120, verbose_name="type")),
                ("size", models.PositiveBigIntegerField(verbose_name="size")),
                ("content", models.BinaryField(verbose_name="content")),
                (
                    "content_id",
                    models.CharField(blank=True, max_length=255, verbose_name="content id"),
                ),
                ("internal", models.BooleanField(default=False, verbose_name="internal")),
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
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="desk.ticketentry",
                        verbose_name="entry",
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ("created_at", "id"),
            },
        ),
        migrations.CreateModel(
            name="TicketMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "message_id",
                    models.CharField(max_length=255, unique=True, verbose_name="Message-ID"),
                ),
                ("outgoing", models.BooleanField(default=False, verbose_name="sent by us")),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                (
                    "entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="desk.ticketentry",
                        verbose_name="entry",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket e-mail id",
                "verbose_name_plural": "ticket e-mail ids",
            },
        ),
        migrations.CreateModel(
            name="EditLock",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
                ("until", models.DateTimeField(verbose_name="edit lock until")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="being edited by",
                    ),
                ),
            ],
            options={
                "verbose_name": "edit lock",
                "verbose_name_plural": "edit locks",
            },
        ),
    ]
