"""Template tags of the portal's request details: a service request's order-form answers
(labels in the reader's language) and its fulfilment tasks, for ``desk/_request_details.html``
on the ticket page."""

from __future__ import annotations

from django import template

from itsm.core import policy
from itsm.desk import selectors
from itsm.desk.choices import TaskStatus
from itsm.desk.services.ordering import answer_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def request_details(context, ticket) -> dict:
    """``{% request_details ticket as details %}``: ``answers`` [(label, shown value)],
    ``tasks`` (those the reader may see, with their group), ``can_move`` (the reader may
    complete, cancel or reopen them)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not ticket.pk:
        return {"answers": [], "tasks": [], "can_move": False, "statuses": TaskStatus}
    tasks = list(selectors.tasks_for(user).filter(ticket=ticket).select_related("team", "assignee"))
    return {
        "answers": answer_rows(ticket),
        "statuses": TaskStatus,
        "tasks": tasks,
        "can_move": bool(tasks) and ticket.is_open and policy.can(user, type(tasks[0]), "change"),
    }
