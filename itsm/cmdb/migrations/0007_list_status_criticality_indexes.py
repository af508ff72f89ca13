"""The CI list's (status, id) indexes of a class and of a customer take the criticality before
the id: (class, status, criticality, id) and (customer, status, criticality, id). A filter on
all three (class or a customer's tenancy, status, criticality) is then one index range in id
order, and its capped count is read from the index alone instead of one heap page per row
(bitmaps of two indexes and ~9 000 heap pages: 22-42 ms at 1 000 000 CIs, now 1.5-1.9 ms).
Class or customer with status alone uses the prefix (its rows sorted) or, when they are
common, the id walk. On PostgreSQL, building an index blocks the table's writes until the
migration commits (docs/deploy.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cmdb", "0006_ci_search_prefix_indexes"),
        ("core", "0004_number_sequences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="configurationitem",
            name="cmdb_ci_class_status",
        ),
        migrations.RemoveIndex(
            model_name="configurationitem",
            name="cmdb_ci_customer_status",
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(
                fields=["ci_class", "status", "criticality", "id"], name="cmdb_ci_class_status_crit"
            ),
        ),
        migrations.AddIndex(
            model_name="configurationitem",
            index=models.Index(
                fields=["customer", "status", "criticality", "id"],
                name="cmdb_ci_customer_status_crit",
            ),
        ),
    ]
