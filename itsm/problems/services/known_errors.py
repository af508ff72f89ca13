"""Services of known errors (已知错误, R-PRB-02): recorded from a problem (which moves to known
error) or on their own, edited, retired and reactivated (``choices.KNOWN_ERROR_MACHINE``),
incidents matching them linked, and published as a knowledge article with one action.

Publishing calls ``itsm.knowledge.services.create_article``: a draft, internal article (the
knowledge base's review decides whether customers see it), linked to the known error, its
problem and its incidents. A known error is published once; the article then lives in the
knowledge base.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import Unprocessable, ValidationFailed
from itsm.core.services import save_versioned, set_actor
from itsm.core.services import transition as core_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record
from itsm.problems.choices import KnownErrorStatus, ProblemStatus
from itsm.problems.models import KnownError, Problem
from itsm.problems.services import search
from itsm.problems.services._common import (
    actor,
    check_cis,
    check_incidents,
    check_service,
    error,
    validate,
)

NUMBER_PREFIX = "KE"
EDITABLE = ("title", "symptoms", "workaround", "root_cause", "service", "category", "cis")
_NULLABLE = {"service", "category"}


def _clean(known_error: KnownError) -> None:
    for name in ("title", "symptoms", "workaround"):
        value = (getattr(known_error, name) or "").strip()
        if not value:
            raise error(name, _("This field is required."))
        setattr(known_error, name, value)
    known_error.root_cause = (known_error.root_cause or "").strip()


def create_known_error(
    *,
    by,
    title: str,
    symptoms: str,
    workaround: str,
    root_cause: str = "",
    problem: Problem | None = None,
    service=None,
    category=None,
    cis=(),
    incidents=(),
) -> KnownError:
    """Record a known error, on its own or for *problem*: a problem that is new or under
    investigation moves to known error (taking the root cause and workaround when it has
    none); a resolved, closed or cancelled problem cannot get one."""
    cis = check_cis(cis or (), by=by)
    incidents = check_incidents(incidents or (), by=by)
    check_service(service, by=by)
    if problem is not None:
        if problem.status not in (
            ProblemStatus.NEW,
            ProblemStatus.INVESTIGATING,
            ProblemStatus.KNOWN_ERROR,
        ):
            raise error(
                "problem", _("A resolved, closed or cancelled problem gets no new known error.")
            )
        service = service if service is not None else problem.service
        category = category if category is not None else problem.category
        if not cis:
            cis = list(problem.cis.all())
        if not incidents:
            incidents = list(problem.incidents.all())
    known_error = KnownError(
        title=title,
        symptoms=symptoms,
        workaround=workaround,
        root_cause=root_cause or "",
        problem=problem,
        service=service,
        category=category,
        status=KnownErrorStatus.ACTIVE,
    )
    _clean(known_error)
    validate(known_error, checked=("number",))
    set_actor(known_error, by)
    with transaction.atomic():
        if problem is not None and problem.status != ProblemStatus.KNOWN_ERROR:
            from itsm.problems.services.problems import move_problem

            move_problem(
                problem,
                to=ProblemStatus.KNOWN_ERROR,
                by=by,
                make_known_error=False,
                root_cause=problem.root_cause or known_error.root_cause,
                workaround=problem.workaround or known_error.workaround,
            )
        insert_record(
            known_error,
            by=actor(by),
            number_prefix=NUMBER_PREFIX,
            data={"problem": problem.number} if problem is not None else None,
        )
        if cis:
            known_error.cis.set(cis)
        if incidents:
            known_error.incidents.set(incidents)
        if problem is not None:
            record_event(
                problem, "known_error_recorded", by=by, data={"known_error": known_error.number}
            )
        search.index_known_error(known_error)
    return known_error


def known_error_from_problem(problem: Problem, *, by) -> KnownError:
    """The known error record of a problem that has just become a known error: its summary,
    description (as the symptoms), root cause, workaround, affected records and incidents."""
    return create_known_error(
        by=by,
        title=problem.title,
        symptoms=problem.description or problem.title,
        workaround=problem.workaround,
        root_cause=problem.root_cause,
        problem=problem,
    )


def _refuse_retired(known_error: KnownError) -> None:
    if known_error.status == KnownErrorStatus.RETIRED:
        raise Unprocessable(
            _("A retired known error cannot be changed; reactivate it first."),
            fields={"status": [str(_("The known error is retired."))]},
            code="retired",
        )


def update_known_error(
    known_error: KnownError, *, by, expected_version: int | None = None, **fields
) -> KnownError:
    """Change the text or the affected records of a known error (``cis`` replaces the list)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            fields={name: [str(_("This field cannot be changed here."))] for name in unknown}
        )
    _refuse_retired(known_error)
    cis = fields.pop("cis", None)
    if cis is not None:
        cis = check_cis(cis, by=by)
    if "service" in fields and fields["service"] != known_error.service:
        check_service(fields["service"], by=by)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(known_error, name, value if value is not None or name in _NULLABLE else "")
        _clean(known_error)
        save_versioned(known_error, expected_version=expected_version, by=by)
        if cis is not None:
            known_error.cis.set(cis)
        changed = sorted({*fields, *(["cis"] if cis is not None else [])})
        record_event(known_error, "updated", by=by, data={"fields": changed})
        search.index_known_error(known_error)
    return known_error


