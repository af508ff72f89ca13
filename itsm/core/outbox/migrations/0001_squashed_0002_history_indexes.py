"""outbox: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("outbox", "0001_initial"), ("outbox", "0002_history_indexes")]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationChannel",
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
                    "name",
                    models.SlugField(
                        help_text="Used as the target of outbox messages, e.g. “ops-dingtalk”.",
                        max_length=100,
                        unique=True,
                        verbose_name="name",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dingtalk", "DingTalk robot"),
                            ("wecom", "WeCom (WeChat Work) robot"),
                            ("feishu", "Feishu robot"),
                            ("slack", "Slack incoming webhook"),
                            ("generic", "Generic JSON webhook"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "url",
                    models.CharField(
                        help_text="The robot or webhook URL given by the chat service (https://…), or its apprise form (dingtalk://, wecombot://, feishu://, slack://).",
                        max_length=1000,
                        verbose_name="URL",
                    ),
                ),
                (
                    "secret",
                    models.CharField(
                        blank=True,
                        help_text="DingTalk signing secret, or for a generic webhook the key of the X-ITSM-Signature HMAC-SHA256 header. Leave empty if not used.",
                        max_length=200,
                        verbose_name="secret",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
            ],
            options={
                "verbose_name": "notification channel",
                "verbose_name_plural": "notification channels",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="WorkerLease",
            fields=[
                (
                    "name",
                    models.CharField(
                        max_length=100, primary_key=True, serialize=False, verbose_name="name"
                    ),
                ),
                ("holder", models.CharField(max_length=100, verbose_name="holder")),
                ("expires_at", models.DateTimeField(verbose_name="expires at")),
            ],
            options={
                "verbose_name": "worker lease",
                "verbose_name_plural": "worker leases",
            },
        ),
        migrations.CreateModel(
            name="HistoricalNotificationChannel",
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
                    "name",
                    models.SlugField(
                        db_index=False,
                        help_text="Used as the target of outbox messages, e.g. “ops-dingtalk”.",
                        max_length=100,
                        verbose_name="name",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dingtalk", "DingTalk robot"),
                            ("wecom", "WeCom (WeChat Work) robot"),
                            ("feishu", "Feishu robot"),
                            ("slack", "Slack incoming webhook"),
                            ("generic", "Generic JSON webhook"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "url",
                    models.CharField(
                        help_text="The robot or webhook URL given by the chat service (https://…), or its apprise form (dingtalk://, wecombot://, feishu://, slack://).",
                        max_length=1000,
                        verbose_name="URL",
                    ),
                ),
                (
                    "secret",
                    models.CharField(
                        blank=True,
                        help_text="DingTalk signing secret, or for a generic webhook the key of the X-ITSM-Signature HMAC-SHA256 header. Leave empty if not used.",
                        max_length=200,
                        verbose_name="secret",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
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
                "verbose_name": "historical notification channel",
                "verbose_name_plural": "historical notification channels",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Job",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("running", "Running"), ("ok", "Succeeded"), ("failed", "Failed")],
                        default="running",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("detail", models.TextField(blank=True, verbose_name="detail")),
                ("worker", models.CharField(blank=True, max_length=100, verbose_name="worker")),
            ],
            options={
                "verbose_name": "job run",
                "verbose_name_plural": "job runs",
                "ordering": ["-started_at", "-id"],
                "indexes": [
                    models.Index(fields=["name", "-started_at"], name="outbox_job_name_idx"),
                    models.Index(fields=["-started_at"], name="outbox_job_started_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True, verbose_name="key")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "E-mail"),
                            ("webhook", "Webhook (JSON POST)"),
                            ("chat", "Chat notification"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                (
                    "target",
                    models.CharField(
                        help_text="E-mail address, webhook URL or notification channel name.",
                        max_length=2000,
                        verbose_name="target",
                    ),
                ),
                ("payload", models.JSONField(default=dict, verbose_name="payload")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("dead", "Dead letter"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                ("next_attempt_at", models.DateTimeField(verbose_name="next attempt at")),
                (
                    "lease_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="lease until"),
                ),
                (
                    "leased_by",
                    models.CharField(blank=True, max_length=100, verbose_name="leased by"),
                ),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
            ],
            options={
                "verbose_name": "outbox message",
                "verbose_name_plural": "outbox messages",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
                    models.Index(fields=["status", "lease_until"], name="outbox_lease_idx"),
                    models.Index(fields=["status", "sent_at"], name="outbox_sent_idx"),
                ],
            },
        ),
    ]
