"""The relation table's own indexes on ``source`` and ``target`` go: the unique
``(source, target, type)`` and the ``(target, source, type)`` indexes lead with the same
columns and serve every lookup by either end (the impact walk, a CI's relations, the cascade
when a CI is deleted). Two indexes fewer to write per relation: inserting relations into a
table of 3 000 000 cost 26.0–28.0 → 14.0–16.0 ms of database CPU per 1 000 rows (bench/README.md).

Dropped by name, as migration 0008 does, not by ``AlterField`` in the database (on SQLite
that copies the table).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "cmdb_relation"
#: Django's names of the indexes a ForeignKey creates (the same on both engines)
INDEXES = {
    "cmdb_relation_source_id_64685667": "source_id",
    "cmdb_relation_target_id_032b6dea": "target_id",
}


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0009_ci_impact_details_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="relation",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outgoing",
                        to="cmdb.configurationitem",
                        verbose_name="source",
                    ),
                ),
                migrations.AlterField(
                    model_name="relation",
                    name="target",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incoming",
                        to="cmdb.configurationitem",
                        verbose_name="target",
                    ),
                ),
            ],
        ),
    ]
