"""Impact analysis (R-CMDB-04): the recursive-CTE selector against networkx as the oracle,
summaries, truncation, tenancy masking and query counts."""

from __future__ import annotations

import random
import re

import networkx as nx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from itsm.cmdb.selectors import impact
from itsm.cmdb.tests import factories_impact as f
from itsm.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _random_graph(seed: int, customers=(None,)):
    """A random directed graph of 30–80 CIs with cycles, self-contained parallel edges of
    two types, stored as rows, the CIs' customers taken in turn from *customers*; returns
    (cis, networkx DiGraph of ids, {(s, t): {type ids}})."""
    rng = random.Random(seed)
    count = rng.randint(30, 80)
    cis = f.many_cis(count, customers=customers)
    kinds = [f.relation_type("t-dep"), f.relation_type("t-run")]
    ids = [c.pk for c in cis]
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    typed: dict[tuple[int, int], set[int]] = {}
    pairs = []
    for _ in range(rng.randint(count, count * 3)):
        source, target = rng.sample(ids, 2)
        kind = rng.choice(kinds)
        if kind.pk in typed.get((source, target), set()):
            continue
        typed.setdefault((source, target), set()).add(kind.pk)
        graph.add_edge(source, target)
        pairs.append((source, target, kind))
    # a guaranteed cycle through the first three CIs
    for source, target in ((ids[0], ids[1]), (ids[1], ids[2]), (ids[2], ids[0])):
        if kinds[0].pk not in typed.get((source, target), set()):
            typed.setdefault((source, target), set()).add(kinds[0].pk)
            graph.add_edge(source, target)
            pairs.append((source, target, kinds[0]))
    f.relate_many(pairs)
    return cis, graph, typed


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_matches_networkx_on_random_graphs_with_cycles(seed):
    cis, graph, typed = _random_graph(seed)
    rng = random.Random(seed * 7)
    labels = {k.pk: k.code for k in (f.relation_type("t-dep"), f.relation_type("t-run"))}
    for start in rng.sample(cis, 5):
        for direction in ("dependents", "dependencies"):
            oriented = graph.reverse(copy=False) if direction == "dependents" else graph
            for depth in (1, 2, 3, 6):
                expected = nx.single_source_shortest_path_length(oriented, start.pk, cutoff=depth)
                result = impact(start, direction=direction, max_depth=depth)
                got = {node.id: node.depth for node in result.nodes}
                assert got == expected, (seed, start.pk, direction, depth)
                assert len(result.nodes) == len(got)  # each CI once
                assert result.truncated is False
                for node in result.nodes:
                    assert node.path[0] == start.pk
                    assert node.path[-1] == node.id
                    assert len(node.path) == node.depth + 1
                    for before, after in zip(node.path, node.path[1:], strict=False):
                        assert oriented.has_edge(before, after)
                    if node.depth:
                        hop = node.path[-2:]
                        pair = tuple(hop) if direction == "dependencies" else tuple(hop[::-1])
                        assert node.via_code in {labels[k] for k in typed[pair]}
                    else:
                        assert node.via == node.via_code == ""
                returned = set(got)
                expected_edges = {
                    (s, t, labels[k])
                    for (s, t), kinds in typed.items()
                    for k in kinds
                    if s in returned and t in returned
                }
                assert {(e.source, e.target, e.type_code) for e in result.edges} == (expected_edges)


def _relations_among(typed, labels, returned) -> set[tuple[int, int, str]]:
    return {
        (s, t, labels[k])
        for (s, t), kinds in typed.items()
        for k in kinds
        if s in returned and t in returned
    }


