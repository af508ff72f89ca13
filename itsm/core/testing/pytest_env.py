"""Loaded with ``-p`` before pytest-django configures Django: test-only environment defaults."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")
os.environ.setdefault("ITSM_EMBEDDED_WORKER", "0")
os.environ.setdefault("ITSM_ENV_FILE", os.devnull)
