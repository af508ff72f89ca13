"""Rows for the desk report tests, created directly with the models (the reports only read
them; tests are exempt from the only-services-write rule): the figures must be exact and must
not depend on the desk's services.

:func:`random_dataset` builds a seeded random set of tickets, dispatches, clocks, surveys and
calls over three months for two customers and keeps the rows' plain values, from which the
tests compute every figure again in Python (``expected_*``).
"""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from itsm.cmdb.tests.factories import CIFactory
from itsm.core import services as core_services
from itsm.desk.models import Assignment, Call, Category, Survey, Ticket
from itsm.slm.tests.factories_reports import make_clock

_seq = itertools.count(1)


def local(year, month, day, hour=0, minute=0, second=0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime(year, month, day, hour, minute, second), timezone.get_current_timezone()
    )


def make_category(**fields) -> Category:
    n = next(_seq)
    fields.setdefault("code", f"rep.cat{n}")
    fields.setdefault("name", f"Category {n}")
    return Category.objects.create(**fields)


def make_team(organisation, **fields):
    n = next(_seq)
    return core_services.create_team(
        code=fields.pop("code", f"rep-team-{n}"),
        name=fields.pop("name", f"Team {n}"),
        organisation=organisation,
        **fields,
    )


def make_ticket(*, customer, kind="incident", opened_at, **fields) -> Ticket:
    n = next(_seq)
    prefix = {"incident": "INC", "request": "REQ", "consultation": "CON"}[kind]
    fields.setdefault("number", f"{prefix}-{900000 + n}")
    fields.setdefault("title", f"Ticket {n}")
    fields.setdefault("channel", "phone")
    cis = fields.pop("cis", ())
    ticket = Ticket.objects.create(customer=customer, kind=kind, opened_at=opened_at, **fields)
    if cis:
        ticket.cis.set(cis)
    return ticket


def make_assignment(ticket, *, team, at, **fields) -> Assignment:
    return Assignment.objects.create(ticket=ticket, team=team, at=at, **fields)


def make_survey(ticket, *, score, answered_at, **fields) -> Survey:
    n = next(_seq)
    return Survey.objects.create(
        ticket=ticket,
        nonce=f"nonce-{n}",
        sent_at=answered_at - datetime.timedelta(hours=1),
        score=score,
        answered_at=answered_at,
        **fields,
    )


def make_call(*, started_at, **fields) -> Call:
    fields.setdefault("outcome", "ticket" if fields.get("answered", True) else "missed")
    return Call.objects.create(started_at=started_at, **fields)


def ticket_clock(ticket, *, metric, state="stopped", breached=False, **fields):
    """An SLA clock of *ticket* (generic relation to the ticket)."""
    return make_clock(
        content_type=ContentType.objects.get_for_model(Ticket),
        object_id=ticket.pk,
        record_label=ticket.number,
        customer=ticket.customer,
        metric=metric,
        state=state,
        breached=breached,
        **fields,
    )


@dataclass
class Dataset:
    """The rows created, as plain values the tests recompute the figures from."""

    customers: list = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    clocks: list[dict] = field(default_factory=list)
    surveys: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    categories: dict = field(default_factory=dict)
    cis: dict = field(default_factory=dict)


def _moment(rng: random.Random, months: list[tuple[int, int]]) -> datetime.datetime:
    year, month = rng.choice(months)
    return local(year, month, rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))


