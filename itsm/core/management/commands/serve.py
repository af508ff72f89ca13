"""``itsm serve``: the production web server (gunicorn) with an optional embedded worker.

The gunicorn master does not load the application: once the command has read the settings,
it replaces itself (``exec``, same process id, same environment) with a lean interpreter that
runs only gunicorn (:func:`run_master`), and each worker imports Django after its fork. The
master then stays at ~28 MB instead of the ~85 MB of a process with Django and every app
loaded, which workers forked from it would only have counted again (issue 10 item 6; the
figures are in docs/deploy.md).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

log = logging.getLogger(__name__)


def _post_worker_init(worker) -> None:
    """gunicorn hook: start the embedded background worker in this serving process."""
    from itsm.core.outbox import jobs

    thread, stop = jobs.start_thread()
    worker._itsm_worker_stop = stop
    log.info("embedded worker started in process %s", os.getpid())


def _worker_exit(server, worker) -> None:
    stop = getattr(worker, "_itsm_worker_stop", None)
    if stop is not None:
        stop.set()


#: optional packages that ``rest_framework.compat`` imports at start-up whenever they are
#: installed (apprise, drf-spectacular and pytest bring them in), though serving never needs
#: them there: markdown and pygments only dress view docstrings in the browsable API (shown
#: as plain text without them) and requests backs DRF's test-only ``RequestsClient``. Kept
#: out of that import they leave 7 MB of each worker unused (105.4 → 98.4 MB after start-up).
DRF_OPTIONAL_EXTRAS = ("markdown", "pygments", "requests")


def import_drf_without_extras() -> None:
    """Import ``rest_framework.compat`` as if :data:`DRF_OPTIONAL_EXTRAS` were not installed.

    The packages are hidden only during that import (a ``None`` entry in ``sys.modules`` makes
    ``import`` raise ``ImportError``); afterwards any code may import them as usual (apprise,
    in an embedded worker, imports markdown and requests when it first sends)."""
    hidden = [name for name in DRF_OPTIONAL_EXTRAS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


#: what the lean master runs: gunicorn only, with the options as JSON in ``argv[1]``
MASTER = (
    "import json, sys; from itsm.core.management.commands.serve import run_master; "
    "run_master(json.loads(sys.argv[1]))"
)


#: allocations (net of those freed) between two collections of the youngest generation;
#: CPython's 700 collected it every 3 or 4 creates of a ticket, and its survivors into the
#: older generations: 1.2 % of a create's instructions (bench/README.md, issue 11)
YOUNG_COLLECTION_THRESHOLD = 10_000


def settle_heap() -> None:
    """A worker's heap made ready to serve (and ``bench/create_instructions.py``'s): what
    start-up allocated (modules, settings, URL patterns, translations) lives as long as the
    worker, so it is moved out of the collector's generations — a full collection does not
    walk it again (with the URL patterns left to the first requests, 57 000 objects stayed in
    the oldest generation: 0.1 ms per create) — and the youngest generation is collected
    less often (:data:`YOUNG_COLLECTION_THRESHOLD`; a request's garbage in cycles, 250
    objects a create, waits at most that many allocations)."""
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


def build_application(options: dict):
    """A gunicorn application serving the Django WSGI app with *options*. The app is
    imported by :meth:`load`, which gunicorn calls in each worker (``preload_app`` off)."""
    from gunicorn.app.base import BaseApplication

    class ItsmApplication(BaseApplication):
        def __init__(self, opts):
            self.options = opts
            super().__init__()

        def load_config(self):
            for key, value in self.options.items():
                if key in self.cfg.settings and value is not None:
                    self.cfg.set(key.lower(), value)

        def load(self):
            import_drf_without_extras()

            from django.urls import get_resolver

            from itsm.config.wsgi import application

            # the URL patterns (and with them every view, serializer, form and filter module)
            # and the names reverse() looks up are otherwise loaded by the first requests:
            # loaded here, before the freeze
            get_resolver()._populate()
            settle_heap()
            return application

    return ItsmApplication(options)


def run_master(options: dict) -> None:
    """The gunicorn master in the lean interpreter ``itsm serve`` replaces itself with."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
    options = dict(options)
    if options.pop("embedded", False):
        options["post_worker_init"] = _post_worker_init
        options["worker_exit"] = _worker_exit
    build_application(options).run()


def exec_master(options: dict) -> None:
    """Replace this process (Django loaded) with the lean gunicorn master (same pid)."""
    import itsm

    env = dict(os.environ)
    package_root = str(Path(itsm.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-c", MASTER, json.dumps(options)], env)


class Command(BaseCommand):
    help = (
        "Serve the application with gunicorn. With ITSM_EMBEDDED_WORKER (default on SQLite) "
        "the background worker runs as a thread inside the serving process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Web worker processes (default: 2 × CPUs + 1, at most 8; always 1 on SQLite).",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per web worker process."
        )

    def handle(self, *args, host: str, port: int, workers: int | None, threads: int, **options):
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1")
        if sqlite:
            if workers and workers > 1:
                self.stderr.write(
                    f"SQLite: serving with 1 process and threads (--workers {workers} ignored)."
                )
            workers = 1
        elif workers is None:
            workers = min(2 * (os.cpu_count() or 1) + 1, 8)
        embedded = settings.ITSM_EMBEDDED_WORKER
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        config = {
            "bind": bind,
            "workers": workers,
            "threads": max(threads, 1),
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            "proc_name": "itsm",
            # gunicorn ≥ 25.1's control socket is one path per user ($XDG_RUNTIME_DIR or
            # ~/.gunicorn/gunicorn.ctl): several instances on one host would take it over from
            # each other, and nothing here uses gunicornc. (Older gunicorn: key ignored.)
            "control_socket_disable": True,
        }
        url_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"itsm serving on http://{url_host}:{port}/ ({workers} process(es) × "
            f"{config['threads']} thread(s); embedded worker {'on' if embedded else 'off'})"
        )
        self.stdout.flush()
        exec_master({**config, "embedded": embedded})
