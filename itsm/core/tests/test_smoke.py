import pytest

from itsm.core import services
from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation
from itsm.core.numbering import next_number


@pytest.mark.django_db
def test_customer_sees_only_own_organisation():
    provider = services.create_organisation(code="p", name="P", kind=OrganisationKind.PROVIDER)
    a = services.create_organisation(code="a", name="A", kind=OrganisationKind.CUSTOMER)
    services.create_organisation(code="b", name="B", kind=OrganisationKind.CUSTOMER)
    user = services.create_user(username="u", organisation=a, roles=(Role.CUSTOMER_USER,))
    staff = services.create_user(username="s", organisation=provider, roles=(Role.SERVICE_DESK,))
    assert list(Organisation.objects.restrict(user).values_list("code", flat=True)) == ["a"]
    assert Organisation.objects.restrict(staff).count() == 3
    assert next_number("INC") == "INC-000001"
    assert next_number("INC") == "INC-000002"
