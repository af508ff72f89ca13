"""Services of desk e-mail — the only writers of mailboxes and received mail:

- ``mailboxes``: configure the mailboxes to poll;
- ``intake``: what one received mail becomes (ticket, entry, duplicate, rejection …);
- ``polling``: read new mail over IMAP and hand each to the intake.
"""

from itsm.desk.mail.services.intake import receive
from itsm.desk.mail.services.mailboxes import create_mailbox, delete_mailbox, update_mailbox
from itsm.desk.mail.services.polling import PollError, poll, poll_active

__all__ = [
    "PollError",
    "create_mailbox",
    "delete_mailbox",
    "poll",
    "poll_active",
    "receive",
    "update_mailbox",
]
