"""cmdb: every migration up to 0011_history_indexes in one (made from the models, with the
operations a new database needs that have no model state: ``0002_builtin_classes``, ``0003_list_indexes``, ``0006_ci_search_prefix_indexes``, ``0009_ci_impact_details_index``).

A new database runs this one; a database that has applied the migrations it replaces
records it as applied. Rendering the models of 69 migrations one change at a time took
~3 minutes of every test run's set-up (docs/architecture.md, shared mechanisms: migrations).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from importlib import import_module

from django.db import migrations, models


builtin_classes = import_module("itsm.cmdb.migrations.0002_builtin_classes")
list_indexes = import_module("itsm.cmdb.migrations.0003_list_indexes")
prefix_indexes = import_module("itsm.cmdb.migrations.0006_ci_search_prefix_indexes")
impact_index = import_module("itsm.cmdb.migrations.0009_ci_impact_details_index")


def impact_details_index(apps, schema_editor):
    """0009's step, after the SQL Django defers to the end of a migration (the indexes and
    foreign keys of the models created above): 0009 drops the ``LIKE`` index of the CI number,
    which Django creates deferred — run before it, the drop would find nothing to drop."""
    for statement in schema_editor.deferred_sql:
        schema_editor.execute(statement)
    schema_editor.deferred_sql.clear()
    impact_index.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    replaces = [
        ("cmdb", "0001_initial"),
        ("cmdb", "0002_builtin_classes"),
        ("cmdb", "0003_list_indexes"),
        ("cmdb", "0004_class_name_index"),
        ("cmdb", "0005_relation_target_type_index"),
        ("cmdb", "0006_ci_search_prefix_indexes"),
        ("cmdb", "0007_list_status_criticality_indexes"),
        ("cmdb", "0008_drop_redundant_fk_indexes"),
        ("cmdb", "0009_ci_impact_details_index"),
        ("cmdb", "0010_relation_drop_redundant_fk_indexes"),
        ("cmdb", "0011_history_indexes"),
    ]

    initial = True

    dependencies = [
        ("core", "0006_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CIClass",
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
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("icon", models.CharField(blank=True, max_length=40, verbose_name="icon")),
                (
                    "is_hardware",
                    models.BooleanField(
                        default=False,
                        help_text="Physical equipment that can be backed by the spare-parts store.",
                        verbose_name="hardware",
                    ),
                ),
                (
                    "is_business_service",
                    models.BooleanField(
                        default=False,
                        help_text="CIs of this class are business services counted in impact analysis.",
                        verbose_name="business service",
                    ),
                ),
                (
                    "is_agreement",
                    models.BooleanField(
                        default=False,
                        help_text="CIs of this class are agreements (SLA, OLA, UC) counted in impact analysis.",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "is_builtin",
                    models.BooleanField(default=False, editable=False, verbose_name="built-in"),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
            ],
            options={
                "verbose_name": "CI class",
                "verbose_name_plural": "CI classes",
                "ordering": ("order", "code"),
            },
        ),
        migrations.CreateModel(
            name="ConfigurationAudit",
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
                    "source_name",
                    models.CharField(blank=True, max_length=200, verbose_name="snapshot file"),
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
                (
                    "checked_count",
                    models.PositiveIntegerField(default=0, verbose_name="CIs checked"),
                ),
                (
                    "matched_count",
                    models.PositiveIntegerField(default=0, verbose_name="CIs matching"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "performed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="performed by",
                    ),
                ),
                (
                    "scope_class",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty to check every class present in the snapshot.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="class checked",
                    ),
                ),
            ],
            options={
                "verbose_name": "configuration audit",
                "verbose_name_plural": "configuration audits",
                "ordering": ("-created_at",),
            },
        ),
        migrations.CreateModel(
            name="ConfigurationItem",
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
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "identifier",
                    models.CharField(
                        blank=True,
                        help_text="Asset tag, serial number or host name that discovery tools report.",
                        max_length=200,
                        verbose_name="identifier",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_use", "In use"),
                            ("maintenance", "Under maintenance"),
                            ("retired", "Retired"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "criticality",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        default="medium",
                        max_length=20,
                        verbose_name="criticality",
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "attributes",
                    models.JSONField(blank=True, default=dict, verbose_name="attributes"),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        help_text="The change record that authorised this modification (e.g. CHG-000042).",
                        max_length=40,
                        verbose_name="authorising change",
                    ),
                ),
                (
                    "ci_class",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="cmdb.ciclass",
                        verbose_name="class",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Leave empty for shared infrastructure.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cis",
                        to="core.organisation",
                        verbose_name="customer",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_cis",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "supplier",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supplied_cis",
                        to="core.organisation",
                        verbose_name="supplier",
                    ),
                ),
            ],
            options={
                "verbose_name": "configuration item",
                "verbose_name_plural": "configuration items",
            },
        ),
        migrations.CreateModel(
            name="AuditDifference",
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
                            ("missing", "Missing (in CMDB, not discovered)"),
                            ("unexpected", "Unexpected (discovered, not in CMDB)"),
                            ("drifted", "Drifted (attribute differs)"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "identifier",
                    models.CharField(blank=True, max_length=200, verbose_name="identifier"),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                ("class_code", models.CharField(blank=True, max_length=40, verbose_name="class")),
                (
                    "attribute",
                    models.CharField(blank=True, max_length=60, verbose_name="attribute"),
                ),
                ("cmdb_value", models.JSONField(blank=True, null=True, verbose_name="CMDB value")),
                (
                    "discovered_value",
                    models.JSONField(blank=True, null=True, verbose_name="discovered value"),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
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
                    "audit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="differences",
                        to="cmdb.configurationaudit",
                        verbose_name="audit",
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
            ],
            options={
                "verbose_name": "audit difference",
                "verbose_name_plural": "audit differences",
                "ordering": ("audit", "kind", "id"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalAttributeDefinition",
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
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("key", models.SlugField(db_index=False, max_length=40, verbose_name="key")),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("string", "Text (one line)"),
                            ("text", "Text (several lines)"),
                            ("integer", "Integer"),
                            ("decimal", "Decimal number"),
                            ("boolean", "Yes / no"),
                            ("date", "Date"),
                            ("choice", "Choice from a list"),
                            ("ip", "IP address"),
                            ("url", "URL"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "choices",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Allowed values of a choice.",
                        verbose_name="choices",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "min_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="minimum",
                    ),
                ),
                (
                    "max_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="maximum",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
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
                    "ci_class",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="CI class",
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
                "verbose_name": "historical attribute definition",
                "verbose_name_plural": "historical attribute definitions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAuditDifference",
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
                            ("missing", "Missing (in CMDB, not discovered)"),
                            ("unexpected", "Unexpected (discovered, not in CMDB)"),
                            ("drifted", "Drifted (attribute differs)"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "identifier",
                    models.CharField(blank=True, max_length=200, verbose_name="identifier"),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                ("class_code", models.CharField(blank=True, max_length=40, verbose_name="class")),
                (
                    "attribute",
                    models.CharField(blank=True, max_length=60, verbose_name="attribute"),
                ),
                ("cmdb_value", models.JSONField(blank=True, null=True, verbose_name="CMDB value")),
                (
                    "discovered_value",
                    models.JSONField(blank=True, null=True, verbose_name="discovered value"),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
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
                    "audit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.configurationaudit",
                        verbose_name="audit",
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
            ],
            options={
                "verbose_name": "historical audit difference",
                "verbose_name_plural": "historical audit differences",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCIClass",
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
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("code", models.SlugField(db_index=False, max_length=40, verbose_name="code")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("icon", models.CharField(blank=True, max_length=40, verbose_name="icon")),
                (
                    "is_hardware",
                    models.BooleanField(
                        default=False,
                        help_text="Physical equipment that can be backed by the spare-parts store.",
                        verbose_name="hardware",
                    ),
                ),
                (
                    "is_business_service",
                    models.BooleanField(
                        default=False,
                        help_text="CIs of this class are business services counted in impact analysis.",
                        verbose_name="business service",
                    ),
                ),
                (
                    "is_agreement",
                    models.BooleanField(
                        default=False,
                        help_text="CIs of this class are agreements (SLA, OLA, UC) counted in impact analysis.",
                        verbose_name="agreement",
                    ),
                ),
                (
                    "is_builtin",
                    models.BooleanField(default=False, editable=False, verbose_name="built-in"),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
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
                "verbose_name": "historical CI class",
                "verbose_name_plural": "historical CI classes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalConfigurationAudit",
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
                    "source_name",
                    models.CharField(blank=True, max_length=200, verbose_name="snapshot file"),
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
                (
                    "checked_count",
                    models.PositiveIntegerField(default=0, verbose_name="CIs checked"),
                ),
                (
                    "matched_count",
                    models.PositiveIntegerField(default=0, verbose_name="CIs matching"),
                ),
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
                    "performed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="performed by",
                    ),
                ),
                (
                    "scope_class",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Leave empty to check every class present in the snapshot.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="class checked",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical configuration audit",
                "verbose_name_plural": "historical configuration audits",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalConfigurationItem",
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
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "identifier",
                    models.CharField(
                        blank=True,
                        help_text="Asset tag, serial number or host name that discovery tools report.",
                        max_length=200,
                        verbose_name="identifier",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_use", "In use"),
                            ("maintenance", "Under maintenance"),
                            ("retired", "Retired"),
                        ],
                        default="planned",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "criticality",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        default="medium",
                        max_length=20,
                        verbose_name="criticality",
                    ),
                ),
                ("location", models.CharField(blank=True, max_length=200, verbose_name="location")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "attributes",
                    models.JSONField(blank=True, default=dict, verbose_name="attributes"),
                ),
                (
                    "change_reference",
                    models.CharField(
                        blank=True,
                        help_text="The change record that authorised this modification (e.g. CHG-000042).",
                        max_length=40,
                        verbose_name="authorising change",
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
                    "ci_class",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="class",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Leave empty for shared infrastructure.",
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
            ],
            options={
                "verbose_name": "historical configuration item",
                "verbose_name_plural": "historical configuration items",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRelationType",
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
                ("name_zh", models.CharField(max_length=60, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=60, verbose_name="name (English)")),
                (
                    "reverse_zh",
                    models.CharField(max_length=60, verbose_name="reverse name (Chinese)"),
                ),
                (
                    "reverse_en",
                    models.CharField(max_length=60, verbose_name="reverse name (English)"),
                ),
                (
                    "is_builtin",
                    models.BooleanField(default=False, editable=False, verbose_name="built-in"),
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
                "verbose_name": "historical relation type",
                "verbose_name_plural": "historical relation types",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="RelationType",
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
                ("name_zh", models.CharField(max_length=60, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=60, verbose_name="name (English)")),
                (
                    "reverse_zh",
                    models.CharField(max_length=60, verbose_name="reverse name (Chinese)"),
                ),
                (
                    "reverse_en",
                    models.CharField(max_length=60, verbose_name="reverse name (English)"),
                ),
                (
                    "is_builtin",
                    models.BooleanField(default=False, editable=False, verbose_name="built-in"),
                ),
                (
                    "source_classes",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="allowed source classes",
                    ),
                ),
                (
                    "target_classes",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="cmdb.ciclass",
                        verbose_name="allowed target classes",
                    ),
                ),
            ],
            options={
                "verbose_name": "relation type",
                "verbose_name_plural": "relation types",
                "ordering": ("code",),
            },
        ),
        migrations.CreateModel(
            name="Relation",
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
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "change_reference",
                    models.CharField(blank=True, max_length=40, verbose_name="authorising change"),
                ),
                (
                    "source",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outgoing",
                        to="cmdb.configurationitem",
                        verbose_name="source",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incoming",
                        to="cmdb.configurationitem",
                        verbose_name="target",
                    ),
                ),
                (
                    "type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="relations",
                        to="cmdb.relationtype",
                        verbose_name="type",
                    ),
                ),
            ],
            options={
                "verbose_name": "relation",
                "verbose_name_plural": "relations",
            },
        ),
        migrations.CreateModel(
            name="HistoricalRelation",
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
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                (
                    "change_reference",
                    models.CharField(blank=True, max_length=40, verbose_name="authorising change"),
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
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="source",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.configurationitem",
                        verbose_name="target",
                    ),
                ),
                (
                    "type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cmdb.relationtype",
                        verbose_name="type",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical relation",
                "verbose_name_plural": "historical relations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="AttributeDefinition",
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
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("key", models.SlugField(max_length=40, verbose_name="key")),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("string", "Text (one line)"),
                            ("text", "Text (several lines)"),
                            ("integer", "Integer"),
                            ("decimal", "Decimal number"),
                            ("boolean", "Yes / no"),
                            ("date", "Date"),
                            ("choice", "Choice from a list"),
                            ("ip", "IP address"),
                            ("url", "URL"),
                        ],
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "choices",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Allowed values of a choice.",
                        verbose_name="choices",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "min_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="minimum",
                    ),
                ),
                (
                    "max_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=20,
                        null=True,
                        verbose_name="maximum",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                (
                    "ci_class",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attribute_definitions",
                        to="cmdb.ciclass",
                        verbose_name="CI class",
                    ),
                ),
            ],
            options={
                "verbose_name": "attribute definition",
                "verbose_name_plural": "attribute definitions",
                "ordering": ("ci_class", "order", "key"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("ci_class", "key"), name="cmdb_attribute_key_unique"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(
                fields=["ci_class", "status", "criticality", "id"], name="cmdb_ci_class_status_crit"
            ),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["ci_class", "name", "id"], name="cmdb_ci_class_name_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["customer", "name", "id"], name="cmdb_ci_customer_name_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["customer", "id"], name="cmdb_ci_customer_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(
                fields=["customer", "status", "criticality", "id"],
                name="cmdb_ci_customer_status_crit",
            ),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(
                fields=["customer", "criticality", "id"], name="cmdb_ci_customer_criticality"
            ),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["name", "id"], name="cmdb_ci_name_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["identifier", "id"], name="cmdb_ci_identifier_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["status", "id"], name="cmdb_ci_status_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["criticality", "id"], name="cmdb_ci_criticality_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["location", "id"], name="cmdb_ci_location_id"),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(fields=["updated_at", "id"], name="cmdb_ci_updated_id"),
        ),
        migrations.AddConstraint(
            model_name="configurationitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("identifier", ""), _negated=True),
                fields=("identifier",),
                name="cmdb_ci_identifier_unique",
            ),
        ),
        migrations.AddIndex(
            model_name="relation",
            index=models.Index(
                fields=["target", "source", "type"], name="cmdb_relation_target_type"
            ),
        ),
        migrations.AddConstraint(
            model_name="relation",
            constraint=models.UniqueConstraint(
                fields=("source", "target", "type"), name="cmdb_relation_unique"
            ),
        ),
        migrations.RunPython(builtin_classes.create_builtins, builtin_classes.remove_builtins),
        migrations.RunPython(list_indexes.install_search, list_indexes.remove_search),
        migrations.RunPython(
            prefix_indexes.add_prefix_indexes, prefix_indexes.remove_prefix_indexes
        ),
        migrations.RunPython(impact_details_index, impact_index.backwards),
    ]