def move_known_error(
    known_error: KnownError, *, to: str, by, note: str = "", expected_version: int | None = None
) -> KnownError:
    """Retire (the error no longer occurs, e.g. its problem was resolved) or reactivate."""
    with transaction.atomic():
        core_transition(known_error, to, by=by, note=note, expected_version=expected_version)
        search.index_known_error(known_error)
    return known_error


def link_incidents(known_error: KnownError, *, tickets, by) -> KnownError:
    """Link incidents that match *known_error* (by hand, or a suggestion taken)."""
    _refuse_retired(known_error)
    tickets = check_incidents(tickets, by=by)
    if not tickets:
        raise error("incidents", _("Choose at least one incident."))
    known = set(known_error.incidents.values_list("pk", flat=True))
    new = [t for t in tickets if t.pk not in known]
    if not new:
        return known_error
    with transaction.atomic():
        known_error.incidents.add(*new)
        record_event(
            known_error, "incidents_linked", by=by, data={"incidents": [t.number for t in new]}
        )
    return known_error


def unlink_incident(known_error: KnownError, *, ticket, by) -> KnownError:
    if not known_error.incidents.filter(pk=ticket.pk).exists():
        raise error("incidents", _("The incident is not linked to this known error."))
    with transaction.atomic():
        known_error.incidents.remove(ticket)
        record_event(known_error, "incident_unlinked", by=by, data={"incident": ticket.number})
    return known_error


def article_body(known_error: KnownError) -> str:
    """The article's text: symptoms, workaround and cause under headings in the active
    language (the knowledge base's editor takes it from there)."""
    sections = [
        (gettext("Symptoms"), known_error.symptoms),
        (gettext("Workaround"), known_error.workaround),
        (gettext("Root cause"), known_error.root_cause),
    ]
    return "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections if text)


def publish_article(known_error: KnownError, *, by):
    """Make the known error a draft, internal knowledge article linked to the known error, its
    problem and its incidents; return the article. Once only (again when its draft article
    was deleted)."""
    from itsm.knowledge import services as knowledge
    from itsm.problems.selectors import existing_articles

    if existing_articles([known_error.article_id]):
        raise Unprocessable(
            _("This known error is already published as article {number}.").format(
                number=known_error.article_number or known_error.article_id
            ),
            fields={"article": [str(_("Already published."))]},
            code="already_published",
        )
    _refuse_retired(known_error)
    links: list[tuple[str, int]] = [("known_error", known_error.pk)]
    if known_error.problem_id is not None:
        links.append(("problem", known_error.problem_id))
    links += [("ticket", pk) for pk in known_error.incidents.values_list("pk", flat=True)]
    with transaction.atomic():
        article = knowledge.create_article(
            by=by,
            title=known_error.title,
            body=article_body(known_error),
            visibility="internal",
            source=known_error.number,
            links=tuple(links),
        )
        known_error.article_id = article.pk
        known_error.article_number = str(getattr(article, "number", "") or "")
        known_error.published_at = timezone.now()
        save_versioned(
            known_error,
            expected_version=None,
            by=by,
            update_fields=["article_id", "article_number", "published_at"],
        )
        record_event(
            known_error,
            "article_published",
            by=by,
            data={"article": article.pk, "number": known_error.article_number},
        )
    return article
