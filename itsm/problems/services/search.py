"""Problems and known errors in the one search index of the knowledge base
(``itsm.knowledge.services.index_document``), written in the same transaction as the record.

Problems are provider-internal: ``customer_visible=False``. Known errors are not shown to
customers either: they hold the internal root cause and the CIs involved; what a customer may
read of one is the knowledge article published from it, whose visibility the knowledge base
decides (``publish_article`` makes it an internal draft).
"""

from __future__ import annotations

from itsm.problems.models import KnownError, Problem


def _body(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def index_problem(problem: Problem) -> None:
    from itsm.knowledge import services as knowledge

    knowledge.index_document(
        kind="problem",
        key=problem.pk,
        number=problem.number,
        title=problem.title,
        body=_body(problem.description, problem.root_cause, problem.workaround, problem.fix),
        customer_id=None,
        customer_visible=False,
        updated_at=problem.updated_at,
        state=problem.status,
    )


def index_known_error(known_error: KnownError) -> None:
    from itsm.knowledge import services as knowledge

    knowledge.index_document(
        kind="known_error",
        key=known_error.pk,
        number=known_error.number,
        title=known_error.title,
        body=_body(known_error.symptoms, known_error.workaround, known_error.root_cause),
        customer_id=None,
        customer_visible=False,
        updated_at=known_error.updated_at,
        state=known_error.status,
    )
