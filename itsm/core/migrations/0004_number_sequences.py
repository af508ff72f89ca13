"""Numbering on PostgreSQL moves from one counter row per prefix (whose lock serialised every
concurrent creator until commit) to one SEQUENCE per prefix (``core.numbering``).

- creates ``itsm_next_number(prefix)``: ``nextval`` of ``itsm_number_<prefix>``, creating the
  sequence on first use (after the prefix's ``NumberSequence.last_value``), safe against two
  transactions creating it at once;
- creates a sequence for every existing ``NumberSequence`` row, starting after its
  ``last_value``, so numbers continue where they stopped.

Reversed, it writes each sequence's last value back into its row and drops the sequences and
the function. SQLite keeps the counter rows: nothing to do there.
"""

from django.db import migrations

SEQUENCE_PREFIX = "itsm_number_"

FUNCTION = """
CREATE OR REPLACE FUNCTION itsm_next_number(prefix text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    seq text := 'itsm_number_' || lower(prefix);
    start_at bigint;
BEGIN
    -- the existence check keeps the exception block (a subtransaction) off the common path
    IF to_regclass(quote_ident(seq)) IS NULL THEN
        SELECT coalesce(max(n.last_value), 0) + 1 INTO start_at
            FROM core_numbersequence n WHERE n.prefix = itsm_next_number.prefix;
        BEGIN
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START WITH %s', seq, start_at);
        EXCEPTION WHEN unique_violation OR duplicate_table THEN
            NULL;  -- created by a concurrent transaction, committed since
        END;
    END IF;
    RETURN nextval(quote_ident(seq)::regclass);
END
$$;
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    NumberSequence = apps.get_model("core", "NumberSequence")
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for prefix, last_value in NumberSequence.objects.values_list("prefix", "last_value"):
            name = connection.ops.quote_name(SEQUENCE_PREFIX + prefix.lower())
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(last_value) + 1}")


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    NumberSequence = apps.get_model("core", "NumberSequence")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE sequencename LIKE %s",
            [SEQUENCE_PREFIX.replace("_", r"\_") + "%"],
        )
        for name, last_value in cursor.fetchall():
            prefix = name.removeprefix(SEQUENCE_PREFIX).upper()
            if last_value is not None:
                NumberSequence.objects.update_or_create(
                    prefix=prefix, defaults={"last_value": last_value}
                )
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')
        cursor.execute("DROP FUNCTION IF EXISTS itsm_next_number(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_api_token"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
