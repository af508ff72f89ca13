"""What core offers to type-ahead pickers (``core.pickers``): customers and provider staff."""

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, User
from itsm.core.pickers import register_lookup


def _user_label(user: User) -> str:
    name = str(user)
    return name if name == user.username else f"{name} ({user.username})"


register_lookup(
    "core.customer",
    Organisation,
    queryset=lambda: Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
    key="code",
    search=("code", "name"),
    order_by=("name",),
    label=lambda organisation: organisation.name,
)
register_lookup(
    "core.staff",
    User,
    queryset=lambda: User.objects.filter(
        organisation__kind=OrganisationKind.PROVIDER, is_active=True
    ),
    key="username",
    search=("username", "display_name", "first_name", "last_name"),
    label=_user_label,
)
