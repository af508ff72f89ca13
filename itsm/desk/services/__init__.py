"""Services of the service desk, by responsibility — the only writers of desk records:

- ``tickets``: create, edit, and the lifecycle with its clock effects;
- ``dispatch``: dispatch rules, automatic and manual assignment, returns (退回);
- ``entries``: replies, comments, work notes, e-mails, attachments, canned responses, the
  soft edit lock;
- ``escalation``: functional and hierarchical escalation, major incidents;
- ``relations``: merge, split, parent/child, fulfilment tasks;
- ``contact``: phone calls, callbacks (回访), satisfaction surveys;
- ``config``: categories, the priority matrix, rules, presence, group settings, pause rules;
- ``notifications``: who is told, in their language, through the outbox.

What other apps call (mail intake, reports, later modules) is named here.
"""

from itsm.desk.services import (
    dispatch,  # noqa: F401
    imported,  # noqa: F401  (historic import, desk.imports)
    notifications,  # noqa: F401  (imported first: the others use it)
)
from itsm.desk.services.entries import add_attachment, add_entry, record_message_id
from itsm.desk.services.escalation import mark_flapping
from itsm.desk.services.relations import final_target
from itsm.desk.services.tickets import create_ticket, move, update_ticket

__all__ = [
    "add_attachment",
    "add_entry",
    "create_ticket",
    "final_target",
    "mark_flapping",
    "move",
    "record_message_id",
    "update_ticket",
]
