"""FilterSets of the core models, shared by UI lists and the API."""

import django_filters

from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation, Team, User


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind", "is_active", "code"]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="username", lookup_expr="icontains")
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="role_assignments__role")

    class Meta:
        model = User
        fields = ["organisation", "is_active", "username"]


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Team
        fields = ["is_active", "code", "members"]


def visible_customers(request):
    """Queryset for a ``customer`` filter: the customer organisations the requesting user may
    see (a customer user: only their own), so a filter never lists other customers and
    another customer's id answers 400."""
    queryset = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("name")
    user = getattr(request, "user", None)
    return queryset.restrict(user, "view") if user is not None else queryset.none()
