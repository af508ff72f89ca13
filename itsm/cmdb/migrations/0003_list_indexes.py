"""Indexes of the CI list (issue 10 item 2): a (column, id) index for every column the list
sorts on, (status|criticality, id) for those filters, and the text search indexes of ``?q=``
(``CIFilterSet.search``) for the engine at hand:

- PostgreSQL: ``pg_trgm`` GIN indexes on ``UPPER(name)`` and ``UPPER(identifier)`` — the very
  expressions Django's ``icontains``/``istartswith`` compare — so a substring or a prefix is
  found from the index (``fastupdate`` off: a new CI is searchable from the index at once,
  with no pending list for every search to read through). ``pg_trgm`` ships with PostgreSQL (Debian: in the server package) and
  is a trusted extension, so the database owner may create it; where it cannot be created the
  migration says so and goes on (search stays correct, only slower).
- SQLite ≥ 3.34: an FTS5 table with the ``trigram`` tokenizer over (name, identifier), external
  content (the CI table itself, no copy of the text) kept in step by three triggers. A later
  migration that rebuilds the CI table on SQLite (Django copies it into a new table for most
  column changes) drops the triggers with the old table: it must call ``install_sqlite_search``
  again; ``cmdb/tests/test_search_index.py`` fails when the triggers are missing.
"""

import logging
import sqlite3

from django.db import migrations, models, transaction

logger = logging.getLogger(__name__)

TABLE = "cmdb_configurationitem"
FTS = "cmdb_ci_search"

PG_SEARCH = (
    f"CREATE INDEX IF NOT EXISTS cmdb_ci_name_trgm ON {TABLE} "
    "USING gin (UPPER(name::text) gin_trgm_ops) WITH (fastupdate = off)",
    f"CREATE INDEX IF NOT EXISTS cmdb_ci_identifier_trgm ON {TABLE} "
    "USING gin (UPPER(identifier::text) gin_trgm_ops) WITH (fastupdate = off)",
)

SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(name, identifier, "
    f"content='{TABLE}', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, name, identifier) VALUES (new.id, new.name, new.identifier); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, name, identifier) "
    "VALUES ('delete', old.id, old.name, old.identifier); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF name, identifier ON {TABLE} "
    f"BEGIN INSERT INTO {FTS}({FTS}, rowid, name, identifier) "
    "VALUES ('delete', old.id, old.name, old.identifier); "
    f"INSERT INTO {FTS}(rowid, name, identifier) VALUES (new.id, new.name, new.identifier); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)


def install_postgres_search(schema_editor):
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # no privilege, or a server without contrib
        logger.warning("pg_trgm unavailable (%s): CI search runs without its index", error)
        return
    for statement in PG_SEARCH:
        schema_editor.execute(statement)


def install_sqlite_search(schema_editor):
    if sqlite3.sqlite_version_info < (3, 34):  # no trigram tokenizer: search scans
        return
    for statement in SQLITE_SEARCH:
        schema_editor.execute(statement)


def install_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        install_postgres_search(schema_editor)
    elif vendor == "sqlite":
        install_sqlite_search(schema_editor)


def remove_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cmdb_ci_name_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS cmdb_ci_identifier_trgm")
    elif vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0002_builtin_classes")]

    operations = [
        migrations.RemoveIndex(
            model_name="configurationitem",
            name="cmdb_ci_customer_name",
        ),
        migrations.RemoveIndex(
            model_name="configurationitem",
            name="cmdb_ci_name",
        ),
        migrations.RemoveIndex(
            model_name="configurationitem",
            name="cmdb_ci_identifier",
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
                fields=["customer", "status", "id"], name="cmdb_ci_customer_status"
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
        migrations.RunPython(install_search, remove_search),
    ]
