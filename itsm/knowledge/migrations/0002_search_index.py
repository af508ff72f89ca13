"""The full-text structures of the search index, per engine (the tokens are segmented by the
application, ``knowledge.search.segment``; both engines take them verbatim):

- SQLite: an FTS5 table ``knowledge_search_fts`` over ``title_tokens`` and ``body_tokens``
  (external content: the document table; ``unicode61`` splitting on spaces, ``_`` a token
  character), kept by three triggers. A later migration that rebuilds the document table on
  SQLite must call ``install_sqlite_search`` again (the triggers go with the old table).
- PostgreSQL: a generated column ``search`` — ``array_to_tsvector`` of the tokens (no parser,
  no dictionary: 'simple' lexemes as stored), the title's weighted A — with a GIN index.
  Nothing outside Debian's server package is needed.
"""

from django.db import migrations

TABLE = "knowledge_searchdocument"
FTS = "knowledge_search_fts"

SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title_tokens, body_tokens, "
    f"content='{TABLE}', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF title_tokens, body_tokens "
    f"ON {TABLE} BEGIN INSERT INTO {FTS}({FTS}, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); "
    f"INSERT INTO {FTS}(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)

PG_VECTOR = (
    "setweight(array_to_tsvector(string_to_array(title_tokens, ' ')), 'A') || "
    "array_to_tsvector(string_to_array(body_tokens, ' '))"
)
PG_SEARCH = (
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS knowledge_search_gin ON {TABLE} USING gin (search)",
)


def install_sqlite_search(schema_editor):
    for statement in SQLITE_SEARCH:
        schema_editor.execute(statement)


def install_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_SEARCH:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        install_sqlite_search(schema_editor)


def remove_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knowledge_search_gin")
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search")
    elif vendor == "sqlite":
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(install_search, remove_search)]