@pytest.mark.parametrize("seed", [5, 6, 7, 8])
def test_customer_user_matches_networkx_on_the_graph_they_may_know(
    seed, customer_a, customer_b, customer_user
):
    """The oracle for a customer user: the breadth-first search of the subgraph of their own
    CIs and shared infrastructure (other customers' CIs are not traversed); shared CIs come
    back masked, relations only among the CIs returned."""
    cis, graph, typed = _random_graph(seed, customers=(None, customer_a, customer_b, customer_a))
    owner = {c.pk: c.customer_id for c in cis}
    numbers = {c.pk: c.number for c in cis}
    known = graph.subgraph([pk for pk, org in owner.items() if org in (None, customer_a.pk)])
    labels = {k.pk: k.code for k in (f.relation_type("t-dep"), f.relation_type("t-run"))}
    rng = random.Random(seed * 11)
    own = [c for c in cis if c.customer_id == customer_a.pk]
    for start in rng.sample(own, 4):
        for direction in ("dependents", "dependencies"):
            oriented = known.reverse(copy=False) if direction == "dependents" else known
            for depth in (1, 3, 6):
                expected = nx.single_source_shortest_path_length(oriented, start.pk, cutoff=depth)
                result = impact(start, direction=direction, max_depth=depth, user=customer_user)
                assert {n.id: n.depth for n in result.nodes} == expected, (seed, start.pk)
                assert result.truncated is False
                for node in result.nodes:
                    assert node.path[0] == start.pk and node.path[-1] == node.id
                    assert len(node.path) == node.depth + 1
                    for before, after in zip(node.path, node.path[1:], strict=False):
                        assert oriented.has_edge(before, after)
                    shared = owner[node.id] is None
                    assert node.masked is shared
                    if shared:
                        assert (node.number, node.name, node.class_code, node.customer_id) == (
                            "",
                            "Shared infrastructure",
                            "",
                            None,
                        )
                    else:
                        assert (node.number, node.class_code) == (numbers[node.id], "t-app")
                        assert node.customer_id == customer_a.pk
                assert [c.id for c in result.customers] == [customer_a.pk]
                returned = set(expected)
                assert {(e.source, e.target, e.type_code) for e in result.edges} == (
                    _relations_among(typed, labels, returned)
                )


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_limit_keeps_the_shallowest_lowest_ids_like_networkx(seed):
    """With a node cap, the CIs kept are the first by (depth, id) of the full search, with
    every relation among them. PostgreSQL's frontier search caps each level, so that holds
    exactly; SQLite's walk also stops at a row cap (then ``truncated``), whose CIs are still
    found at their minimal depth."""
    cis, graph, typed = _random_graph(seed)
    labels = {k.pk: k.code for k in (f.relation_type("t-dep"), f.relation_type("t-run"))}
    rng = random.Random(seed * 13)
    for start in rng.sample(cis, 4):
        for direction in ("dependents", "dependencies"):
            oriented = graph.reverse(copy=False) if direction == "dependents" else graph
            expected = nx.single_source_shortest_path_length(oriented, start.pk, cutoff=6)
            ordered = sorted(expected.items(), key=lambda item: (item[1], item[0]))
            for limit in (2, 7, 20):
                result = impact(start, direction=direction, max_depth=6, limit=limit)
                got = [(n.id, n.depth) for n in result.nodes]
                assert got == sorted(got, key=lambda item: (item[1], item[0]))
                assert len(got) <= limit + 1
                if len(expected) > limit + 1:
                    assert result.truncated is True
                if connection.vendor == "postgresql" or not result.truncated:
                    assert got == ordered[: limit + 1], (seed, start.pk, direction, limit)
                    assert result.truncated is (len(expected) > limit + 1)
                else:
                    assert all(expected.get(node) == depth for node, depth in got)
                returned = {node for node, _depth in got}
                for node in result.nodes:
                    assert set(node.path) <= returned and len(node.path) == node.depth + 1
                assert {(e.source, e.target, e.type_code) for e in result.edges} == (
                    _relations_among(typed, labels, returned)
                )


