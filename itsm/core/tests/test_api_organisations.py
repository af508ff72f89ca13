"""The organisations endpoint, through the shared API tests plus its own rules."""

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for


class TestOrganisationAPI(APIEndpointTests):
    model = Organisation
    url_name = "api:core-api:organisation"
    tenancy = "customer"
    required_fields = ("code", "name", "kind")
    invalid_filters = ({"kind": "bogus"},)

    def make_row(self, owner):
        return owner  # the row a customer owns is its own organisation

    def create_payload(self, env):
        return {"code": "cust-new", "name": "New Customer", "kind": OrganisationKind.CUSTOMER}

    def update_payload(self, env, row):
        return {"name": "Renamed Customer", "notes": "moved office"}


def test_duplicate_code_is_a_validation_error_naming_code(admin_user, customer_a):
    response = client_for(admin_user).post(
        "/api/core/organisations/",
        {"code": customer_a.code, "name": "Twin", "kind": OrganisationKind.CUSTOMER},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("code",))
    assert Organisation.objects.filter(code=customer_a.code).count() == 1


def test_second_provider_is_refused(admin_user):
    response = client_for(admin_user).post(
        "/api/core/organisations/",
        {"code": "provider-2", "name": "Second", "kind": OrganisationKind.PROVIDER},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("kind",))
    assert Organisation.objects.filter(kind=OrganisationKind.PROVIDER).count() == 1


def test_kind_cannot_change(admin_user, customer_a):
    response = client_for(admin_user).patch(
        f"/api/core/organisations/{customer_a.pk}/",
        {"kind": OrganisationKind.SUPPLIER, "version": customer_a.version},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("kind",))
    customer_a.refresh_from_db()
    assert customer_a.kind == OrganisationKind.CUSTOMER


def test_bad_code_names_the_field(admin_user):
    response = client_for(admin_user).post(
        "/api/core/organisations/",
        {"code": "no spaces allowed", "name": "X", "kind": OrganisationKind.CUSTOMER},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("code",))
