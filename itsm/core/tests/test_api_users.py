"""The users endpoint, through the shared API tests plus its own rules."""

from itsm.core.choices import Role
from itsm.core.models import User
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory


class TestUserAPI(APIEndpointTests):
    model = User
    url_name = "api:core-api:user"
    tenancy = "customer"
    required_fields = ("username",)
    write_only_fields = ("password",)
    invalid_filters = ({"role": "astronaut"}, {"organisation": "999999"})

    def make_row(self, owner):
        return UserFactory(organisation=owner, roles=[Role.CUSTOMER_USER])

    def create_payload(self, env):
        return {
            "username": "new.person",
            "display_name": "New Person",
            "email": "new.person@example.com",
            "organisation": env.customer_a.pk,
            "roles": [Role.CUSTOMER_CONTACT],
            "password": "a-long-secret-1",
        }

    def update_payload(self, env, row):
        return {"display_name": "Renamed Person", "roles": [Role.CUSTOMER_CONTACT]}


def test_created_user_can_sign_in_with_token(admin_user, customer_a):
    response = client_for(admin_user).post(
        "/api/core/users/",
        {
            "username": "x.user",
            "organisation": customer_a.pk,
            "roles": [Role.CUSTOMER_USER],
            "password": "a-long-secret-1",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="x.user")
    assert user.check_password("a-long-secret-1")
    assert user.roles == {Role.CUSTOMER_USER}
    assert "password" not in response.json()


def test_role_not_allowed_for_organisation_kind(admin_user, customer_a):
    response = client_for(admin_user).post(
        "/api/core/users/",
        {"username": "bad.role", "organisation": customer_a.pk, "roles": [Role.ADMINISTRATOR]},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("roles",))
    assert not User.objects.filter(username="bad.role").exists()


def test_user_cannot_move_organisation(admin_user, customer_a, customer_b):
    user = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER])
    response = client_for(admin_user).patch(
        f"/api/core/users/{user.pk}/",
        {"organisation": customer_b.pk, "version": user.version},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("organisation",))


def test_duplicate_username_names_the_field(admin_user, customer_a):
    UserFactory(username="taken", organisation=customer_a)
    response = client_for(admin_user).post(
        "/api/core/users/", {"username": "taken", "organisation": customer_a.pk}, format="json"
    )
    assert_error(response, 400, "validation", fields=("username",))


def test_me_returns_the_signed_in_user(customer_user):
    response = client_for(customer_user).get("/api/core/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "cust-a-user"
    assert response.json()["roles"] == [Role.CUSTOMER_USER]


def test_me_needs_authentication(db):
    assert_error(client_for(None).get("/api/core/me/"), 401, "not_authenticated")
