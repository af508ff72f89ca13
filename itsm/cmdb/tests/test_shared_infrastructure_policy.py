"""The shared-infrastructure rule is declared once, in ``ConfigurationItem.policy``
(``shared_if_unowned``), and read by the impact analysis and the relation ends of the API."""

import dataclasses

import pytest
from django.test import RequestFactory

from itsm.cmdb.api.serializers import RelationSerializer
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.cmdb.selectors import impact
from itsm.cmdb.tests import factories_impact as f
from itsm.core import policy


@pytest.fixture
def chain(customer_a, customer_b):
    """app (A) → host (shared) → storage (shared); other (B) → host."""
    nodes = {
        "storage": f.ci("storage"),
        "host": f.ci("host"),
        "app": f.ci("app", customer=customer_a),
        "other": f.ci("other", customer=customer_b),
    }
    f.relate(nodes["app"], nodes["host"])
    f.relate(nodes["host"], nodes["storage"])
    f.relate(nodes["other"], nodes["host"])
    return nodes


def test_the_rule_is_declared_on_the_policy(chain):
    assert policy.policy_for(ConfigurationItem).shared_if_unowned
    assert policy.shared_column(ConfigurationItem) == "customer_id"
    assert policy.is_shared(chain["host"]) and not policy.is_shared(chain["app"])


def test_impact_follows_the_declaration(chain, customer_user, monkeypatch):
    seen = impact(chain["app"], direction="dependencies", user=customer_user)
    assert [(n.id, n.masked) for n in seen.nodes] == [
        (chain["app"].pk, False),
        (chain["host"].pk, True),
        (chain["storage"].pk, True),
    ]
    # without the declaration nothing is shared: the walk stops at the customer's own CIs
    unshared = dataclasses.replace(ConfigurationItem.policy, shared_if_unowned=False)
    monkeypatch.setattr(ConfigurationItem, "policy", unshared)
    alone = impact(chain["app"], direction="dependencies", user=customer_user)
    assert [n.id for n in alone.nodes] == [chain["app"].pk]


def test_relation_ends_follow_the_policy_and_fail_closed(chain, customer_user, agent):
    relation = Relation.objects.select_related("source", "target").get(
        source=chain["app"], target=chain["host"]
    )
    # no request: nobody may see either end
    data = RelationSerializer(relation).data
    assert (data["source_display"], data["target_display"]) == (None, None)
    request = RequestFactory().get("/")
    request.user = customer_user
    data = RelationSerializer(relation, context={"request": request}).data
    assert (data["source_display"], data["target_display"]) == (str(chain["app"]), None)
    request.user = agent
    data = RelationSerializer(relation, context={"request": request}).data
    assert data["target_display"] == str(chain["host"])


def test_only_provider_staff_see_all_tenants(customer_user, agent):
    assert policy.sees_all_tenants(agent, ConfigurationItem)
    assert not policy.sees_all_tenants(customer_user, ConfigurationItem)
    assert not policy.sees_all_tenants(None, ConfigurationItem)
    assert policy.tenant_scope(customer_user, ConfigurationItem) == (
        "customer",
        customer_user.organisation_id,
    )
