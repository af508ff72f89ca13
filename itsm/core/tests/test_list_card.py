"""``{% list_card %}`` (``core/lists/rendering.py``) writes what the templates it replaced
wrote — ``list_card_reference.html`` keeps them (``ui/_filter_form.html``, the filter's errors,
``ui/_record_table.html`` and ``ui/_keyset_pager.html`` as ``ui/record_list.html`` included
them) — for lists with and without a filter, invalid filters, counted, capped, empty, first
and later pages, with and without row buttons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse

from itsm.cmdb.tests.factories import CIFactory
from itsm.core import services

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "list_card_reference.html").read_text()
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')


def _both(response) -> tuple[str, str]:
    """The card as the reference templates and as ``{% list_card %}`` write it for the
    context of *response* (the CSRF token masked: each rendering masks it anew)."""
    assert response.status_code == 200
    backend = engines["django"]
    context, request = response.context_data, response.wsgi_request
    old = backend.from_string(REFERENCE).render(context, request)
    new = backend.from_string("  {% load record_lists %}{% list_card %}").render(context, request)
    return _TOKEN.sub(r"\1T", old), _TOKEN.sub(r"\1T", new)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_card_is_what_the_templates_wrote(admin_user, customer_a, language):
    for index in range(3):
        CIFactory(name=f"srv-<{index}>&", customer=customer_a if index else None)
    services.set_language(admin_user, language=language)
    client = Client()
    client.force_login(admin_user)
    queries = [
        "",
        "?status=in_use&sort=name",
        "?q=srv&sort=-name&customer=" + str(customer_a.pk),
        "?ci_class=nosuch&number=x",  # invalid: errors, no count
        "?q=nothing-matches",
        "?shared=true&criticality=high&identifier=%3Cb%3E",
    ]
    pages = [reverse("cmdb:ci_list") + q for q in queries]
    pages += [reverse("cmdb:class_list"), reverse("cmdb:relation_type_list")]
    pages += [reverse("core:user_list"), reverse("core:organisation_list")]
    for url in pages:
        old, new = _both(client.get(url))
        assert new == old, url
    # a later page: the first-page and next-page links
    with pytest.MonkeyPatch.context() as patch:
        from itsm.cmdb.lists import CIList

        patch.setattr(CIList, "page_size", 1)
        first = client.get(reverse("cmdb:ci_list") + "?sort=name")
        old, new = _both(first)
        assert new == old and 'data-testid="list-next-page"' in new
        cursor = re.search(r"cursor=([^\"&]+)", new).group(1)
        old, new = _both(client.get(reverse("cmdb:ci_list") + f"?sort=name&cursor={cursor}"))
        assert new == old and 'data-testid="list-first-page"' in new


@pytest.mark.urls("itsm.core.testing.sample.page_urls")
def test_the_card_of_a_list_without_filter_and_with_row_buttons(admin_user, customer_a):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from itsm.core.testing.sample.services import create_sample_ticket
    from itsm.core.tests.test_list_rendering import Tickets

    create_sample_ticket(title="first", customer=customer_a)
    create_sample_ticket(title="second", customer=customer_a)
    for query in ("", "?sort=number"):
        request = RequestFactory().get("/sample-tickets/" + query)
        request.user = admin_user
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        response = Tickets.as_view()(request)
        response.wsgi_request = request
        old, new = _both(response)
        assert new == old
        assert "<th></th>" in new and 'data-testid="filter-form"' not in new
