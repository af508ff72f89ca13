"""``itsm search_index``: index the tickets changed since the last run, or (``--rebuild``)
re-index every article and ticket from scratch."""

from django.core.management.base import BaseCommand

from itsm.knowledge import services


class Command(BaseCommand):
    help = "Update the knowledge search index (tickets changed since the last run), or rebuild it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="re-index every article and ticket"
        )

    def handle(self, *args, rebuild: bool = False, **options):
        if rebuild:
            counts = services.rebuild_index()
            self.stdout.write("articles: {articles}, tickets: {tickets}".format(**counts))
        else:
            self.stdout.write(f"tickets: {services.index_changed_tickets()}")
