# The queue's indexes (issue 11's queue benchmark): the open tickets by due time, alone and
# per assignment group, customer and assignee, and the open major incidents (partial
# indexes: a tenth of the table or less); every ticket by due time (the "All tickets" view).
from django.db import migrations, models

OPEN = models.Q(
    status__in=[
        "new",
        "assigned",
        "in_progress",
        "pending_customer",
        "pending_supplier",
        "pending_change",
    ]
)


class Migration(migrations.Migration):
    dependencies = [("desk", "0004_edit_lock_of_its_own")]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["due_at", "id"], name="desk_ticket_open_due", condition=OPEN
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["due_at", "id"], name="desk_ticket_due"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["due_at", "id"],
                name="desk_ticket_open_major_due",
                condition=OPEN & models.Q(is_major=True),
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["assignment_group", "due_at", "id"],
                name="desk_ticket_open_group_due",
                condition=OPEN,
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["customer", "due_at", "id"],
                name="desk_ticket_open_customer_due",
                condition=OPEN,
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["assignee", "due_at", "id"],
                name="desk_ticket_open_assignee_due",
                condition=OPEN,
            ),
        ),
    ]
