"""Loaded with ``-p`` before pytest-django configures Django: test-only environment defaults."""

import os
import tempfile

import pytest

os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")
os.environ.setdefault("ITSM_EMBEDDED_WORKER", "0")
os.environ.setdefault("ITSM_ENV_FILE", os.devnull)
# The sample app (a numbered, tenant-owned record with a state machine) proves the core
# mechanisms; it is installed only here (settings.py appends ITSM_TEST_APPS).
os.environ.setdefault("ITSM_TEST_APPS", "itsm.core.testing.sample")
# the demo's year of service desk tickets (2 000 for `make run`): a handful is enough for the
# page walks and crawls that load the demo, which do it once per test
os.environ.setdefault("ITSM_DEMO_TICKETS", "30")
# configuration memos (core.stamps) check their stamps at every use: a test sees its own and
# the live server's configuration changes at once
os.environ.setdefault("ITSM_STAMP_TTL_MS", "0")
# A file SQLite test database, unique to this test process, shared by every connection the
# tests open (threads in the numbering test, subprocesses); pytest-django removes it at the end.
os.environ.setdefault(
    "ITSM_TEST_SQLITE_NAME",
    os.path.join(tempfile.gettempdir(), f"itsm-test-{os.getpid()}.sqlite3"),
)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing(django_test_environment):
    """Tests create many users with passwords; the production hasher costs ~0.25 s each."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _number_sequences_follow_flushes(request, django_db_blocker):
    """On PostgreSQL numbers come from sequences (``core.numbering``), which a transactional
    test's flush of the tables does not reset: drop them after such a test, so numbering
    starts again from 1 as it does on SQLite (whose counter rows the flush empties). A test in
    a rolled-back transaction needs nothing: the sequences it created roll back with it."""
    yield
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    from itsm.core.numbering import SEQUENCE_PREFIX

    # a connection the test's teardown had closed is closed again afterwards: one left open
    # at the end of the session keeps PostgreSQL from dropping the test database
    was_closed = connection.connection is None
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                # only safe after a flush: the counter rows are empty too, so no number comes
                # twice
                cursor.execute(
                    "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
                    [SEQUENCE_PREFIX.replace("_", r"\_") + "%"],
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')
        finally:
            if was_closed:
                connection.close()
