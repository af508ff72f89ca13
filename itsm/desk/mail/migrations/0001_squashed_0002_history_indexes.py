"""deskmail: every migration up to 0002_history_indexes in one (made from the models, with the
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
    replaces = [("deskmail", "0001_mailboxes"), ("deskmail", "0002_history_indexes")]

    initial = True

    dependencies = [
        ("core", "0006_history_indexes"),
        ("desk", "0010_history_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalMailbox",
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
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("host", models.CharField(max_length=255, verbose_name="IMAP host")),
                ("port", models.PositiveIntegerField(default=993, verbose_name="IMAP port")),
                (
                    "security",
                    models.CharField(
                        choices=[
                            ("ssl", "SSL/TLS (IMAPS, port 993)"),
                            ("starttls", "STARTTLS (port 143)"),
                            ("none", "None (trusted networks only)"),
                        ],
                        default="ssl",
                        max_length=20,
                        verbose_name="connection security",
                    ),
                ),
                ("username", models.CharField(max_length=255, verbose_name="user name")),
                (
                    "folder",
                    models.CharField(default="INBOX", max_length=255, verbose_name="folder"),
                ),
                (
                    "addresses",
                    models.TextField(
                        help_text="The addresses this mailbox receives for (one per line), e.g. servicedesk@example.com. Mail that names one of them in X-Loop is our own.",
                        verbose_name="desk addresses",
                    ),
                ),
                (
                    "default_kind",
                    models.CharField(
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        default="incident",
                        max_length=20,
                        verbose_name="kind of new tickets",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "uid_validity",
                    models.BigIntegerField(
                        blank=True, editable=False, null=True, verbose_name="UIDVALIDITY"
                    ),
                ),
                (
                    "last_uid",
                    models.BigIntegerField(default=0, editable=False, verbose_name="last UID read"),
                ),
                (
                    "last_polled_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last polled"
                    ),
                ),
                (
                    "last_error",
                    models.TextField(blank=True, editable=False, verbose_name="last error"),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
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
                    "default_customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Customer of the tickets from senders who are not users. Empty: such mail is kept as unmatched for the desk to look at.",
                        limit_choices_to={"kind": "customer"},
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="default customer",
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
                "verbose_name": "historical mailbox",
                "verbose_name_plural": "historical mailboxes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Mailbox",
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
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("host", models.CharField(max_length=255, verbose_name="IMAP host")),
                ("port", models.PositiveIntegerField(default=993, verbose_name="IMAP port")),
                (
                    "security",
                    models.CharField(
                        choices=[
                            ("ssl", "SSL/TLS (IMAPS, port 993)"),
                            ("starttls", "STARTTLS (port 143)"),
                            ("none", "None (trusted networks only)"),
                        ],
                        default="ssl",
                        max_length=20,
                        verbose_name="connection security",
                    ),
                ),
                ("username", models.CharField(max_length=255, verbose_name="user name")),
                ("password", models.CharField(blank=True, max_length=255, verbose_name="password")),
                (
                    "folder",
                    models.CharField(default="INBOX", max_length=255, verbose_name="folder"),
                ),
                (
                    "addresses",
                    models.TextField(
                        help_text="The addresses this mailbox receives for (one per line), e.g. servicedesk@example.com. Mail that names one of them in X-Loop is our own.",
                        verbose_name="desk addresses",
                    ),
                ),
                (
                    "default_kind",
                    models.CharField(
                        choices=[
                            ("incident", "Incident"),
                            ("request", "Service request"),
                            ("consultation", "Consultation"),
                        ],
                        default="incident",
                        max_length=20,
                        verbose_name="kind of new tickets",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "uid_validity",
                    models.BigIntegerField(
                        blank=True, editable=False, null=True, verbose_name="UIDVALIDITY"
                    ),
                ),
                (
                    "last_uid",
                    models.BigIntegerField(default=0, editable=False, verbose_name="last UID read"),
                ),
                (
                    "last_polled_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last polled"
                    ),
                ),
                (
                    "last_error",
                    models.TextField(blank=True, editable=False, verbose_name="last error"),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                (
                    "default_customer",
                    models.ForeignKey(
                        blank=True,
                        help_text="Customer of the tickets from senders who are not users. Empty: such mail is kept as unmatched for the desk to look at.",
                        limit_choices_to={"kind": "customer"},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="default customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "mailbox",
                "verbose_name_plural": "mailboxes",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="InboundMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uid", models.BigIntegerField(blank=True, null=True, verbose_name="UID")),
                (
                    "uid_validity",
                    models.BigIntegerField(blank=True, null=True, verbose_name="UIDVALIDITY"),
                ),
                (
                    "message_id",
                    models.CharField(db_index=True, max_length=255, verbose_name="Message-ID"),
                ),
                (
                    "dedupe_key",
                    models.CharField(blank=True, max_length=255, null=True, unique=True),
                ),
                ("from_address", models.CharField(blank=True, max_length=254, verbose_name="from")),
                (
                    "from_name",
                    models.CharField(blank=True, max_length=200, verbose_name="sender name"),
                ),
                ("recipients", models.TextField(blank=True, verbose_name="recipients")),
                ("subject", models.CharField(blank=True, max_length=500, verbose_name="subject")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "received_at",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="received"),
                ),
                ("size", models.PositiveIntegerField(default=0, verbose_name="size (bytes)")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("person", "Written by a person"),
                            ("automatic", "Automatic or bulk"),
                            ("bounce", "Bounce"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "reason",
                    models.CharField(blank=True, max_length=300, verbose_name="why automatic"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("created", "Ticket created"),
                            ("threaded", "Added to a ticket"),
                            ("auto_stored", "Automatic reply stored"),
                            ("auto_ignored", "Automatic mail, no ticket"),
                            ("bounce_attached", "Bounce attached"),
                            ("bounce_unmatched", "Bounce, no ticket"),
                            ("too_large", "Rejected: too large"),
                            ("duplicate", "Duplicate"),
                            ("unmatched", "Unmatched sender"),
                            ("failed", "Failed"),
                        ],
                        max_length=30,
                        verbose_name="outcome",
                    ),
                ),
                ("detail", models.TextField(blank=True, verbose_name="detail")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="desk.ticket",
                        verbose_name="ticket",
                    ),
                ),
                (
                    "mailbox",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="received",
                        to="deskmail.mailbox",
                        verbose_name="mailbox",
                    ),
                ),
            ],
            options={
                "verbose_name": "received mail",
                "verbose_name_plural": "received mail",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(fields=["outcome", "id"], name="deskmail_inbound_outcome"),
                    models.Index(fields=["mailbox", "uid"], name="deskmail_inbound_uid"),
                ],
            },
        ),
    ]
