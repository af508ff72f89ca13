"""The impact walk reads its CIs' details from an index alone (issue 10 item 4), and the CI number's
``LIKE`` index goes in exchange. PostgreSQL only; SQLite: nothing (its rows live in the table's
own id b-tree, so a lookup by id already reads the row there).

* ``cmdb_ci_impact_details``: ``(id) INCLUDE (class, customer, supplier, number, name, status,
  criticality)``, the columns ``cmdb.impact`` reads for every CI it finds. Its lookup by id
  becomes an index-only scan: three index pages a CI instead of three plus a random heap page
  (the heap rows are wide: 64 a page). At 1 000 000 CIs it is 91 MB; provider staff's p95 at
  depth 6 went from 14.5 / 26 ms to 12.3 / 21 ms (dependents / dependencies, see
  ``bench/README.md``). Index-only needs the visibility map: a CI written since the table's last
  vacuum is read from the heap too, as before this index (never slower than without it).
* ``cmdb_configurationitem_number_ade95b27_like``: Django's ``varchar_pattern_ops`` index on the
  unique ``number``, for ``number LIKE 'x%'``. Nothing filters a CI's number that way: ``?q=``
  matches the number exactly (the unique index serves it; the planner chose the ``LIKE`` index
  for that equality, an identical one) and the picker's ``icontains`` compares
  ``UPPER(number)``, which this index cannot serve. So the CI table keeps 23 indexes: one more
  would be one more write on every create and one more lock per query planned on the table.
  Django drops it with ``IF EXISTS`` and creates it again if ``number`` is ever altered.
"""

from django.db import migrations

TABLE = "cmdb_configurationitem"
DETAILS = "cmdb_ci_impact_details"
DETAIL_COLUMNS = "ci_class_id, customer_id, supplier_id, number, name, status, criticality"
NUMBER_LIKE = "cmdb_configurationitem_number_ade95b27_like"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {DETAILS} ON {TABLE} (id) INCLUDE ({DETAIL_COLUMNS})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {NUMBER_LIKE}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NUMBER_LIKE} ON {TABLE} (number varchar_pattern_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {DETAILS}")


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0008_drop_redundant_fk_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
