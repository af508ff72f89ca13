from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskMailConfig(AppConfig):
    """E-mail in and out of the service desk: mailboxes polled over IMAP, threading, RFC 3834
    handling (the layer above ``desk``: it creates and threads tickets through desk.services)."""

    name = "itsm.desk.mail"
    label = "deskmail"
    verbose_name = _("Service desk e-mail")

    def ready(self):
        from itsm.core.api.schema import name_choice_sets
        from itsm.core.demo import register_demo_step
        from itsm.desk.mail import demo

        name_choice_sets("itsm.desk.mail.choices", "Security", "MailKind", "Outcome")
        register_demo_step(demo.load_deskmail)

        from itsm.desk.mail import tasks  # noqa: F401  (registers the deskmail.poll job)