def test_directions_and_summaries(customer_a, customer_b):
    service_class = f.ci_class("t-bs", business_service=True)
    agreement_class = f.ci_class("t-sla", agreement=True)
    host = f.ci("host")
    vm = f.ci("vm")
    app_a = f.ci("app a", customer=customer_a)
    app_b = f.ci("app b", customer=customer_b)
    service = f.ci("mail", cls=service_class, customer=customer_a)
    sla = f.ci("sla", cls=agreement_class, customer=customer_a)
    runs = f.relation_type("t-run")
    uses = f.relation_type("t-use")
    covers = f.relation_type("t-cov")
    f.relate(vm, host, runs)
    f.relate(app_a, vm, runs)
    f.relate(app_b, vm, runs)
    f.relate(service, app_a, uses)
    f.relate(sla, service, covers)
    f.relate(host, app_a, uses)  # a cycle host → app a → vm → host

    down = impact(host, direction="dependents", max_depth=6)
    assert [(n.id, n.depth) for n in down.nodes] == [
        (host.pk, 0),
        (vm.pk, 1),
        (app_a.pk, 2),
        (app_b.pk, 2),
        (service.pk, 3),
        (sla.pk, 4),
    ]
    by_id = {n.id: n for n in down.nodes}
    assert by_id[sla.pk].path == [host.pk, vm.pk, app_a.pk, service.pk, sla.pk]
    assert by_id[sla.pk].via == "type t-cov"
    assert by_id[app_b.pk].via_code == "t-run"
    assert by_id[service.pk].class_code == "t-bs"
    assert by_id[service.pk].number == service.number
    assert [n.id for n in down.business_services] == [service.pk]
    assert [n.id for n in down.agreements] == [sla.pk]
    assert [(c.id, c.name) for c in down.customers] == [
        (customer_a.pk, "Customer A"),
        (customer_b.pk, "Customer B"),
    ]
    assert len(down.edges) == 6
    assert down.impacted == down.nodes[1:]

    shallow = impact(host, direction="dependents", max_depth=2)
    assert {n.id for n in shallow.nodes} == {host.pk, vm.pk, app_a.pk, app_b.pk}
    assert shallow.business_services == [] and shallow.agreements == []

    up = impact(sla, direction="dependencies", max_depth=6)
    assert [(n.id, n.depth) for n in up.nodes] == [
        (sla.pk, 0),
        (service.pk, 1),
        (app_a.pk, 2),
        (vm.pk, 3),
        (host.pk, 4),
    ]
    assert up.nodes[-1].path == [sla.pk, service.pk, app_a.pk, vm.pk, host.pk]


def test_isolated_ci_reports_only_itself():
    alone = f.ci("alone")
    result = impact(alone)
    assert [(n.id, n.depth, n.path) for n in result.nodes] == [(alone.pk, 0, [alone.pk])]
    assert result.edges == [] and result.customers == [] and result.truncated is False


def test_limit_truncates_at_the_shallowest_levels():
    hub = f.ci("hub")
    leaves = f.many_cis(12)
    second = f.ci("second level")
    kind = f.relation_type()
    f.relate_many([(leaf.pk, hub.pk, kind) for leaf in leaves])
    f.relate(second, leaves[0], kind)
    result = impact(hub, direction="dependents", max_depth=6, limit=5)
    assert result.truncated is True
    assert len(result.nodes) == 6  # the start and five CIs
    assert [n.id for n in result.nodes[1:]] == sorted(leaf.pk for leaf in leaves)[:5]
    exact = impact(hub, direction="dependents", max_depth=6, limit=13)
    assert exact.truncated is False and len(exact.nodes) == 14
    over = impact(hub, direction="dependents", max_depth=6, limit=12)
    assert over.truncated is True and len(over.nodes) == 13


def test_parameters_are_validated():
    start = f.ci("start")
    with pytest.raises(ValidationFailed) as direction:
        impact(start, direction="sideways")
    assert set(direction.value.fields) == {"direction"}
    for depth in (0, 11, "3"):
        with pytest.raises(ValidationFailed) as bad:
            impact(start, max_depth=depth)
        assert set(bad.value.fields) == {"depth"}


