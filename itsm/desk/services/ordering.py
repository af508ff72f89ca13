"""Ordering from the catalogue (issue 11, customer portal): a service request from a
catalogue item, with the answers to the item's order form and its fulfilment tasks.

:func:`order_item` runs in one transaction: the item must be orderable by the customer
(its service published and offered to them — else the error names ``item``), the answers are
checked against the item's ``form_fields`` (errors name ``answers.<field name>``: the page's
form and the API both say which question is wrong), the request is created through
``tickets.create_ticket`` (``kind="request"``, the service and item, ``form_data`` holding
the answers by field name) and one task per ``fulfilment_tasks`` entry through
``relations.add_task``, sent to the group whose code the entry names (an entry whose group
has since been retired goes to no group: the request is not refused for it).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors as catalog
from itsm.core import policy
from itsm.core.errors import ValidationFailed
from itsm.core.models import Team
from itsm.desk.choices import Channel, TicketKind
from itsm.desk.models import Ticket
from itsm.desk.services import relations, tickets

MAX_TEXT = 500
MAX_LONG_TEXT = 5000
MAX_NUMBER = Decimal(10) ** 15
YES = {"yes", "true", "1", "y", "是"}
NO = {"no", "false", "0", "n", "否"}


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_one(field: dict, value):
    """The stored form of one answer (JSON: text, number, ISO date, choice, true/false), or
    ``ValueError`` with the translated problem."""
    kind = field["type"]
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            raise ValueError(_("Enter a text."))
        limit = MAX_TEXT if kind == "text" else MAX_LONG_TEXT
        value = value.strip()
        if len(value) > limit:
            raise ValueError(_("At most {n} characters.").format(n=limit))
        return value
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(_("Enter a number."))
        if not number.is_finite() or abs(number) >= MAX_NUMBER:
            raise ValueError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD."))
    if kind == "choice":
        if not isinstance(value, str) or value.strip() not in field["choices"]:
            raise ValueError(
                _("Choose one of: {choices}.").format(choices=", ".join(field["choices"]))
            )
        return value.strip()
    if kind == "yesno":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
        raise ValueError(_("Answer yes or no."))
    raise ValueError(_("This item's form has a field of an unknown type."))  # pragma: no cover


def clean_answers(item, answers) -> dict:
    """*answers* (field name → value) checked against *item*'s order form: every required
    field answered, each value of its type, no unknown name. Returns the answers to store (in
    the form's order, empty optional answers left out); ``ValidationFailed`` naming each
    wrong answer as ``answers.<name>`` otherwise."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationFailed(
            fields={"answers": [str(_("Give the answers as an object: field name → value."))]}
        )
    fields = item.form_fields or []
    errors: dict[str, list[str]] = {}
    known = {field["name"] for field in fields}
    for name in sorted(set(answers) - known):
        errors[f"answers.{name}"] = [str(_("The item's order form has no such field."))]
    cleaned: dict = {}
    for field in fields:
        name = field["name"]
        value = answers.get(name)
        if _empty(value):
            if field.get("required"):
                errors[f"answers.{name}"] = [str(_("This field is required."))]
            continue
        try:
            cleaned[name] = _clean_one(field, value)
        except ValueError as problem:
            errors[f"answers.{name}"] = [str(problem.args[0])]
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _groups(item) -> dict[str, Team]:
    codes = {task["group"] for task in item.fulfilment_tasks or () if task.get("group")}
    if not codes:
        return {}
    return {team.code: team for team in Team.objects.filter(code__in=codes, is_active=True)}


def order_item(
    *,
    by,
    item,
    answers: dict | None,
    customer=None,
    description: str = "",
    urgency: str = "",
    channel: str = Channel.PORTAL,
) -> Ticket:
    """Order *item* for *customer* (a customer user's own organisation; provider staff name
    the customer they order for): a service request carrying the answers, with the item's
    fulfilment tasks, in one transaction."""
    staff = policy.is_provider_staff(by)
    if not staff:
        customer = getattr(by, "organisation", None)
    if customer is None:
        raise ValidationFailed(fields={"customer": [str(_("Choose the customer."))]})
    offered = catalog.orderable_items(by, customer=customer).filter(pk=item.pk).exists()
    if not offered:
        raise ValidationFailed(
            fields={"item": [str(_("This item is not offered to the customer."))]}
        )
    form_data = clean_answers(item, answers)
    groups = _groups(item)
    with transaction.atomic():
        ticket = tickets.create_ticket(
            by=by,
            kind=TicketKind.REQUEST,
            title=item.name,
            description=description or "",
            customer=customer,
            channel=channel,
            urgency=urgency,
            service=item.service,
            service_item=item,
            form_data=form_data,
        )
        for order, task in enumerate(item.fulfilment_tasks or (), start=1):
            relations.add_task(
                ticket,
                by=by,
                title=task["title"],
                team=groups.get(task.get("group") or ""),
                order=order,
            )
    return ticket


def answer_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """(label in the reader's language, answer as shown) of a request's order form, in the
    form's order; answers whose field the item no longer has come last under their name."""
    data = ticket.form_data or {}
    if not data:
        return []
    item = ticket.service_item if ticket.service_item_id else None
    fields = (item.form_fields or []) if item is not None else []
    rows = []
    for field in fields:
        if field["name"] in data:
            rows.append(
                (
                    catalog.order_field_label(field),
                    catalog.shown_order_answer(field, data[field["name"]]),
                )
            )
    known = {field["name"] for field in fields}
    rows += [(name, str(value)) for name, value in data.items() if name not in known]
    return rows
