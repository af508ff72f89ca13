"""Constants of desk e-mail: mailbox connection security, what became of a received mail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours


class Security(ChoiceSet):
    """How the IMAP connection is protected."""

    SSL = "ssl", _("SSL/TLS (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (trusted networks only)")


class MailKind(ChoiceSet):
    """What a received mail is (``parsing.MailKind``)."""

    PERSON = "person", _("Written by a person")
    AUTOMATIC = "automatic", _("Automatic or bulk")
    BOUNCE = "bounce", _("Bounce")


class Outcome(ChoiceSet):
    """What the desk did with a received mail."""

    CREATED = "created", _("Ticket created")
    THREADED = "threaded", _("Added to a ticket")
    AUTO_STORED = "auto_stored", _("Automatic reply stored")
    AUTO_IGNORED = "auto_ignored", _("Automatic mail, no ticket")
    BOUNCE_ATTACHED = "bounce_attached", _("Bounce attached")
    BOUNCE_UNMATCHED = "bounce_unmatched", _("Bounce, no ticket")
    TOO_LARGE = "too_large", _("Rejected: too large")
    DUPLICATE = "duplicate", _("Duplicate")
    UNMATCHED = "unmatched", _("Unmatched sender")
    FAILED = "failed", _("Failed")


with_colours(
    Outcome,
    {
        "created": "green",
        "threaded": "blue",
        "auto_stored": "secondary",
        "auto_ignored": "secondary",
        "bounce_attached": "orange",
        "bounce_unmatched": "orange",
        "too_large": "red",
        "duplicate": "secondary",
        "unmatched": "yellow",
        "failed": "red",
    },
)

#: outcomes the desk should look at (the inbound mail page's default filter offers them)
NEEDS_ATTENTION = (Outcome.UNMATCHED, Outcome.FAILED, Outcome.BOUNCE_UNMATCHED, Outcome.TOO_LARGE)
