"""Model-choice filters checked against the choices kept per process
(``core.filtersets.KeptModelChoiceField``/``KeptModelMultipleChoiceField``): once kept, a
value is checked with no query (the table's stamp, which the select's rendering reads anyway),
with the same answers and the same translated errors as Django's query — which they still
run inside a transaction, where choices are not kept."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import translation

from itsm.cmdb.filtersets import CIFilterSet
from itsm.cmdb.models import CIClass, ConfigurationItem
from itsm.cmdb.services import ensure_builtins
from itsm.core.lists import choices

#: (query, whether valid): codes and ids as a link or an API client may send them
CASES = [
    ({"ci_class": "server"}, True),
    ({"ci_class": ["server", "application"]}, True),
    ({"ci_class": ["server", "server"]}, True),
    ({"ci_class": "no-such-class"}, False),
    ({"ci_class": ["server", "no-such-class"]}, False),
    ({"ci_class": "serv\x00er"}, False),
    ({"customer": "{a}"}, True),
    ({"customer": "0{a}"}, True),
    ({"customer": "{b}"}, False),  # another customer's, for a customer user
    ({"customer": "abc"}, False),
    ({"customer": "999999"}, False),
    ({"customer": "1.5"}, False),
]


def _answer(user, query: dict, customers: dict):
    """The filter's errors (in English and in Chinese) and its rows' ids per filter."""
    data = {
        name: [v.format(**customers) for v in value]
        if isinstance(value, list)
        else value.format(**customers)
        for name, value in query.items()
    }
    request = RequestFactory().get("/cmdb/", data)
    request.user = user
    filterset = CIFilterSet(request.GET, queryset=ConfigurationItem.objects.all(), request=request)
    answers = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            form = filterset.form
            valid = filterset.is_valid()
            answers.append({name: list(map(str, errors)) for name, errors in form.errors.items()})
    cleaned = {}
    if valid:
        for name in query:
            value = filterset.form.cleaned_data[name]
            rows = list(value) if name == "ci_class" else [value]
            cleaned[name] = sorted(row.pk for row in rows)
    return valid, answers, cleaned


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["admin_user", "customer_user"])
def test_kept_choices_answer_as_the_query(who, request, customer_a, customer_b):
    ensure_builtins()  # a transactional test starts from empty tables
    user = request.getfixturevalue(who)
    customers = {"a": customer_a.pk, "b": customer_b.pk}
    choices.forget()
    for query, valid in CASES:
        if who == "admin_user" and query == {"customer": "{b}"}:
            valid = True
        if who == "customer_user" and "ci_class" in query:
            valid = False  # the classes are provider records: none to choose for a customer
        with transaction.atomic():  # not kept: Django's query
            expected = _answer(user, query, customers)
        _answer(user, query, customers)  # the choices kept
        kept = _answer(user, query, customers)
        assert kept == expected, query
        assert kept[0] is valid, (query, kept)
    assert choices._kept
    choices.forget()


@pytest.mark.django_db(transaction=True)
def test_a_kept_filter_value_costs_no_query(admin_user, customer_a, django_assert_num_queries):
    ensure_builtins()
    choices.forget()
    _answer(admin_user, {"ci_class": "server", "customer": str(customer_a.pk)}, {})
    with django_assert_num_queries(2):  # each table's stamp, no query of the values
        valid, _errors, cleaned = _answer(
            admin_user, {"ci_class": ["server", "application"], "customer": str(customer_a.pk)}, {}
        )
    assert valid and cleaned["customer"] == [customer_a.pk] and len(cleaned["ci_class"]) == 2
    choices.forget()


@pytest.mark.django_db(transaction=True)
def test_a_list_page_reads_its_kept_choices_with_one_statement(
    admin_user, customer_a, django_assert_num_queries
):
    """Served outside a transaction, the CI page's filter form (classes and customers) reads
    both tables' stamps in one statement (``choices.read_stamps``) and checks its values
    against the kept choices: the session, the user, the stamps and the page."""
    ensure_builtins()
    choices.forget()
    client = Client()
    client.force_login(admin_user)
    query = {"ci_class": "server", "customer": str(customer_a.pk)}
    client.get("/cmdb/", query)  # the choices kept
    with django_assert_num_queries(4):
        response = client.get("/cmdb/", query)
    assert response.status_code == 200
    assert 'value="server" selected' in response.content.decode()
    server = CIClass.objects.get(code="server")
    server.name_en = server.name_zh = "Servers renamed"
    server.save()
    assert "Servers renamed" in client.get("/cmdb/", query).content.decode()
    choices.forget()
