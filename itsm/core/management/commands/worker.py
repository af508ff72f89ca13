"""``itsm worker``: deliver outbox messages and run periodic jobs until stopped."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from itsm.core.outbox import jobs
from itsm.core.stored_text import shown


class Command(BaseCommand):
    help = (
        "Run the background worker: deliver outbox messages and, while holding the leader "
        "lock, the periodic jobs. SIGTERM or SIGINT stops it after the message in flight."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do one pass (one delivery batch and the due jobs) and exit.",
        )
        parser.add_argument(
            "--id",
            dest="worker_id",
            default="",
            help="Worker id recorded in leases and job rows (default: host:pid:random).",
        )

    def handle(self, *args, once: bool, worker_id: str, **options):
        worker_id = worker_id or jobs.new_worker_id()
        if once:
            jobs.discover()
            result = jobs.run_once(worker_id)
            self.stdout.write(
                f"{shown(result.delivery.summary())}; leader={result.leader}; "
                f"jobs={', '.join(f'{j.name}:{j.status}' for j in result.jobs) or 'none'}"
            )
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"itsm worker {worker_id} running; stop with Ctrl-C or SIGTERM")
        self.stdout.flush()
        jobs.run_forever(worker_id, stop)
        self.stdout.write("itsm worker stopped")
