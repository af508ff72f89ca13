"""Every API list that names its HTML list page (``list_view``) takes that page's sorts: each
value of ``?sort=`` the OpenAPI document offers answers 200 on the demo data, in the order
asked, for provider staff; a customer user gets 200, or 400 naming ``sort`` for a column
they do not see — never a 500 (a sort key the API's queryset cannot order by)."""

from __future__ import annotations

import logging

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from itsm.core.api.pagination import KeysetPagination
from itsm.core.testing.api import assert_error
from itsm.core.testing.crawl import demo, signed_in  # noqa: F401 - demo is a fixture

pytestmark = pytest.mark.django_db


def _api_lists(patterns=None, prefix="") -> dict[str, type]:
    """``route name → viewset`` for every API list route whose viewset names its list page."""
    found: dict[str, type] = {}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found.update(_api_lists(entry.url_patterns, space))
        elif isinstance(entry, URLPattern) and (entry.name or "").endswith("-list"):
            view = getattr(entry.callback, "cls", None)
            if view is not None and getattr(view, "list_view", None) is not None:
                found[f"{prefix}{entry.name}"] = view
    return found


def test_the_api_lists_with_a_list_page_are_found():
    names = set(_api_lists())
    assert {"api:cmdb-api:ci-list", "api:core-api:user-list", "api:slm-api:agreement-list"} <= names
    assert len(names) >= 14


def test_every_offered_sort_answers_in_its_order(demo):  # noqa: F811 - the fixture
    from django.urls import reverse

    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # the customer's expected 400s
    try:
        staff, customer = signed_in("admin"), signed_in("customer")
        paginator = KeysetPagination()
        refused: set[tuple[str, str]] = set()
        for name, view in sorted(_api_lists().items()):
            url = reverse(name)
            for value in paginator.sort_values(view):
                response = staff.get(url, {"sort": value, "page_size": 500})
                assert response.status_code == 200, (name, value, response.content[:300])
                ids = [row["id"] for row in response.json()["results"]]
                if value in ("id", "-id"):
                    assert ids == sorted(ids, reverse=value == "-id"), (name, value)
                answer = customer.get(url, {"sort": value})
                assert answer.status_code in (200, 400, 403), (name, value, answer.content[:300])
                if answer.status_code == 400:  # a column the customer does not see
                    assert_error(answer, 400, "validation", fields=("sort",))
                    refused.add((name, value))
        assert ("api:cmdb-api:ci-list", "supplier") in refused  # a staff-only CI column
    finally:
        request_log.setLevel(level)
