"""``?sort=`` on the API lists (``core.api.pagination.KeysetPagination``): the keys of the
record's HTML list, keyset-paged by (value, id) — every row once across pages, equal values
split over a page boundary — tenancy unchanged, unknown keys refused, the default order
unchanged, the parameter in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.cmdb import services
from itsm.cmdb.models import ConfigurationItem
from itsm.cmdb.tests.factories import CIFactory, RelationFactory
from itsm.core.testing.api import assert_error, client_for

pytestmark = pytest.mark.django_db

CIS = reverse("api:cmdb-api:ci-list")


def _all_pages(client, url, params, *, page_size=3) -> tuple[list[int], list[dict]]:
    """The ids of every page followed through ``next``, and the pages' answers."""
    response = client.get(url, {**params, "page_size": page_size})
    ids, bodies = [], []
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        bodies.append(body)
        assert len(body["results"]) <= page_size
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids, bodies
        assert len(bodies) < 100, "no end"
        response = client.get(body["next"])


@pytest.fixture
def named_cis(customer_a, customer_b):
    """CIs whose names repeat (runs of 4 and 5 equal names: each crosses a page of 3), some
    shared (no customer), created in an order unlike the names' order."""
    rows = []
    for name, count in (("web", 4), ("alpha", 5), ("db", 1), ("mail", 4)):
        for index in range(count):
            customer = (customer_a, customer_b, None)[index % 3]
            rows.append(CIFactory(name=name, customer=customer))
    return rows


@pytest.mark.parametrize("descending", [False, True])
def test_sorted_pages_hold_every_row_once_in_value_then_id_order(admin_user, named_cis, descending):
    ids, bodies = _all_pages(
        client_for(admin_user), CIS, {"sort": "-name" if descending else "name"}
    )
    rows = ConfigurationItem.objects.all()
    expected = [ci.pk for ci in sorted(rows, key=lambda ci: (ci.name, ci.pk), reverse=descending)]
    assert ids == expected
    assert len(ids) == len(set(ids)) == rows.count() >= 14
    # no previous link on a sorted list; the next link keeps the sort and the page size
    assert all(body["previous"] is None for body in bodies)
    assert all("sort=" in body["next"] and "page_size=3" in body["next"] for body in bodies[:-1])


def test_a_sort_by_another_tables_column_puts_empty_values_last(admin_user, named_cis):
    """``sort=customer`` (the customer's name, HTML list's column): built group by group
    (``paging.joined_sort``); the shared CIs (no customer) last, ties broken by id."""
    ids, _bodies = _all_pages(client_for(admin_user), CIS, {"sort": "customer"})
    rows = list(ConfigurationItem.objects.select_related("customer"))
    expected = [
        ci.pk
        for ci in sorted(
            rows,
            key=lambda ci: (ci.customer is None, ci.customer.name if ci.customer else "", ci.pk),
        )
    ]
    assert ids == expected


def test_a_customer_pages_through_their_own_cis_only(named_cis, customer_a):
    from itsm.core.choices import Role
    from itsm.core.testing.factories import UserFactory

    user = UserFactory(organisation=customer_a, roles=(Role.CUSTOMER_USER,))
    client = client_for(user)
    ids, _bodies = _all_pages(client, CIS, {"sort": "-name"})
    mine = ConfigurationItem.objects.filter(customer=customer_a)
    assert ids == [ci.pk for ci in sorted(mine, key=lambda ci: (ci.name, ci.pk), reverse=True)]
    # a column only provider staff see is no sort key for a customer
    assert_error(client.get(CIS, {"sort": "owner"}), 400, "validation", fields=("sort",))


def test_sorted_search_and_filters_page_the_matches(admin_user, named_cis):
    ids, _bodies = _all_pages(client_for(admin_user), CIS, {"sort": "name", "q": "web"})
    webs = ConfigurationItem.objects.filter(name="web").order_by("id")
    assert ids == [ci.pk for ci in webs] and len(ids) == 4


def test_unknown_sort_keys_answer_400_naming_sort(admin_user, named_cis):
    client = client_for(admin_user)
    for key in ("bogus", "-bogus", "description", "--name", " name"):
        body = assert_error(client.get(CIS, {"sort": key}), 400, "validation", fields=("sort",))
        assert "name" in body["fields"]["sort"][0]  # it lists the keys
    relations = reverse("api:cmdb-api:relation-list")
    assert_error(client.get(relations, {"sort": "name"}), 400, "validation", fields=("sort",))


def test_the_default_order_is_unchanged(admin_user, named_cis):
    client = client_for(admin_user)
    plain = client.get(CIS, {"page_size": 5}).json()
    assert [row["id"] for row in plain["results"]] == list(
        ConfigurationItem.objects.order_by("-id").values_list("id", flat=True)[:5]
    )
    for same in ("-id", ""):
        body = client.get(CIS, {"page_size": 5, "sort": same}).json()
        assert body["results"] == plain["results"]
    assert ConfigurationItem.objects.count() > 5
    # id ascending: paged by the list's own cursor too
    ids, _bodies = _all_pages(client, CIS, {"sort": "id"})
    assert ids == sorted(ids) and len(ids) == ConfigurationItem.objects.count()


def test_a_list_without_an_html_list_sorts_by_id(admin_user):
    for _index in range(4):
        RelationFactory()
    ids, _bodies = _all_pages(
        client_for(admin_user), reverse("api:cmdb-api:relation-list"), {"sort": "id"}
    )
    assert ids == sorted(ids) and len(ids) == 4


def test_reference_lists_take_their_list_pages_sorts(admin_user):
    client = client_for(admin_user)
    classes = client.get(reverse("api:cmdb-api:ci-class-list"), {"sort": "-attribute_count"})
    assert classes.status_code == 200
    counts = [
        services.get_class(row["code"]).attribute_definitions.count()
        for row in classes.json()["results"]
    ]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    types = client.get(reverse("api:cmdb-api:relation-type-list"), {"sort": "code"})
    codes = [row["code"] for row in types.json()["results"]]
    assert codes == sorted(codes) and len(codes) >= 7


def test_a_cursor_the_sorted_list_did_not_make_answers_404(admin_user, named_cis):
    client = client_for(admin_user)
    for cursor in ("abc", "cD0xMDA", "WyJ4Iiwtx"):
        response = client.get(CIS, {"sort": "name", "cursor": cursor})
        assert_error(response, 404, "not_found")


def test_sort_is_documented_with_its_values(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/cmdb/cis/"]["get"]["parameters"]
    (sort,) = [p for p in parameters if p["name"] == "sort"]
    values = sort["schema"]["enum"]
    assert {"id", "-id", "name", "-name", "customer", "-updated_at"} <= set(values)
    relations = schema["paths"]["/api/cmdb/relations/"]["get"]["parameters"]
    (sort,) = [p for p in relations if p["name"] == "sort"]
    assert sort["schema"]["enum"] == ["id", "-id"]
