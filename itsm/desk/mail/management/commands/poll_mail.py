"""``itsm poll_mail [--mailbox NAME]``: read the desk mailboxes once (what the worker's
``deskmail.poll`` job does every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from itsm.core.stored_text import shown
from itsm.desk.mail.models import Mailbox
from itsm.desk.mail.services import polling


class Command(BaseCommand):
    help = "Read the new mail of the desk mailboxes once (all active ones, or one by name)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="the name of one mailbox (active or not)")

    def handle(self, *args, mailbox=None, **options):
        if mailbox:
            found = Mailbox.objects.filter(name=mailbox).first()
            if found is None:
                raise CommandError(f"No mailbox named {mailbox!r}.")
            try:
                results = [polling.poll(found)]
            except polling.PollError as exc:
                raise CommandError(f"{found.name}: {exc}") from exc
        else:
            results = polling.poll_active()
        for result in results:
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items()))
            line = f"{result.mailbox}: read {result.read}" + (f" ({outcomes})" if outcomes else "")
            self.stdout.write(line + (f" — {result.error}" if result.error else ""))
        self.stdout.write(shown(polling.summary(results)))
        if any(r.error for r in results):
            raise CommandError("Some mailboxes could not be read.")
