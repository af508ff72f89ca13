"""What the service desk offers to type-ahead pickers (``core.pickers``): callers (people of
customer organisations) and tickets by number or summary."""

from itsm.core.choices import OrganisationKind
from itsm.core.models import User
from itsm.core.pickers import register_lookup
from itsm.desk.models import Ticket


def _caller_label(user: User) -> str:
    name = user.display_name or user.get_full_name() or user.username
    organisation = user.organisation.name if user.organisation is not None else ""
    phone = f" · {user.phone}" if user.phone else ""
    return f"{name} ({organisation}){phone}"


register_lookup(
    "desk.caller",
    User,
    queryset=lambda: User.objects.filter(
        organisation__kind=OrganisationKind.CUSTOMER, is_active=True
    ).select_related("organisation"),
    key="username",
    search=("username", "display_name", "first_name", "last_name", "phone", "email"),
    label=_caller_label,
)
register_lookup(
    "desk.ticket",
    Ticket,
    key="number",
    search=("number", "title"),
    order_by=("-id",),
    label=lambda ticket: f"{ticket.number} · {ticket.title}",
)
