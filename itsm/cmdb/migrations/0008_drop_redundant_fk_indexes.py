"""The CI table's own indexes on ``ci_class`` and ``customer`` go (issue 10): the composite list
indexes lead with the same column and serve every lookup by the key (the filters, ``PROTECT``'s
check before a class or an organisation is deleted). Each index more is one more written on
every create and one more lock taken by every query planned on the table (PostgreSQL's 16
fast-path locks per backend are already exceeded by the CI table's indexes).

The indexes are dropped by name, not by Django's ``AlterField`` in the database: on SQLite that
would copy the whole table into a new one, which drops the search triggers of migration 0003.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "cmdb_configurationitem"
#: Django's names of the indexes a ForeignKey creates (the same on both engines)
INDEXES = {
    "cmdb_configurationitem_ci_class_id_bfc9ae5b": "ci_class_id",
    "cmdb_configurationitem_customer_id_ecc91f76": "customer_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0007_list_status_criticality_indexes"),
        ("core", "0004_number_sequences"),
    ]

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
                    model_name="configurationitem",
                    name="ci_class",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="cmdb.ciclass",
                        verbose_name="class",
                    ),
                ),
                migrations.AlterField(
                    model_name="configurationitem",
                    name="customer",
                    field=models.ForeignKey(
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
            ],
        ),
    ]
