"""Periodic jobs and the worker loop.

Apps declare periodic jobs in their ``tasks.py``::

    from itsm.core.outbox.jobs import periodic

    @periodic("slm.sweep", every=timedelta(minutes=1), label=_("SLA sweep"))
    def sweep(now) -> str:
        ...
        return stored(gettext_noop("{count} escalated"), count=3)   # the Job row's detail

The label names the job on the Jobs page and the dashboard; the detail is stored with
``core.stored_text.stored`` so that it is read in the reader's language (``Job.detail_text``).

The worker (``itsm worker``, or the thread ``itsm serve`` embeds) imports every installed
app's ``tasks`` module, then loops: deliver due outbox messages (every worker, concurrently
safe on PostgreSQL), and, only while holding the leader lock (a ``WorkerLease`` row
acquired and renewed with a conditional update, expiring so a dead leader is replaced), run
the periodic jobs that are due. Every job run, and every delivery pass that did something,
is recorded in a ``Job`` row; a failing job is recorded as failed and the loop goes on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from itsm.core.outbox.delivery import DeliveryResult
from django.utils.translation import gettext_lazy as _

from itsm.core.outbox.choices import JobStatus
from itsm.core.outbox.models import Job, WorkerLease

log = logging.getLogger(__name__)

LEADER_LOCK = "periodic-jobs"
DELIVERY_JOB = "outbox.deliver"
DETAIL_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    fn: Callable[[datetime], str | None]
    label: object = ""


#: name → job; filled by ``@periodic`` when the ``tasks`` modules are imported
registry: dict[str, PeriodicJob] = {}

#: labels of the worker's own runs that are not periodic jobs
JOB_LABELS: dict[str, object] = {DELIVERY_JOB: _("Outbox delivery")}


def periodic(name: str, *, every: timedelta, label=None):
    """Register ``fn(now) -> str`` to run every *every* on the leader worker; *label* (a
    translated text) names it to people."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")

    def register(fn):
        registry[name] = PeriodicJob(name=name, every=every, fn=fn, label=label or "")
        if label:
            JOB_LABELS[name] = label
        return fn

    return register


def job_label(name: str) -> str:
    """The translated label of job *name* (its name when none was declared)."""
    label = JOB_LABELS.get(name)
    return str(label) if label else name


def discover() -> dict[str, PeriodicJob]:
    """Import the ``tasks`` module of every installed app (registers their jobs)."""
    autodiscover_modules("tasks")
    return registry


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# --- leader lock ------------------------------------------------------------------------------


def acquire_lease(
    name: str, holder: str, *, ttl: timedelta | None = None, now: datetime | None = None
) -> bool:
    """Take or renew lock *name* for *holder*; True if *holder* holds it afterwards.

    A conditional update takes the lock only if *holder* already has it or it expired, so
    two workers never both hold it; a leader that stops renewing loses it after *ttl*.
    """
    now = now or timezone.now()
    ttl = ttl or timedelta(seconds=settings.ITSM_WORKER_LEADER_SECONDS)
    with transaction.atomic():
        taken = WorkerLease.objects.filter(
            Q(holder=holder) | Q(expires_at__lt=now), name=name
        ).update(holder=holder, expires_at=now + ttl)
        if taken:
            return True
        if WorkerLease.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                WorkerLease.objects.create(name=name, holder=holder, expires_at=now + ttl)
        except IntegrityError:  # another worker created it first
            return False
    return True


def release_lease(name: str, holder: str) -> None:
    """Give lock *name* up now (on a clean stop) so another worker takes over at once."""
    with transaction.atomic():
        WorkerLease.objects.filter(name=name, holder=holder).delete()


# --- job runs ---------------------------------------------------------------------------------