def random_dataset(customer_a, customer_b, provider, *, seed: int = 11, tickets: int = 90):
    """Tickets of both customers opened from January to April 2026 (local time), resolved,
    closed, cancelled or open; dispatches (some returned, some reassigned); response and
    resolution clocks (some breached, some running); surveys; calls. Edge rows sit on the
    boundaries of March (00:00 on the 1st is in, 00:00 on 1 April is out)."""
    rng = random.Random(seed)
    d = Dataset(customers=[customer_a, customer_b])
    team = make_team(provider)
    categories = [make_category(name=f"Cat {i}") for i in range(12)]
    d.categories = {c.pk: c.name for c in categories}
    ci_rows = [CIFactory(customer=customer_a) for _ in range(5)]
    ci_rows += [CIFactory(customer=customer_b) for _ in range(3)]
    ci_rows.append(CIFactory(customer=None))  # shared infrastructure
    d.cis = {
        ci.pk: {"label": f"{ci.number} {ci.name}", "customer": ci.customer_id} for ci in ci_rows
    }
    months = [(2026, 1), (2026, 2), (2026, 3), (2026, 3), (2026, 4)]
    kinds = ["incident", "incident", "incident", "request", "request", "consultation"]
    edges = [local(2026, 3, 1), local(2026, 4, 1), local(2026, 3, 31, 23, 59, 59)]
    for index in range(tickets):
        customer = customer_a if rng.random() < 0.6 else customer_b
        kind = rng.choice(kinds)
        opened = edges[index] if index < len(edges) else _moment(rng, months)
        outcome = rng.choice(["open", "resolved", "closed", "closed_only", "cancelled"])
        resolved_at = closed_at = None
        status = "in_progress"
        if outcome in ("resolved", "closed"):
            resolved_at = opened + datetime.timedelta(hours=rng.randint(1, 24 * 40))
            status = "resolved"
            if outcome == "closed":
                closed_at = resolved_at + datetime.timedelta(hours=rng.randint(1, 24 * 5))
                status = "closed"
        elif outcome == "closed_only":
            closed_at = opened + datetime.timedelta(hours=rng.randint(1, 24 * 30))
            status = "closed"
        elif outcome == "cancelled":
            status = "cancelled"
            if rng.random() < 0.5:
                closed_at = opened + datetime.timedelta(hours=rng.randint(1, 24 * 30))
        category = rng.choice([*categories, None])
        cis = rng.sample(
            [c for c in ci_rows if c.customer_id in (customer.pk, None)], rng.randint(0, 2)
        )
        ticket = make_ticket(
            customer=customer,
            kind=kind,
            opened_at=opened,
            status=status,
            resolved_at=resolved_at,
            closed_at=closed_at,
            category=category,
            is_complete=rng.random() < 0.7,
            missing_fields=[] if rng.random() < 0.5 else ["service"],
            reassignment_count=rng.choice([0, 0, 0, 1]),
            reopen_count=1 if index % 7 == 3 else 0,  # no draw: the other values stay as they were
            cis=cis,
        )
        d.tickets.append(
            {
                "id": ticket.pk,
                "number": ticket.number,
                "customer": customer.pk,
                "kind": kind,
                "status": status,
                "opened_at": opened,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "updated_at": ticket.updated_at,
                "category": category.pk if category else None,
                "category_code": category.code if category else None,
                "is_complete": ticket.is_complete,
                "reassignment_count": ticket.reassignment_count,
                "reopen_count": ticket.reopen_count,
                "cis": [c.pk for c in cis],
            }
        )
        # dispatches: 0–3, the first one maybe returned
        at = opened + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 3))
        for _n in range(rng.choice([0, 1, 1, 2, 3])):
            returned = at + datetime.timedelta(hours=2) if rng.random() < 0.3 else None
            row = make_assignment(ticket, team=team, at=at, returned_at=returned)
            d.assignments.append(
                {"id": row.pk, "ticket": ticket.pk, "at": at, "returned_at": returned}
            )
            at = at + datetime.timedelta(minutes=rng.choice([0, 30, 600]))  # ties included
        # clocks
        for metric in ("response", "resolution"):
            if rng.random() < 0.2:
                continue
            state = rng.choice(["stopped", "stopped", "running", "cancelled"])
            breached = rng.random() < 0.3
            stopped_at = _moment(rng, months) if state == "stopped" else None
            breached_at = _moment(rng, months) if breached else None
            goal = 3600
            elapsed = rng.choice([600, 3600, 7200])
            clock = ticket_clock(
                ticket,
                metric=metric,
                state=state,
                breached=breached,
                breached_at=breached_at,
                stopped_at=stopped_at,
                goal_seconds=goal,
                elapsed_seconds=elapsed,
            )
            d.clocks.append(
                {
                    "id": clock.pk,
                    "ticket": ticket.pk,
                    "customer": customer.pk,
                    "metric": metric,
                    "state": state,
                    "breached": breached,
                    "breached_at": breached_at,
                    "stopped_at": stopped_at,
                    "goal": goal,
                    "elapsed": elapsed,
                }
            )
        if rng.random() < 0.5:
            answered_at = _moment(rng, months)
            score = rng.randint(1, 5)
            make_survey(ticket, score=score, answered_at=answered_at)
            d.surveys.append({"customer": customer.pk, "score": score, "answered_at": answered_at})
    for _ in range(40):
        started = _moment(rng, months)
        answered = rng.random() < 0.8
        ended = (
            started + datetime.timedelta(seconds=rng.randint(20, 900))
            if rng.random() < 0.9
            else None
        )
        outcome = rng.choice(["ticket", "updated", "no_record"]) if answered else "missed"
        organisation = rng.choice([customer_a, customer_b, None])
        make_call(
            started_at=started,
            ended_at=ended,
            answered=answered,
            outcome=outcome,
            organisation=organisation,
        )
        d.calls.append(
            {
                "started_at": started,
                "ended_at": ended,
                "answered": answered,
                "outcome": outcome,
                "organisation": organisation.pk if organisation else None,
            }
        )
    return d
