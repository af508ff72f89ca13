"""Rows for the problem tests, made through the services (desk tickets through the desk's)."""

from __future__ import annotations

import itertools

from itsm.conftest import PASSWORD
from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.testing.factories import get_provider
from itsm.desk.services import config, tickets
from itsm.problems.services import detection, known_errors, problems

_seq = itertools.count(1)


def person(*roles, organisation=None, username=None, language="en"):
    n = next(_seq)
    name = username or f"prb-user{n}"
    return core_services.create_user(
        username=name,
        organisation=organisation or get_provider(),
        password=PASSWORD,
        roles=roles or (Role.PROBLEM_MANAGER,),
        email=f"{name}@example.com",
        language=language,
    )


def category(code=None):
    n = next(_seq)
    return config.create_category(by=None, code=code or f"prb.cat{n}", name=f"Category {n}")


def incident(customer, *, title="Mail is down", **fields):
    fields.setdefault("channel", "phone")
    return tickets.create_ticket(by=None, kind="incident", title=title, customer=customer, **fields)


def problem(*, by=None, title="Mail drops at peak", **fields):
    return problems.create_problem(by=by, title=title, **fields)


def known_error(*, by=None, title="VPN drops", **fields):
    fields.setdefault("symptoms", "The VPN drops every 10 minutes.")
    fields.setdefault("workaround", "Enable keep-alive.")
    return known_errors.create_known_error(by=by, title=title, **fields)


def rule(*, dimension="ci", threshold=3, window_days=7, name=None):
    n = next(_seq)
    return detection.create_rule(
        by=None,
        name=name or f"Rule {n}",
        dimension=dimension,
        threshold=threshold,
        window_days=window_days,
    )
