"""Read queries of the dashboard. Every count goes through ``.restrict(user)``.

The dashboard shows each user their work (:func:`work_cards`): a card is a count with a link to
the list filtered the same way, and appears only for users whose roles allow the work
(``policy.can``). Customers see their own services and SLA figures (:func:`customer_cards`),
never the provider's internal counts; administrators also see the platform's health
(organisations, users, outbox, job runs, calendar years to confirm).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, Team, User
from itsm.core.policy import ModelPolicy, can, is_administrator, is_provider_staff, restrict

#: how far ahead review meetings and agreement expiries count as work to do
REVIEW_HORIZON_DAYS = 30
EXPIRY_HORIZON_DAYS = 60


@dataclass(frozen=True)
class Card:
    """One dashboard figure: a count (or a text such as "98.5 %") linking to its list."""

    key: str  # stable id for tests and styling (data-card)
    label: str | Promise
    value: object
    url: str | None = None
    tone: str = ""  # "danger", "warning" or "" (shown in colour when the value is not zero)
    hint: str = ""


def _url(name: str, query: list[tuple[str, object]] | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def is_customer(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not user.is_superuser
        and user.organisation_kind == OrganisationKind.CUSTOMER
    )


def work_cards(user, *, today: datetime.date) -> list[Card]:
    """The provider staff's work: SLA clocks at risk and breached, review meetings due,
    agreements expiring or in negotiation, services awaiting review, open CMDB audits."""
    if not is_provider_staff(user):
        return []
    cards: list[Card] = []
    cards += _clock_cards(user)
    cards += _slm_cards(user, today=today)
    cards += _catalog_cards(user)
    cards += _cmdb_cards(user)
    return cards


def _clock_cards(user) -> list[Card]:
    from itsm.slm.clocks import selectors as clock_selectors
    from itsm.slm.clocks.choices import ClockLevel, ClockState

    if not can(user, clock_selectors.all_clocks().model, "view"):
        return []
    open_states = (ClockState.RUNNING, ClockState.PAUSED)
    counts = (
        clock_selectors.visible_clocks(user)
        .filter(state__in=open_states)
        .aggregate(
            n_breached=Count("pk", filter=Q(breached=True)),
            n_at_risk=Count("pk", filter=Q(breached=False, level=ClockLevel.WARNED)),
        )
    )
    states = [("state", s) for s in open_states]
    return [
        Card(
            "clocks-breached",
            _("SLA clocks breached (open)"),
            counts["n_breached"],
            _url("clocks:clock_list", [*states, ("breached", "true")]),
            "danger",
        ),
        Card(
            "clocks-at-risk",
            _("SLA clocks at risk (warned)"),
            counts["n_at_risk"],
            _url("clocks:clock_list", [*states, ("breached", "false"), ("level", 1)]),
            "warning",
        ),
    ]


def _slm_cards(user, *, today: datetime.date) -> list[Card]:
    from itsm.slm import selectors as slm_selectors
    from itsm.slm.choices import AgreementStatus, ReviewStatus

    if not can(user, slm_selectors.all_agreements().model, "change"):
        return []
    review_by = today + datetime.timedelta(days=REVIEW_HORIZON_DAYS)
    expiry_by = today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
    live = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
    agreements = slm_selectors.agreements_for(user).aggregate(
        expiring=Count("pk", filter=Q(status__in=live, valid_to__lte=expiry_by)),
        negotiating=Count("pk", filter=Q(status=AgreementStatus.NEGOTIATING)),
    )
    reviews = (
        slm_selectors.review_meetings_for(user)
        .filter(status=ReviewStatus.PLANNED, due_date__lte=review_by)
        .count()
    )
    return [
        Card(
            "reviews-due",
            _("Review meetings due within {days} days").format(days=REVIEW_HORIZON_DAYS),
            reviews,
            _url(
                "slm:review_list",
                [("status", ReviewStatus.PLANNED), ("due_before", review_by.isoformat())],
            ),
            "warning",
        ),
        Card(
            "agreements-expiring",
            _("Agreements expiring within {days} days").format(days=EXPIRY_HORIZON_DAYS),
            agreements["expiring"],
            _url(
                "slm:agreement_list",
                [*(("status", s) for s in live), ("valid_to_before", expiry_by.isoformat())],
            ),
            "warning",
        ),
        Card(
            "agreements-negotiating",
            _("Agreements to review and sign"),
            agreements["negotiating"],
            _url("slm:agreement_list", [("status", AgreementStatus.NEGOTIATING)]),
        ),
    ]


def _catalog_cards(user) -> list[Card]:
    from itsm.catalog.choices import ServiceStatus
    from itsm.catalog.selectors import visible_services

    services = visible_services(user)
    if not can(user, services.model, "change"):
        return []
    in_review = services.filter(status=ServiceStatus.IN_REVIEW)
    return [
        Card(
            "services-in-review",
            _("Services awaiting review"),
            in_review.count(),
            _url("catalog:service_list", [("status", ServiceStatus.IN_REVIEW)]),
        )
    ]


def _cmdb_cards(user) -> list[Card]:
    from itsm.cmdb.choices import AuditStatus
    from itsm.cmdb.selectors import audits_for

    audits = audits_for(user)
    if not can(user, audits.model, "change"):
        return []
    audits = audits.filter(status=AuditStatus.OPEN)
    return [
        Card(
            "cmdb-audits-open",
            _("CMDB audits open"),
            audits.count(),
            _url("cmdb:audit_list"),
            "warning",
        )
    ]


def customer_cards(user, *, today: datetime.date) -> list[Card]:
    """A customer's own figures: published services, active agreements and this month's SLA
    achievement (measured, met, breached clocks), all through ``restrict``."""
    if not is_customer(user):
        return []
    from itsm.catalog.selectors import visible_services
    from itsm.slm.choices import AgreementStatus
    from itsm.slm.reporting import selectors as reports
    from itsm.slm.selectors import agreements_for

    cards = [
        Card(
            "my-services",
            _("Our services"),
            visible_services(user).count(),
            _url("catalog:portal"),
        ),
        Card(
            "my-agreements",
            _("Active agreements"),
            agreements_for(user).filter(status=AgreementStatus.ACTIVE).count(),
            _url("slm:agreement_list", [("status", AgreementStatus.ACTIVE)]),
        ),
    ]
    month = today.replace(day=1)
    start, end = reports.month_period(month)
    totals = reports.overall(user=user, period_start=start, period_end=end)  # the KPI's figure
    measured, met, breached = totals.measured, totals.met, totals.breached
    achievement = totals.achievement
    report_url = _url(
        "slm:report",
        [("start", reports.month_label(month)), ("end", reports.month_label(month))],
    )
    cards += [
        Card(
            "my-sla-achievement",
            _("SLA achievement this month"),
            "—" if achievement is None else f"{achievement} %",
            report_url,
            hint=_("{met} of {measured} targets met").format(met=met, measured=measured),
        ),
        Card(
            "my-sla-breaches",
            _("SLA breaches this month"),
            breached,
            report_url,
            "danger",
        ),
    ]
    return cards


def admin_cards(user) -> list[Card]:
    """The platform at a glance, for administrators: organisations, users, teams, outbox."""
    if not is_administrator(user):
        return []
    counts = core_counts(user)
    cards = [
        Card(
            "organisations",
            _("Organisations"),
            counts["organisations_total"],
            _url("core:organisation_list"),
        ),
        Card("users", _("Users"), counts["users"], _url("core:user_list")),
        Card("teams", _("Teams"), counts["teams"], _url("core:team_list")),
    ]
    outbox = outbox_counts(user)
    if outbox is not None:
        cards += [
            Card(
                "outbox-pending",
                _("Outbox messages pending"),
                outbox["pending"],
                _url("outbox:message_list", [("status", "pending")]),
            ),
            Card(
                "outbox-dead",
                _("Outbox messages given up (dead)"),
                outbox["dead"],
                _url("outbox:message_list", [("status", "dead")]),
                "danger",
            ),
        ]
    return cards


def core_counts(user) -> dict:
    """Organisations by kind, users and teams that *user* may see."""
    by_kind = dict(
        Organisation.objects.restrict(user)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "organisations": [
            {"kind": kind, "label": label, "count": by_kind.get(kind, 0)}
            for kind, label in OrganisationKind.choices
        ],
        "organisations_total": sum(by_kind.values()),
        "users": User.objects.restrict(user).count(),
        "teams": Team.objects.restrict(user).count(),
    }


def users_per_organisation(user, *, limit: int = 15) -> dict:
    """Chart data: the organisations with the most users *user* may see (names, counts)."""
    rows = (
        User.objects.restrict(user)
        .filter(organisation__isnull=False)
        .values("organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation__name")[:limit]
    )
    return {
        "names": [row["organisation__name"] for row in rows],
        "counts": [row["n"] for row in rows],
    }


def outbox_counts(user) -> dict | None:
    """Pending and dead outbox messages and the latest job runs, for administrators.

    ``None`` while the outbox app has no models yet, or for users who may not see them.
    """
    if not is_administrator(user):
        return None
    try:
        from itsm.core.outbox import models as outbox_models
    except ImportError:
        return None
    message_model = getattr(outbox_models, "OutboxMessage", None)
    job_model = getattr(outbox_models, "JobRun", None) or getattr(outbox_models, "Job", None)
    if message_model is None:
        return None
    messages = _restricted(message_model, user)
    status = dict(messages.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    result = {
        "pending": status.get("pending", 0),
        "dead": status.get("dead", 0),
        "jobs": [],
    }
    if job_model is not None:
        order = "-started_at" if _has_field(job_model, "started_at") else "-pk"
        result["jobs"] = list(_restricted(job_model, user).order_by(order)[:5])
    return result


def unconfirmed_years(user, today: datetime.date) -> list | None:
    """Calendar years still running on weekly hours only, for those who may confirm them
    (or ``None``); each links to its calendar."""
    from itsm.core.calendars.models import BusinessCalendar

    if not can(user, BusinessCalendar, "change"):  # calendar editors are provider staff
        return None
    try:
        from itsm.core.calendars.selectors import unconfirmed_calendar_years
    except ImportError:
        return None
    return list(unconfirmed_calendar_years(today))


def _restricted(model, user):
    """Rows of *model* that *user* may view; a model without a policy shows nothing."""
    queryset = model._default_manager.all()
    if not isinstance(getattr(model, "policy", None), ModelPolicy):
        return queryset.none()
    return restrict(queryset, user, "view")


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())
