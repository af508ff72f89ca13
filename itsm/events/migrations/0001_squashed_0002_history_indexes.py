"""events: every migration up to 0002_history_indexes in one (made from the models, with the
operations a new database needs that have no model state: none).

A new database runs this one; a database that has applied the migrations it replaces
records it as applied. Rendering the models of 69 migrations one change at a time took
~3 minutes of every test run's set-up (docs/architecture.md, shared mechanisms: migrations).
"""

import django.db.models.deletion
import itsm.events.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("events", "0001_initial"), ("events", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("catalog", "0003_history_indexes"),
        ("cmdb", "0011_history_indexes"),
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertSource",
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
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("alertmanager", "Prometheus Alertmanager"),
                            ("zabbix", "Zabbix"),
                            ("generic", "Generic JSON"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "auth",
                    models.CharField(
                        choices=[("bearer", "Bearer token"), ("hmac", "HMAC-SHA256 signature")],
                        default="bearer",
                        max_length=10,
                        verbose_name="authentication",
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(
                        blank=True, editable=False, max_length=64, verbose_name="token hash"
                    ),
                ),
                (
                    "hmac_key",
                    models.CharField(
                        blank=True, editable=False, max_length=128, verbose_name="HMAC key"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        help_text="The customer of the incidents when the CI has none.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "default_ci",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="default configuration item",
                    ),
                ),
                (
                    "default_service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="default service",
                    ),
                ),
            ],
            options={
                "verbose_name": "alert source",
                "verbose_name_plural": "alert sources",
                "ordering": ("name", "id"),
            },
        ),
        migrations.CreateModel(
            name="AlertRule",
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
                ("position", models.PositiveIntegerField(default=100, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "match_labels",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Label → value that an alert must all carry, e.g. {"env": "prod"}; a value "*" only asks that the label be present. Empty: every alert.',
                        verbose_name="matching labels",
                    ),
                ),
                (
                    "ci_label",
                    models.CharField(
                        blank=True,
                        default="instance",
                        help_text="The label (or Zabbix tag, or host) whose value finds the CI.",
                        max_length=60,
                        verbose_name="CI label",
                    ),
                ),
                (
                    "ci_match",
                    models.CharField(
                        choices=[
                            ("identifier", "CI identifier equals the label"),
                            ("name", "CI name equals the label"),
                            ("number", "CI number equals the label"),
                        ],
                        default="identifier",
                        max_length=20,
                        verbose_name="CI found by",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("open_incident", "Open an incident"),
                            ("add_to_open", "Add to the open incident of the CI, else open one"),
                            ("record_only", "Only record the alert"),
                        ],
                        default="open_incident",
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "priority_map",
                    models.JSONField(
                        blank=True,
                        default=itsm.events.models._default_priority_map,
                        help_text='Severity → priority, e.g. {"critical": "p1", "warning": "p3"}.',
                        verbose_name="priority by severity",
                    ),
                ),
                (
                    "flap_changes",
                    models.PositiveIntegerField(
                        default=4,
                        help_text="This many firings and recoveries of one alert within the minutes below mark it flapping: one incident, not resolved by a recovery. 0: off.",
                        verbose_name="flapping: state changes",
                    ),
                ),
                (
                    "flap_minutes",
                    models.PositiveIntegerField(
                        default=30, verbose_name="flapping: within minutes"
                    ),
                ),
                (
                    "on_recovery",
                    models.CharField(
                        choices=[
                            ("auto_resolve", "Resolve the incident"),
                            ("annotate", "Only note the recovery on the incident"),
                        ],
                        default="auto_resolve",
                        max_length=20,
                        verbose_name="on recovery",
                    ),
                ),
                (
                    "ci",
                    models.ForeignKey(
                        blank=True,
                        help_text="When given, every matching alert concerns this CI.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
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
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: alerts of every source.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="events.alertsource",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "alert rule",
                "verbose_name_plural": "alert rules",
                "ordering": ("position", "id"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalAlertRule",
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
                ("position", models.PositiveIntegerField(default=100, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "match_labels",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Label → value that an alert must all carry, e.g. {"env": "prod"}; a value "*" only asks that the label be present. Empty: every alert.',
                        verbose_name="matching labels",
                    ),
                ),
                (
                    "ci_label",
                    models.CharField(
                        blank=True,
                        default="instance",
                        help_text="The label (or Zabbix tag, or host) whose value finds the CI.",
                        max_length=60,
                        verbose_name="CI label",
                    ),
                ),
                (
                    "ci_match",
                    models.CharField(
                        choices=[
                            ("identifier", "CI identifier equals the label"),
                            ("name", "CI name equals the label"),
                            ("number", "CI number equals the label"),
                        ],
                        default="identifier",
                        max_length=20,
                        verbose_name="CI found by",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("open_incident", "Open an incident"),
                            ("add_to_open", "Add to the open incident of the CI, else open one"),
                            ("record_only", "Only record the alert"),
                        ],
                        default="open_incident",
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "priority_map",
                    models.JSONField(
                        blank=True,
                        default=itsm.events.models._default_priority_map,
                        help_text='Severity → priority, e.g. {"critical": "p1", "warning": "p3"}.',
                        verbose_name="priority by severity",
                    ),
                ),
                (
                    "flap_changes",
                    models.PositiveIntegerField(
                        default=4,
                        help_text="This many firings and recoveries of one alert within the minutes below mark it flapping: one incident, not resolved by a recovery. 0: off.",
                        verbose_name="flapping: state changes",
                    ),
                ),
                (
                    "flap_minutes",
                    models.PositiveIntegerField(
                        default=30, verbose_name="flapping: within minutes"
                    ),
                ),
                (
                    "on_recovery",
                    models.CharField(
                        choices=[
                            ("auto_resolve", "Resolve the incident"),
                            ("annotate", "Only note the recovery on the incident"),
                        ],
                        default="auto_resolve",
                        max_length=20,
                        verbose_name="on recovery",
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
                        help_text="When given, every matching alert concerns this CI.",
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
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Empty: alerts of every source.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="events.alertsource",
                        verbose_name="source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical alert rule",
                "verbose_name_plural": "historical alert rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAlertSource",
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
                    "kind",
                    models.CharField(
                        choices=[
                            ("alertmanager", "Prometheus Alertmanager"),
                            ("zabbix", "Zabbix"),
                            ("generic", "Generic JSON"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "auth",
                    models.CharField(
                        choices=[("bearer", "Bearer token"), ("hmac", "HMAC-SHA256 signature")],
                        default="bearer",
                        max_length=10,
                        verbose_name="authentication",
                    ),
                ),
                (
                    "token_hash",
                    models.CharField(
                        blank=True, editable=False, max_length=64, verbose_name="token hash"
                    ),
                ),
                (
                    "hmac_key",
                    models.CharField(
                        blank=True, editable=False, max_length=128, verbose_name="HMAC key"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
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
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The customer of the incidents when the CI has none.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "default_ci",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="default configuration item",
                    ),
                ),
                (
                    "default_service",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="default service",
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
                "verbose_name": "historical alert source",
                "verbose_name_plural": "historical alert sources",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalMonitoringPoint",
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
                ("code", models.CharField(max_length=40, verbose_name="code")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("network", "Network and network devices"),
                            ("server", "Servers"),
                            ("storage", "Storage devices"),
                            ("middleware", "Middleware"),
                            ("application", "Application resources"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                (
                    "alertname",
                    models.CharField(
                        blank=True,
                        help_text="The alertname label (or Zabbix trigger name) this point fires as.",
                        max_length=100,
                        verbose_name="alert name",
                    ),
                ),
                ("metric", models.CharField(blank=True, max_length=200, verbose_name="metric")),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "warning_threshold",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        max_digits=14,
                        null=True,
                        verbose_name="warning threshold",
                    ),
                ),
                (
                    "critical_threshold",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        max_digits=14,
                        null=True,
                        verbose_name="critical threshold",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
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
            ],
            options={
                "verbose_name": "historical monitoring point",
                "verbose_name_plural": "historical monitoring points",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="MonitoringPoint",
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
                ("code", models.CharField(max_length=40, unique=True, verbose_name="code")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("network", "Network and network devices"),
                            ("server", "Servers"),
                            ("storage", "Storage devices"),
                            ("middleware", "Middleware"),
                            ("application", "Application resources"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                (
                    "alertname",
                    models.CharField(
                        blank=True,
                        help_text="The alertname label (or Zabbix trigger name) this point fires as.",
                        max_length=100,
                        verbose_name="alert name",
                    ),
                ),
                ("metric", models.CharField(blank=True, max_length=200, verbose_name="metric")),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "warning_threshold",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        max_digits=14,
                        null=True,
                        verbose_name="warning threshold",
                    ),
                ),
                (
                    "critical_threshold",
                    models.DecimalField(
                        blank=True,
                        decimal_places=3,
                        max_digits=14,
                        null=True,
                        verbose_name="critical threshold",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
            ],
            options={
                "verbose_name": "monitoring point",
                "verbose_name_plural": "monitoring points",
                "ordering": ("category", "code"),
                "indexes": [
                    models.Index(fields=["alertname", "ci"], name="events_point_alertname")
                ],
            },
        ),
        migrations.CreateModel(
            name="Alert",
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
                ("fingerprint", models.CharField(max_length=128, verbose_name="fingerprint")),
                ("starts_at", models.DateTimeField(verbose_name="started")),
                ("ends_at", models.DateTimeField(blank=True, null=True, verbose_name="ended")),
                (
                    "status",
                    models.CharField(
                        choices=[("firing", "Firing"), ("resolved", "Resolved")],
                        default="firing",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "alertname",
                    models.CharField(blank=True, max_length=200, verbose_name="alert name"),
                ),
                ("summary", models.CharField(blank=True, max_length=500, verbose_name="summary")),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("critical", "Critical"),
                            ("major", "Major"),
                            ("warning", "Warning"),
                            ("info", "Information"),
                        ],
                        default="warning",
                        max_length=10,
                        verbose_name="severity",
                    ),
                ),
                ("labels", models.JSONField(blank=True, default=dict, verbose_name="labels")),
                (
                    "annotations",
                    models.JSONField(blank=True, default=dict, verbose_name="annotations"),
                ),
                ("repeat_count", models.PositiveIntegerField(default=1, verbose_name="deliveries")),
                ("last_seen", models.DateTimeField(verbose_name="last seen")),
                ("suppressed", models.BooleanField(default=False, verbose_name="suppressed")),
                (
                    "suppression_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="suppression reason"),
                ),
                ("flapping", models.BooleanField(default=False, verbose_name="flapping")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        help_text="What was done with the alert, or why no incident was opened.",
                        max_length=300,
                        verbose_name="outcome",
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
                        on_delete=django.db.models.deletion.SET_NULL,
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
                        on_delete=django.db.models.deletion.SET_NULL,
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
                (
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="events.alertrule",
                        verbose_name="rule",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to="events.alertsource",
                        verbose_name="source",
                    ),
                ),
                (
                    "monitoring_point",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="alerts",
                        to="events.monitoringpoint",
                        verbose_name="monitoring point",
                    ),
                ),
            ],
            options={
                "verbose_name": "alert",
                "verbose_name_plural": "alerts",
                "ordering": ("-id",),
                "indexes": [
                    models.Index(fields=["status", "id"], name="events_alert_status"),
                    models.Index(fields=["customer", "id"], name="events_alert_customer"),
                    models.Index(fields=["ci", "id"], name="events_alert_ci"),
                    models.Index(fields=["last_seen", "id"], name="events_alert_last_seen"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "fingerprint", "starts_at"), name="events_alert_once"
                    )
                ],
            },
        ),
    ]
