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


def test_customer_people_cannot_join_a_team_through_the_api(admin_user, customer_user):
    team = TeamFactory()
    client = client_for(admin_user)
    created = client.post(
        "/api/core/teams/",
        {
            "code": "x",
            "name": "X",
            "organisation": team.organisation_id,
            "members": [customer_user.pk],
        },
        format="json",
    )
    assert_error(created, 400, "validation", fields=("members",))
    assert not Team.objects.filter(code="x").exists()
    edited = client.patch(
        f"/api/core/teams/{team.pk}/",
        {"members": [customer_user.pk], "version": team.version},
        format="json",
    )
    assert_error(edited, 400, "validation", fields=("members",))
    team.refresh_from_db()
    assert list(team.members.all()) == []
    assert team.version == 1
