"""``itsm import-tickets FILE --source NAME --customer CODE``: import another tool's incident
export (a one-row-per-incident list or an event log) as the pages do — guessed or given column
mapping, dry run listing every bad row, then the import (bad incidents skipped only with
``--skip-bad``), printing the progress and the rate."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from itsm.core.errors import DomainError
from itsm.core.models import Organisation
from itsm.desk.imports import services
from itsm.desk.imports.choices import ImportStatus


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, target = value.rpartition("=")
        if not sep:
            raise CommandError(f"--{what} takes VALUE=TARGET, not {value!r}.")
        pairs[key] = target
    return pairs


class Command(BaseCommand):
    help = "Import historic incidents from a CSV or Excel export (dry run first)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx export")
        parser.add_argument("--source", required=True, help="the old tool, e.g. ServiceNow")
        parser.add_argument("--customer", required=True, help="the customer's organisation code")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column to a field (repeatable; others are guessed from the headers)",
        )
        parser.add_argument(
            "--state",
            action="append",
            default=[],
            metavar="STATE=STATUS",
            help="map a source state to a ticket status, or to 'bad' (repeatable)",
        )
        parser.add_argument(
            "--month-first", action="store_true", help="dates are m/d/yyyy (default d/m/yyyy)"
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--skip-bad", action="store_true", help="import the others when some rows are bad"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        customer = Organisation.objects.filter(code=options["customer"]).first()
        if customer is None:
            raise CommandError(f"No organisation with the code {options['customer']!r}.")
        try:
            self._run(path, customer, options)
        except DomainError as exc:
            raise CommandError(self._describe(exc)) from exc

    @staticmethod
    def _describe(exc: DomainError) -> str:
        fields = getattr(exc, "fields", None) or {}
        details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in fields.items())
        return f"{exc}" + (f" ({details})" if details else "")

    def _run(self, path: Path, customer, options) -> None:
        started = time.monotonic()
        with path.open("rb") as upload:
            ticket_import = services.create_import(
                by=None,
                upload=upload,
                file_name=path.name,
                source=options["source"],
                customer=customer,
            )
        column_map = dict(ticket_import.mapping)
        column_map.update(_pairs(options["map"], "map"))
        ticket_import = services.set_mapping(
            ticket_import,
            by=None,
            column_map=column_map,
            state_map={**ticket_import.state_map, **_pairs(options["state"], "state")},
            day_first=not options["month_first"],
        )
        ticket_import = services.dry_run(ticket_import, by=None)
        self.stdout.write(
            f"{ticket_import.reference}: {ticket_import.total_rows} rows, "
            f"{ticket_import.incident_count} incidents ({ticket_import.shape}), "
            f"{ticket_import.unchanged_count} already imported, "
            f"{len(ticket_import.problems)} bad rows"
        )
        for problem in ticket_import.problems:
            self.stdout.write(f"  line {problem['line']} {problem['number']}: {problem['reason']}")
        if options["dry_run"]:
            return
        if ticket_import.problems and not options["skip_bad"]:
            raise CommandError("Bad rows: nothing written (use --skip-bad to skip them).")
        ticket_import = services.queue_import(ticket_import, by=None, skip_bad=options["skip_bad"])
        write_started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} rows")

        ticket_import = services.run_import(ticket_import, progress=progress)
        if ticket_import.status != ImportStatus.DONE:
            raise CommandError(f"The import failed: {ticket_import.log_text}")
        elapsed = time.monotonic() - started
        self.stdout.write(ticket_import.log_text)
        self.stdout.write(
            f"{ticket_import.total_rows} rows in {elapsed:.1f} s "
            f"({ticket_import.total_rows / max(elapsed, 1e-9):.0f} rows/s; "
            f"writing {time.monotonic() - write_started:.1f} s)"
        )
