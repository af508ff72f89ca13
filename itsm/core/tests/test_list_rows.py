"""A list page's rows made without ``Model.__init__`` (``core/lists/rows.py``) and its filter
form's model choices kept per process while their table is unchanged
(``core/lists/choices.py``)."""

from __future__ import annotations

import pytest
from django.db.models import F, signals
from django.db.models.query import ModelIterable
from django.test import RequestFactory
from django.utils import translation

from itsm.core.filtersets import CustomerFilter, FilterSet
from itsm.core.lists import choices
from itsm.core.lists.rows import PageRowIterable, page_rows
from itsm.core.lists.widgets import choices_in_one_query
from itsm.core.models import Organisation
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket


def _not_called(*args, **kwargs):
    raise AssertionError("called")


def _same(made, expected) -> None:
    assert type(made) is type(expected)
    assert made.__dict__.keys() - {"_state"} == expected.__dict__.keys() - {"_state"}
    for name, value in expected.__dict__.items():
        if name != "_state":
            assert getattr(made, name) == value, name
    assert made.get_deferred_fields() == expected.get_deferred_fields()
    assert (made._state.adding, made._state.db) == (False, expected._state.db)


@pytest.mark.django_db
def test_page_rows_are_the_instances_django_makes(customer_a, customer_b, monkeypatch):
    for title, customer in (("one", customer_a), ("two", customer_b), ("three", customer_a)):
        create_sample_ticket(title=title, customer=customer)
    querysets = [
        SampleTicket.objects.all(),
        SampleTicket.objects.select_related("customer").only(
            "id", "number", "customer__name", "customer_id"
        ),
        SampleTicket.objects.select_related("customer").annotate(twice=F("id") * 2),
    ]
    for queryset in querysets:
        queryset = queryset.order_by("-id")
        rows = page_rows(queryset)
        assert rows._iterable_class is PageRowIterable
        expected = list(queryset)
        with monkeypatch.context() as patch:  # not Django's way: no instance through __init__
            patch.setattr(ModelIterable, "__iter__", _not_called)
            patch.setattr(SampleTicket, "__init__", _not_called)
            patch.setattr(Organisation, "__init__", _not_called)
            made = list(rows)
        assert len(made) == len(expected) == 3
        for got, want in zip(made, expected, strict=True):
            _same(got, want)
            if "customer" in want._state.fields_cache:
                _same(got.customer, want.customer)
            assert str(got) == str(want) and got == want
        # a deferred field is read when used, as on Django's instance
        assert made[0].title == SampleTicket.objects.get(pk=made[0].pk).title
    values = SampleTicket.objects.values("id")
    assert page_rows(values) is values  # not rows of a model: unchanged


@pytest.mark.django_db
def test_a_model_watched_being_made_is_made_by_django(customer_a):
    create_sample_ticket(title="one", customer=customer_a)
    made = []

    def seen(sender, instance, **kwargs):
        made.append(instance)

    signals.post_init.connect(seen, sender=SampleTicket)
    try:
        rows = list(page_rows(SampleTicket.objects.select_related("customer")))
    finally:
        signals.post_init.disconnect(seen, sender=SampleTicket)
    assert made == rows and rows[0].customer == customer_a


class CustomerChoices(FilterSet):
    customer = CustomerFilter()

    class Meta:
        model = SampleTicket
        fields = ["customer"]


def _select(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    form = CustomerChoices(queryset=SampleTicket.objects.all(), request=request).form
    choices_in_one_query(form)
    with translation.override("en"):
        return str(form["customer"])


@pytest.mark.django_db(transaction=True)
def test_kept_choices_follow_every_change_of_their_table(
    admin_user, customer_user, customer_a, customer_b, django_assert_num_queries
):
    """Outside a transaction (as served) the choices are kept after the first page: the next
    reads only the table's stamp; a rename, an added or a deleted row shows at once; each
    user's restriction keeps its own choices."""
    choices.forget()
    first = _select(admin_user)
    assert "Customer A" in first and "Customer B" in first
    with django_assert_num_queries(1):  # the stamp of the organisations' table
        assert _select(admin_user) == first
    own = _select(customer_user)
    assert "Customer A" in own and "Customer B" not in own
    with django_assert_num_queries(1):
        assert _select(customer_user) == own

    customer_b.name = "Customer B renamed"
    customer_b.save()
    renamed = _select(admin_user)
    assert "Customer B renamed" in renamed
    with django_assert_num_queries(1):
        assert _select(admin_user) == renamed
    added = Organisation.objects.create(code="cust-c", name="Customer C", kind="customer")
    assert "Customer C" in _select(admin_user)
    added.delete()
    assert "Customer C" not in _select(admin_user)
    assert "Customer B" not in _select(customer_user)
    choices.forget()


@pytest.mark.django_db
def test_choices_are_not_kept_inside_a_transaction(admin_user, customer_a, customer_b):
    choices.forget()
    _select(admin_user)
    _select(admin_user)
    assert not choices._kept
