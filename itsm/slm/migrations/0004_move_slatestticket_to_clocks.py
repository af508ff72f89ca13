"""SLA test tickets move to the clocks app (their only writer is ``clocks.testtickets``), so
that ``slm`` no longer owns a model written by ``slm.clocks`` (issue 9: no cycle between
apps). This side only forgets the models; ``clocks.0002`` takes them over with their tables
and rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("slm", "0003_target_units_to_choices")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalSlaTestTicket"),
                migrations.DeleteModel(name="SlaTestTicket"),
            ],
            database_operations=[],
        )
    ]
