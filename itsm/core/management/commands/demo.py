"""``itsm demo``: load the demo data set (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from itsm.core.demo import DEMO_LOGINS, load_demo


class Command(BaseCommand):
    help = "Load demo organisations, people, teams and calendars (safe to run again)."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            self.style.SUCCESS(f"demo data ready ({created} new records)")
            if created
            else "demo data already present"
        )
        self.stdout.write("demo logins (username / password / role):")
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {password:<18} {role}")