def is_due(job: PeriodicJob, now: datetime) -> bool:
    last = (
        Job.objects.filter(name=job.name)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last is None or last + job.every <= now


def run_job(
    name: str, fn: Callable[[datetime], str | None], *, worker_id: str, now: datetime | None = None
) -> Job:
    """Run *fn(now)* and record it in a ``Job`` row; an exception marks the row failed."""
    now = now or timezone.now()
    with transaction.atomic():
        job = Job.objects.create(name=name, started_at=now, worker=worker_id)
    try:
        detail = fn(now)
        status = JobStatus.OK
    except Exception:
        log.exception("job %s failed", name)
        detail = traceback.format_exc()
        status = JobStatus.FAILED
    job.status = status
    job.detail = str(detail or "")[:DETAIL_MAX_LENGTH]
    job.finished_at = timezone.now()
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=job.status, detail=job.detail, finished_at=job.finished_at
        )
    return job


def run_due_jobs(worker_id: str, *, now: datetime | None = None) -> list[Job]:
    """Run every registered periodic job that is due (the caller holds the leader lock)."""
    now = now or timezone.now()
    runs = []
    for job in list(registry.values()):
        if is_due(job, now):
            runs.append(run_job(job.name, job.fn, worker_id=worker_id, now=now))
    return runs


def record_delivery(worker_id: str, started_at: datetime, result) -> Job:
    status = JobStatus.FAILED if (result.failed or result.dead) else JobStatus.OK
    detail = result.summary()
    with transaction.atomic():
        return Job.objects.create(
            name=DELIVERY_JOB,
            started_at=started_at,
            finished_at=timezone.now(),
            status=status,
            detail=detail[:DETAIL_MAX_LENGTH],
            worker=worker_id,
        )


# --- the loop ---------------------------------------------------------------------------------


@dataclass
class PassResult:
    delivery: DeliveryResult
    leader: bool
    jobs: list


def run_once(worker_id: str, *, stop: threading.Event | None = None) -> PassResult:
    """One pass: deliver one batch of due messages, then, as leader, the due jobs."""
    from itsm.core.outbox.delivery import deliver_due

    started = timezone.now()
    result = deliver_due(worker_id, limit=settings.ITSM_OUTBOX_BATCH_SIZE, stop=stop)
    if result:
        record_delivery(worker_id, started, result)
    jobs: list = []
    leader = acquire_lease(LEADER_LOCK, worker_id)
    if leader and not (stop is not None and stop.is_set()):
        jobs = run_due_jobs(worker_id)
    return PassResult(delivery=result, leader=leader, jobs=jobs)


def run_forever(
    worker_id: str, stop: threading.Event, *, wakeup: threading.Event | None = None
) -> None:
    """Loop ``run_once`` until *stop* is set; sleep a tick when there was nothing to send.

    Errors of a pass (database locked, connection lost …) are logged and the loop goes on.
    """
    discover()
    log.info("worker %s started (jobs: %s)", worker_id, ", ".join(sorted(registry)) or "none")
    try:
        while not stop.is_set():
            close_old_connections()
            busy = False
            try:
                result = run_once(worker_id, stop=stop)
                busy = result.delivery.claimed >= settings.ITSM_OUTBOX_BATCH_SIZE
            except Exception:
                log.exception("worker pass failed")
            if busy:
                continue
            _sleep(settings.ITSM_WORKER_TICK_SECONDS, stop, wakeup)
    finally:
        try:
            release_lease(LEADER_LOCK, worker_id)
        except Exception:  # the database may be gone; the lease then simply expires
            log.warning("could not release the leader lock", exc_info=True)
        close_old_connections()
        log.info("worker %s stopped", worker_id)


def _sleep(seconds: float, stop: threading.Event, wakeup: threading.Event | None) -> None:
    if wakeup is None:
        stop.wait(seconds)
        return
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        if wakeup.wait(min(remaining, 0.5)):
            wakeup.clear()
            return


def start_thread(worker_id: str | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run the worker loop in a daemon thread of this process (embedded worker)."""
    from itsm.core.outbox.services import wakeup

    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(worker_id or new_worker_id(), stop),
        kwargs={"wakeup": wakeup},
        name="itsm-worker",
        daemon=True,
    )
    thread.start()
    return thread, stop
