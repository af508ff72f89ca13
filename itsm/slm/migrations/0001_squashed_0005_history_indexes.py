"""slm: every migration up to 0005_history_indexes in one (made from the models, with the
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
        ("slm", "0001_initial"),
        ("slm", "0002_target_unit_and_indicator_kind"),
        ("slm", "0003_target_units_to_choices"),
        ("slm", "0004_move_slatestticket_to_clocks"),
        ("slm", "0005_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("calendars", "0002_history_indexes"),
        ("catalog", "0003_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Agreement",
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
                            ("sla", "Service level agreement (SLA)"),
                            ("ola", "Operational level agreement (OLA)"),
                            ("uc", "Underpinning contract (UC)"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("negotiating", "Negotiating"),
                            ("signed", "Signed"),
                            ("active", "Active"),
                            ("expired", "Expired"),
                            ("terminated", "Terminated"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="valid from")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="valid until")),
                (
                    "warning_percent",
                    models.PositiveSmallIntegerField(
                        default=75, verbose_name="warning threshold (percent of target)"
                    ),
                ),
                (
                    "authorisation",
                    models.TextField(blank=True, verbose_name="parties and authorisation"),
                ),
                (
                    "provider_signatory",
                    models.CharField(blank=True, max_length=200, verbose_name="provider signatory"),
                ),
                (
                    "customer_signatory",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="counterparty signatory"
                    ),
                ),
                (
                    "contacts",
                    models.TextField(blank=True, verbose_name="contacts and communication"),
                ),
                (
                    "planned_interruptions",
                    models.TextField(blank=True, verbose_name="planned and agreed interruptions"),
                ),
                (
                    "customer_duties",
                    models.TextField(blank=True, verbose_name="customer responsibilities"),
                ),
                (
                    "priority_guide",
                    models.TextField(blank=True, verbose_name="impact and priority guide"),
                ),
                (
                    "escalation_rules",
                    models.TextField(
                        blank=True, verbose_name="escalation and notification process"
                    ),
                ),
                (
                    "complaint_procedure",
                    models.TextField(blank=True, verbose_name="complaint procedure"),
                ),
                ("workload_limits", models.TextField(blank=True, verbose_name="workload limits")),
                (
                    "charges",
                    models.TextField(blank=True, verbose_name="charges and financial management"),
                ),
                ("procedures", models.TextField(blank=True, verbose_name="service procedures")),
                ("exceptions", models.TextField(blank=True, verbose_name="exceptions")),
                (
                    "availability_review",
                    models.TextField(blank=True, verbose_name="initial availability review"),
                ),
                (
                    "signed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="signed at"),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        help_text="Required to change a signed agreement (e.g. CHG-000042).",
                        max_length=40,
                        verbose_name="authorising change",
                    ),
                ),
                (
                    "underpinning_warnings",
                    models.JSONField(
                        blank=True,
                        default=list,
                        editable=False,
                        verbose_name="underpinning warnings",
                    ),
                ),
                (
                    "calendar",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="calendars.businesscalendar",
                        verbose_name="service hours",
                    ),
                ),
                (
                    "ci",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
                        related_name="agreements",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "services",
                    models.ManyToManyField(
                        blank=True,
                        related_name="agreements",
                        to="catalog.service",
                        verbose_name="services covered",
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="signed by",
                    ),
                ),
                (
                    "supplier",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supplier_agreements",
                        to="core.organisation",
                        verbose_name="supplier",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreements",
                        to="core.team",
                        verbose_name="internal team",
                    ),
                ),
                (
                    "underpins",
                    models.ManyToManyField(
                        blank=True,
                        related_name="underpinned_by",
                        to="slm.agreement",
                        verbose_name="supports the SLAs",
                    ),
                ),
            ],
            options={
                "verbose_name": "agreement",
                "verbose_name_plural": "agreements",
                "ordering": ("-created_at",),
                "indexes": [
                    models.Index(fields=["kind", "status"], name="slm_agreement_kind_status"),
                    models.Index(fields=["customer", "status"], name="slm_agreement_customer"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAgreement",
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
                            ("sla", "Service level agreement (SLA)"),
                            ("ola", "Operational level agreement (OLA)"),
                            ("uc", "Underpinning contract (UC)"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("negotiating", "Negotiating"),
                            ("signed", "Signed"),
                            ("active", "Active"),
                            ("expired", "Expired"),
                            ("terminated", "Terminated"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="valid from")),
                ("valid_to", models.DateField(blank=True, null=True, verbose_name="valid until")),
                (
                    "warning_percent",
                    models.PositiveSmallIntegerField(
                        default=75, verbose_name="warning threshold (percent of target)"
                    ),
                ),
                (
                    "authorisation",
                    models.TextField(blank=True, verbose_name="parties and authorisation"),
                ),
                (
                    "provider_signatory",
                    models.CharField(blank=True, max_length=200, verbose_name="provider signatory"),
                ),
                (
                    "customer_signatory",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="counterparty signatory"
                    ),
                ),
                (
                    "contacts",
                    models.TextField(blank=True, verbose_name="contacts and communication"),
                ),
                (
                    "planned_interruptions",
                    models.TextField(blank=True, verbose_name="planned and agreed interruptions"),
                ),
                (
                    "customer_duties",
                    models.TextField(blank=True, verbose_name="customer responsibilities"),
                ),
                (
                    "priority_guide",
                    models.TextField(blank=True, verbose_name="impact and priority guide"),
                ),
                (
                    "escalation_rules",
                    models.TextField(
                        blank=True, verbose_name="escalation and notification process"
                    ),
                ),
                (
                    "complaint_procedure",
                    models.TextField(blank=True, verbose_name="complaint procedure"),
                ),
                ("workload_limits", models.TextField(blank=True, verbose_name="workload limits")),
                (
                    "charges",
                    models.TextField(blank=True, verbose_name="charges and financial management"),
                ),
                ("procedures", models.TextField(blank=True, verbose_name="service procedures")),
                ("exceptions", models.TextField(blank=True, verbose_name="exceptions")),
                (
                    "availability_review",
                    models.TextField(blank=True, verbose_name="initial availability review"),
                ),
                (
                    "signed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="signed at"),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        help_text="Required to change a signed agreement (e.g. CHG-000042).",
                        max_length=40,
                        verbose_name="authorising change",
                    ),
                ),
                (
                    "underpinning_warnings",
                    models.JSONField(
                        blank=True,
                        default=list,
                        editable=False,
                        verbose_name="underpinning warnings",
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
                    "calendar",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="calendars.businesscalendar",
                        verbose_name="service hours",
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
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="signed by",
                    ),
                ),
                (
                    "supplier",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="supplier",
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
                        verbose_name="internal team",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical agreement",
                "verbose_name_plural": "historical agreements",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRequirement",
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
                            ("availability", "Availability"),
                            ("continuity", "Continuity"),
                            ("capacity", "Capacity"),
                            ("price", "Price"),
                            ("reporting", "Reporting"),
                            ("security", "Information security"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("recorded", "Recorded"),
                            ("reviewed", "Reviewed"),
                            ("agreed", "Agreed"),
                            ("rejected", "Rejected"),
                        ],
                        default="recorded",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
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
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
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
                "verbose_name": "historical service requirement",
                "verbose_name_plural": "historical service requirements",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalReviewMeeting",
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
                            ("monthly_internal", "Monthly contract execution review"),
                            ("half_yearly_customer", "Half-yearly SLA review with the customer"),
                            ("annual", "Annual SLA/UC review"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("due_date", models.DateField(verbose_name="due by")),
                ("held_on", models.DateField(blank=True, null=True, verbose_name="held on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("held", "Held"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("agenda", models.TextField(blank=True, verbose_name="agenda")),
                (
                    "external_attendees",
                    models.TextField(blank=True, verbose_name="other attendees"),
                ),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
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
            ],
            options={
                "verbose_name": "historical review meeting",
                "verbose_name_plural": "historical review meetings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTarget",
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
                    "metric",
                    models.CharField(
                        choices=[
                            ("response", "Response time"),
                            ("resolution", "Resolution time"),
                            ("availability", "Availability"),
                            ("other", "Other indicator"),
                        ],
                        max_length=20,
                        verbose_name="metric",
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="indicator")),
                (
                    "indicator_kind",
                    models.CharField(
                        choices=[
                            ("custom", "Indicator measured outside the product"),
                            ("sla_achievement", "SLA achievement target"),
                        ],
                        default="custom",
                        help_text="For an other indicator: choose “SLA achievement target” to set the achievement the SLA reports compare with (in percent).",
                        max_length=30,
                        verbose_name="indicator kind",
                    ),
                ),
                (
                    "target_value",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="target value"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("percent", "Percent (%)"),
                            ("count", "Count"),
                            ("minutes", "Minutes"),
                            ("hours", "Hours"),
                            ("days", "Days"),
                            ("score", "Score"),
                        ],
                        help_text="Minutes or hours for response and resolution; percent for availability.",
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                (
                    "higher_is_better",
                    models.BooleanField(default=False, verbose_name="higher is better"),
                ),
                (
                    "measurement_method",
                    models.TextField(blank=True, verbose_name="measurement method"),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[
                            ("per_ticket", "Per ticket"),
                            ("daily", "Daily"),
                            ("weekly", "Weekly"),
                            ("monthly", "Monthly"),
                            ("quarterly", "Quarterly"),
                            ("half_yearly", "Half-yearly"),
                            ("yearly", "Yearly"),
                        ],
                        default="monthly",
                        max_length=20,
                        verbose_name="monitoring frequency",
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
                "verbose_name": "historical target",
                "verbose_name_plural": "historical targets",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ReviewMeeting",
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
                            ("monthly_internal", "Monthly contract execution review"),
                            ("half_yearly_customer", "Half-yearly SLA review with the customer"),
                            ("annual", "Annual SLA/UC review"),
                        ],
                        max_length=30,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("due_date", models.DateField(verbose_name="due by")),
                ("held_on", models.DateField(blank=True, null=True, verbose_name="held on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("held", "Held"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("agenda", models.TextField(blank=True, verbose_name="agenda")),
                (
                    "external_attendees",
                    models.TextField(blank=True, verbose_name="other attendees"),
                ),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="slm.agreement",
                        verbose_name="agreement",
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
            ],
            options={
                "verbose_name": "review meeting",
                "verbose_name_plural": "review meetings",
                "ordering": ("due_date", "id"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "agreement", "due_date"), name="slm_review_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalActionItem",
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
                ("description", models.TextField(verbose_name="action")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed at"),
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
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="slm.reviewmeeting",
                        verbose_name="meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical action item",
                "verbose_name_plural": "historical action items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ActionItem",
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
                ("description", models.TextField(verbose_name="action")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed at"),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actions",
                        to="slm.reviewmeeting",
                        verbose_name="meeting",
                    ),
                ),
            ],
            options={
                "verbose_name": "action item",
                "verbose_name_plural": "action items",
                "ordering": ("due_date", "id"),
            },
        ),
        migrations.CreateModel(
            name="Target",
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
                    "metric",
                    models.CharField(
                        choices=[
                            ("response", "Response time"),
                            ("resolution", "Resolution time"),
                            ("availability", "Availability"),
                            ("other", "Other indicator"),
                        ],
                        max_length=20,
                        verbose_name="metric",
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="indicator")),
                (
                    "indicator_kind",
                    models.CharField(
                        choices=[
                            ("custom", "Indicator measured outside the product"),
                            ("sla_achievement", "SLA achievement target"),
                        ],
                        default="custom",
                        help_text="For an other indicator: choose “SLA achievement target” to set the achievement the SLA reports compare with (in percent).",
                        max_length=30,
                        verbose_name="indicator kind",
                    ),
                ),
                (
                    "target_value",
                    models.DecimalField(
                        decimal_places=3, max_digits=12, verbose_name="target value"
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("percent", "Percent (%)"),
                            ("count", "Count"),
                            ("minutes", "Minutes"),
                            ("hours", "Hours"),
                            ("days", "Days"),
                            ("score", "Score"),
                        ],
                        help_text="Minutes or hours for response and resolution; percent for availability.",
                        max_length=20,
                        verbose_name="unit",
                    ),
                ),
                (
                    "higher_is_better",
                    models.BooleanField(default=False, verbose_name="higher is better"),
                ),
                (
                    "measurement_method",
                    models.TextField(blank=True, verbose_name="measurement method"),
                ),
                (
                    "frequency",
                    models.CharField(
                        choices=[
                            ("per_ticket", "Per ticket"),
                            ("daily", "Daily"),
                            ("weekly", "Weekly"),
                            ("monthly", "Monthly"),
                            ("quarterly", "Quarterly"),
                            ("half_yearly", "Half-yearly"),
                            ("yearly", "Yearly"),
                        ],
                        default="monthly",
                        max_length=20,
                        verbose_name="monitoring frequency",
                    ),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="targets",
                        to="slm.agreement",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="targets",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "target",
                "verbose_name_plural": "targets",
                "ordering": ("agreement", "metric", "priority", "id"),
                "indexes": [
                    models.Index(
                        fields=["agreement", "service", "priority", "metric"],
                        name="slm_target_lookup",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Requirement",
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
                            ("availability", "Availability"),
                            ("continuity", "Continuity"),
                            ("capacity", "Capacity"),
                            ("price", "Price"),
                            ("reporting", "Reporting"),
                            ("security", "Information security"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("recorded", "Recorded"),
                            ("reviewed", "Reviewed"),
                            ("agreed", "Agreed"),
                            ("rejected", "Rejected"),
                        ],
                        default="recorded",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="service_requirements",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requirements",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "targets",
                    models.ManyToManyField(
                        blank=True,
                        related_name="requirements",
                        to="slm.target",
                        verbose_name="met by targets",
                    ),
                ),
            ],
            options={
                "verbose_name": "service requirement",
                "verbose_name_plural": "service requirements",
                "ordering": ("customer", "kind", "id"),
            },
        ),
    ]
