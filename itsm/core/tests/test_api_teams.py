"""The teams endpoint (provider-internal), through the shared API tests plus its own rules."""

from itsm.core.choices import Role
from itsm.core.models import Team
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import TeamFactory, UserFactory


class TestTeamAPI(APIEndpointTests):
    model = Team
    url_name = "api:core-api:team"
    tenancy = "provider"
    required_fields = ("code", "name", "organisation")
    invalid_filters = ({"members": "999999"},)

    def make_row(self, owner):
        return TeamFactory()  # teams belong to the provider whatever the customer

    def create_payload(self, env):
        return {
            "code": "network",
            "name": "Network",
            "organisation": env.provider.pk,
            "members": [env.staff.pk],
            "leader": env.staff.pk,
        }

    def update_payload(self, env, row):
        return {"name": "Network and security", "members": [env.limited.pk, env.staff.pk]}


def test_team_of_a_customer_is_refused(admin_user, customer_a):
    response = client_for(admin_user).post(
        "/api/core/teams/",
        {"code": "t", "name": "T", "organisation": customer_a.pk},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("organisation",))


def test_members_are_listed(admin_user):
    engineer = UserFactory(roles=[Role.ENGINEER_L1])
    team = TeamFactory(members=[engineer])
    response = client_for(admin_user).get(f"/api/core/teams/{team.pk}/")
    assert response.json()["members"] == [engineer.pk]
