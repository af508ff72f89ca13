"""SLA test tickets move here from the ``slm`` app with their rows (issue 9).

1. the models enter this app's state on their old tables (no SQL);
2. the tables are renamed ``slm_*`` → ``clocks_*`` (rows, ids and history kept);
3. the content types ``slm.slatestticket`` / ``slm.historicalslatestticket`` are relabelled
   ``clocks.*`` so that clocks, timeline rows and field history that point at a ticket
   through its content type keep pointing at it.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("slatestticket", "historicalslatestticket")


def _relabel(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, "slm", "clocks")


def backwards(apps, schema_editor):
    _relabel(apps, "clocks", "slm")


PRIORITIES = [("p1", "P1 Critical"), ("p2", "P2 High"), ("p3", "P3 Medium"), ("p4", "P4 Low")]
STATUSES = [("open", "Open"), ("closed", "Closed")]


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0001_initial"),
        ("slm", "0004_move_slatestticket_to_clocks"),
        ("catalog", "0001_initial"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SlaTestTicket",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="version")),
                        ("number", models.CharField(editable=False, max_length=20, unique=True, verbose_name="number")),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("priority", models.CharField(choices=PRIORITIES, max_length=4, verbose_name="priority")),
                        ("status", models.CharField(choices=STATUSES, default="open", max_length=20, verbose_name="status")),
                        ("opened_at", models.DateTimeField(verbose_name="opened at")),
                        ("agreement", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="slm.agreement", verbose_name="agreement")),
                        ("customer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.organisation", verbose_name="customer")),
                        ("service", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalog.service", verbose_name="service")),
                    ],
                    options={
                        "verbose_name": "SLA test ticket",
                        "verbose_name_plural": "SLA test tickets",
                        "ordering": ("-created_at",),
                        "db_table": "slm_slatestticket",
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalSlaTestTicket",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, db_index=True, editable=False, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="updated at")),
                        ("version", models.PositiveIntegerField(default=1, editable=False, verbose_name="version")),
                        ("number", models.CharField(db_index=True, editable=False, max_length=20, verbose_name="number")),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("priority", models.CharField(choices=PRIORITIES, max_length=4, verbose_name="priority")),
                        ("status", models.CharField(choices=STATUSES, default="open", max_length=20, verbose_name="status")),
                        ("opened_at", models.DateTimeField(verbose_name="opened at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        ("history_type", models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                        ("agreement", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="slm.agreement", verbose_name="agreement")),
                        ("customer", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="core.organisation", verbose_name="customer")),
                        ("history_user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("service", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="catalog.service", verbose_name="service")),
                    ],
                    options={
                        "verbose_name": "historical SLA test ticket",
                        "verbose_name_plural": "historical SLA test tickets",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                        "db_table": "slm_historicalslatestticket",
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="slatestticket", table=None),
        migrations.AlterModelTable(name="historicalslatestticket", table=None),
        migrations.RunPython(forwards, backwards),
    ]
