# The desk report's indexes (issue 11's monthly report benchmark, docs/desk-reports.md "Cost").
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("desk", "0005_queue_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["ticket", "at", "id"], name="desk_assignment_ticket_at"),
        ),
    ]
