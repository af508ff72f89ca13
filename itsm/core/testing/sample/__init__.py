"""A test-only app (label ``sample``) that exercises the core mechanisms.

``SampleTicket`` has everything a real record kind has — a number from ``next_number``, a
customer (tenant) field, a status driven by a declared ``StateMachine``, a versioned save, a
service layer and an API with a ``transition`` action — so the mechanisms are proven without
waiting for a domain module. Installed only when ``ITSM_TEST_APPS`` names it (the pytest
environment does, see ``itsm/core/testing/pytest_env.py``).
"""