def test_one_statement_whatever_the_size_of_the_graph(agent, customer_user, customer_a):
    """The traversal, the CIs' details, the relations among them and the relation types come
    from ONE statement, for provider staff and customer users alike (issue 10 item 4)."""
    hub = f.ci("hub", customer=customer_a)
    kind = f.relation_type()
    small = f.many_cis(3, customers=(customer_a,))
    f.relate_many([(c.pk, hub.pk, kind) for c in small])
    with CaptureQueriesContext(connection) as few:
        impact(hub)
    big = f.many_cis(60, customers=(customer_a, None))
    f.relate_many([(c.pk, small[0].pk, kind) for c in big])
    for user in (None, agent, customer_user):
        with CaptureQueriesContext(connection) as many:
            result = impact(hub, user=user)
        assert len(result.nodes) == 64
        assert len(few) == len(many) == 1


def test_the_walk_reads_only_columns_of_the_details_index(agent, customer_user, customer_a):
    """PostgreSQL: every column of the CI table the statement reads (the details, the tenancy
    condition) is in the index of migration 0009, so each CI found is an index-only lookup
    (3 pages instead of 3 + a heap page at 1 000 000 CIs). A column added to the walk must be
    added to that index too."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite reads a row from the table's own id b-tree)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cmdb_ci_impact_details'")
        (definition,) = cursor.fetchone()
    key, _, included = definition.partition(" INCLUDE ")
    indexed = set(re.findall(r"\w+", key.rpartition("(")[2])) | set(re.findall(r"\w+", included))
    start = f.ci("start", customer=customer_a)
    f.relate(f.ci("next", customer=customer_a), start)
    for user in (None, agent, customer_user):
        with CaptureQueriesContext(connection) as sent:
            impact(start, user=user)
        (statement,) = sent.captured_queries
        read = set(re.findall(r"\bc\.(\w+)", statement["sql"]))  # ``c`` is the CI table
        assert {"id", "number", "name", "customer_id"} <= read
        assert read <= indexed, f"not in cmdb_ci_impact_details: {read - indexed}"


# --- tenancy --------------------------------------------------------------------------------


@pytest.fixture
def tenant_graph(customer_a, customer_b):
    """storage (shared) ← host (shared) ← vm-a (A) ← app-a (A) ← svc-a (A, business service)
    host ← vm-b (B) ← app-b (B); app-x (A) depends on vm-b (reachable only through B)."""
    service_class = f.ci_class("t-bs", business_service=True)
    g = {
        "storage": f.ci("storage"),
        "host": f.ci("host"),
        "vm_a": f.ci("vm a", customer=customer_a),
        "app_a": f.ci("app a", customer=customer_a),
        "svc_a": f.ci("svc a", cls=service_class, customer=customer_a),
        "vm_b": f.ci("vm b", customer=customer_b),
        "app_b": f.ci("app b", customer=customer_b),
        "app_x": f.ci("app x", customer=customer_a),
    }
    for source, target in (
        ("host", "storage"),
        ("vm_a", "host"),
        ("app_a", "vm_a"),
        ("svc_a", "app_a"),
        ("vm_b", "host"),
        ("app_b", "vm_b"),
        ("app_x", "vm_b"),
    ):
        f.relate(g[source], g[target])
    return g


def test_provider_staff_see_everything(tenant_graph, agent):
    g = tenant_graph
    result = impact(g["storage"], user=agent)
    assert {n.id for n in result.nodes} == {c.pk for c in g.values()}
    assert not any(n.masked for n in result.nodes)
    assert [c.name for c in result.customers] == ["Customer A", "Customer B"]


def test_customer_sees_own_nodes_shared_masked_others_dropped(
    tenant_graph, customer_user, customer_a
):
    g = tenant_graph
    result = impact(g["vm_a"], direction="dependencies", user=customer_user)
    assert [(n.id, n.depth, n.masked) for n in result.nodes] == [
        (g["vm_a"].pk, 0, False),
        (g["host"].pk, 1, True),
        (g["storage"].pk, 2, True),
    ]
    masked = result.nodes[2]
    assert (masked.number, masked.name, masked.class_code, masked.status) == (
        "",
        "Shared infrastructure",
        "",
        "",
    )
    assert masked.customer_id is None and masked.path == [g["vm_a"].pk, g["host"].pk, masked.id]

    down = impact(g["app_a"], direction="dependencies", user=customer_user, max_depth=1)
    assert [n.id for n in down.nodes] == [g["app_a"].pk, g["vm_a"].pk]

    # from a shared CI the customer may not view: 404
    with pytest.raises(NotFound):
        impact(g["host"], user=customer_user)
    # the impact of their VM: their app and business service; B's CIs are never traversed
    up = impact(g["vm_a"], direction="dependents", user=customer_user)
    assert [n.id for n in up.nodes] == [g["vm_a"].pk, g["app_a"].pk, g["svc_a"].pk]
    assert [n.id for n in up.business_services] == [g["svc_a"].pk]
    assert [(c.id, c.name) for c in up.customers] == [(customer_a.pk, "Customer A")]


def test_customer_does_not_see_what_is_reachable_only_through_other_customers(
    tenant_graph, customer_user
):
    g = tenant_graph
    result = impact(g["app_x"], direction="dependencies", user=customer_user)
    assert [n.id for n in result.nodes] == [g["app_x"].pk]
    assert result.edges == []


def test_customer_edges_only_among_returned_nodes(tenant_graph, customer_user):
    g = tenant_graph
    result = impact(g["svc_a"], direction="dependencies", user=customer_user)
    ids = [n.id for n in result.nodes]
    assert ids == [g[k].pk for k in ("svc_a", "app_a", "vm_a", "host", "storage")]
    assert {(e.source, e.target) for e in result.edges} == {
        (g["svc_a"].pk, g["app_a"].pk),
        (g["app_a"].pk, g["vm_a"].pk),
        (g["vm_a"].pk, g["host"].pk),
        (g["host"].pk, g["storage"].pk),
    }
    assert [n.masked for n in result.nodes] == [False, False, False, True, True]


def test_foreign_start_is_not_found(tenant_graph, customer_user, other_customer_user):
    g = tenant_graph
    with pytest.raises(NotFound):
        impact(g["vm_b"], user=customer_user)
    with pytest.raises(NotFound):
        impact(g["vm_a"], user=other_customer_user)


def test_supplier_contact_sees_what_they_supply(customer_a):
    from itsm.core.choices import Role
    from itsm.core.testing.factories import SupplierFactory, UserFactory

    supplier = SupplierFactory()
    contact = UserFactory(organisation=supplier, roles=[Role.SUPPLIER_CONTACT])
    host = f.ci("host")
    supplied = f.ci("supplied vm", customer=customer_a, supplier=supplier)
    other = f.ci("other app", customer=customer_a)
    f.relate(supplied, host)
    f.relate(other, supplied)
    result = impact(supplied, direction="dependencies", user=contact)
    assert [(n.id, n.masked) for n in result.nodes] == [(supplied.pk, False), (host.pk, True)]
    assert result.customers == []
    down = impact(supplied, direction="dependents", user=contact)
    assert [n.id for n in down.nodes] == [supplied.pk]
    with pytest.raises(NotFound):
        impact(other, user=contact)


def test_the_garbage_collector_runs_again_after_a_call_and_stays_off_if_it_was():
    """The collector is paused while a result is read and built (thousands of objects, no
    cycles) and resumed afterwards, also when the call fails; one someone turned off stays
    off."""
    import gc

    start = f.ci("start")
    f.relate(f.ci("next"), start)
    paused = []

    def record(execute, sql, params, many, context):
        paused.append(gc.isenabled())
        return execute(sql, params, many, context)

    def failing(execute, sql, params, many, context):
        raise RuntimeError("the database went away")

    assert gc.isenabled()
    with connection.execute_wrapper(record):
        result = impact(start, direction="dependents")
    assert len(result.nodes) == 2
    assert paused == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), connection.execute_wrapper(failing):
        impact(start)
    assert gc.isenabled()
    gc.disable()
    try:
        impact(start)
        assert not gc.isenabled()
    finally:
        gc.enable()
