"""Fixtures of the desk e-mail tests: the real dovecot + SMTP servers (session-wide)."""

from itsm.core.testing.mailservers import mail_servers  # noqa: F401  (a fixture)
