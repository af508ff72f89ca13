"""Rows for the desk tests, made through the services."""

from __future__ import annotations

import itertools

from itsm.conftest import PASSWORD  # the login fixture signs in with it
from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.testing.factories import get_provider
from itsm.desk.services import config, tickets

_seq = itertools.count(1)


def person(organisation=None, *roles, username=None, **extra):
    n = next(_seq)
    return core_services.create_user(
        username=username or f"desk-user{n}",
        organisation=organisation or get_provider(),
        password=PASSWORD,
        roles=roles or (Role.SERVICE_DESK,),
        email=f"{username or f'desk-user{n}'}@example.com",
        **extra,
    )


def team(*members, leader=None, code=None):
    n = next(_seq)
    return core_services.create_team(
        code=code or f"grp-{n}",
        name=f"Group {n}",
        organisation=get_provider(),
        leader=leader,
        members=list(members),
        by=None,
    )


def category(code=None, *, parent=None, kind=""):
    n = next(_seq)
    return config.create_category(
        by=None, code=code or f"cat.{n}", name=f"Category {n}", parent=parent, kind=kind
    )


def ticket(customer, *, by=None, kind="incident", title="Mail is down", **fields):
    fields.setdefault("channel", "phone")
    return tickets.create_ticket(by=by, kind=kind, title=title, customer=customer, **fields)
