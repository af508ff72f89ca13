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
