"""Rows for the knowledge tests, made through the services."""

from __future__ import annotations

import itertools

from itsm.conftest import PASSWORD
from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.testing.factories import get_provider
from itsm.knowledge import services

_seq = itertools.count(1)


def person(organisation=None, *roles, username=None):
    n = next(_seq)
    name = username or f"kb-user{n}"
    return core_services.create_user(
        username=name,
        organisation=organisation or get_provider(),
        password=PASSWORD,
        roles=roles or (Role.SERVICE_DESK,),
        email=f"{name}@example.com",
    )


def writer():
    return person(None, Role.SERVICE_DESK)


def reviewer():
    return person(None, Role.GROUP_LEADER)


def category(name=None, *, parent=None):
    return services.create_category(name=name or f"Category {next(_seq)}", parent=parent, by=None)


def article(*, by=None, title="Printer jam", body="Open the tray and remove the paper.", **fields):
    return services.create_article(by=by, title=title, body=body, **fields)


def published(*, by=None, reviewer_user=None, **fields):
    """An article taken through submit and publish (by two people)."""
    author = by or writer()
    item = article(by=author, **fields)
    services.submit_article(item, by=author)
    return services.publish_article(item, by=reviewer_user or reviewer())
