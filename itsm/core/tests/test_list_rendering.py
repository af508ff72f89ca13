"""What a record list page renders in Python rather than through templates (issue 10 item 2):
the rows (``core/lists/rendering.py``), the filter form's selects and inputs and its model
choices (``core/lists/widgets.py``), and the capped count of matching rows."""

from __future__ import annotations

import django_filters
import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import AnyBooleanSelect, FilterSet
from itsm.core.form_helpers import style_form
from itsm.core.lists import Column, RecordListView
from itsm.core.lists.widgets import LIST_FORM_RENDERER, choices_in_one_query, widget_html
from itsm.core.models import Organisation
from itsm.core.testing.sample.choices import SampleStatus
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.testing.sample.services import create_sample_ticket

pytestmark = [pytest.mark.django_db, pytest.mark.urls("itsm.core.testing.sample.page_urls")]


class EveryWidget(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"class": "form-control", "data-x": '"<&>'})
    )
    choice = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), ("x", "X <b>"), (1, "one"), ("G", [("g1", "G1"), ("g2", "G2")])],
    )
    several = forms.MultipleChoiceField(
        required=False,
        choices=[("a", "A"), ("b", mark_safe("<i>B</i>"))],
        widget=forms.SelectMultiple(attrs={"data-picker": "local", "required": True, "x": False}),
    )
    yes_no = forms.NullBooleanField(required=False)
    number = forms.IntegerField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False)
    long_text = forms.CharField(required=False, widget=forms.Textarea)  # left to Django


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'q"<', "choice": "g2", "several": ["a", "b"], "yes_no": "true", "number": "5"},
        {"day": "2026-01-02", "hidden": "<z>", "long_text": "a\nb", "choice": "nosuch"},
    ],
)
def test_filter_widgets_render_exactly_as_django_renders_them(customer_a, data):
    if data and "organisation" not in data:
        data = {**data, "organisation": str(customer_a.pk)}
    django_form, list_form = EveryWidget(data), EveryWidget(data)
    list_form.renderer = LIST_FORM_RENDERER
    choices_in_one_query(list_form)
    for name in django_form.fields:
        assert str(list_form[name]) == str(django_form[name]), name
        assert widget_html(list_form[name]) == str(django_form[name]), name


class OwnOption(forms.Select):
    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["data-own"] = "1"
        return option


class ListFields(forms.Form):
    """The fields of list filters as the list page styles them (``style_form``): required,
    invalid, yes/no "Any", several model choices, and widgets left to Django."""

    name = forms.CharField(max_length=5, widget=forms.TextInput(attrs={"placeholder": "<n>"}))
    number = forms.IntegerField(required=False, min_value=1)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B & b")])
    grouped = forms.ChoiceField(
        required=False, choices=[("", [("x", "X")]), (0, [("y", "Y")]), ("z", "Z")]
    )
    shared = forms.NullBooleanField(required=False, widget=AnyBooleanSelect)
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(), required=False
    )
    own = forms.ChoiceField(required=False, choices=[("a", "A")], widget=OwnOption)
    initial = forms.CharField(required=False, show_hidden_initial=True)
    amount = forms.DecimalField(required=False, localize=True)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "<b>&", "number": "0", "kind": "b", "grouped": "y", "shared": "false"},
        {"name": "toolong", "number": "x", "shared": "true", "own": "a", "amount": "1.5"},
    ],
)
def test_list_fields_are_written_as_django_renders_them(customer_a, customer_b, data):
    if data:
        data = {**data, "organisations": [str(customer_a.pk), str(customer_b.pk)]}
    django_form, list_form = ListFields(data), ListFields(data)
    for form in (django_form, list_form):
        style_form(form)
        form.is_valid()
    list_form.renderer = LIST_FORM_RENDERER
    choices_in_one_query(list_form)
    for name in django_form.fields:
        assert widget_html(list_form[name]) == str(django_form[name]), name
    if data:
        assert "is-invalid" in widget_html(list_form["number"])
        assert " selected>Customer B" in widget_html(list_form["organisations"])


class OrganisationFilter(FilterSet):
    customer = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), null_label="(none)"
    )

    class Meta:
        model = SampleTicket
        fields = ["customer"]


def test_model_choices_are_read_in_one_statement(
    admin_user, customer_a, customer_b, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = admin_user
    form = OrganisationFilter(queryset=SampleTicket.objects.all(), request=request).form
    expected = str(form["customer"])
    assert "(none)" in expected and "Customer B" in expected  # django-filter's null choice kept
    form = OrganisationFilter(queryset=SampleTicket.objects.all(), request=request).form
    choices_in_one_query(form)
    with django_assert_num_queries(1):
        assert str(form["customer"]) == expected


class Tickets(RecordListView):
    model = SampleTicket
    filterset_class = None
    default_sort = "-id"
    page_size = 2
    columns = (
        Column("number", _("Number"), link="sample:ticket_detail", sort="number"),
        Column("title", _("Title"), css="text-secondary"),
        Column("status", _("Status"), choices=SampleStatus),
        Column("resolution", _("Resolution")),
        Column("created", _("Created"), html=lambda t: format_html("<b>{}</b>", t.pk)),
    )

    def row_attrs(self, row):
        return {"data-ticket": f'{row.pk}"'}

    def row_actions(self, row):
        return format_html('<a href="#{}">go</a>', row.pk) if row.title == "first" else ""


def _page(user, query: str = "") -> str:
    request = RequestFactory().get("/sample-tickets/" + (f"?{query}" if query else ""))
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    with translation.override("en"):
        response = Tickets.as_view()(request)
        response.render()
    assert response.status_code == 200
    return response.content.decode()


def test_rows_are_written_with_the_markup_of_the_table_template(admin_user, customer_a):
    first = create_sample_ticket(title="first", customer=customer_a)
    second = create_sample_ticket(title='<i>"second"</i>', customer=customer_a)
    html = _page(admin_user)
    with translation.override("en"):
        label = str(SampleStatus(second.status).label)
    assert (
        f'<tr data-ticket="{second.pk}&quot;">'
        f'<td data-column="number"><a href="/sample/{second.pk}/">{second.number}</a></td>'
        '<td data-column="title" class="text-secondary">'
        "&lt;i&gt;&quot;second&quot;&lt;/i&gt;</td>"
        f'<td data-column="status" data-status="{second.status}">'
        f'<span class="badge bg-{SampleStatus.colour(second.status)}-lt">{label}</span></td>'
        '<td data-column="resolution"><span class="text-secondary">—</span></td>'
        f'<td data-column="created"><b>{second.pk}</b></td>'
        '<td class="text-end text-nowrap"></td></tr>'
    ) in html
    assert f'<td class="text-end text-nowrap"><a href="#{first.pk}">go</a></td></tr>' in html
    assert "<th></th>" in html  # the header of the buttons' column


def test_a_page_without_buttons_has_no_button_column(admin_user, customer_a):
    create_sample_ticket(title="other", customer=customer_a)
    html = _page(admin_user)
    assert "text-end text-nowrap" not in html and "<th></th>" not in html


def test_the_count_of_matching_rows_is_capped(admin_user, customer_a):
    for title in ("a", "b", "c"):
        create_sample_ticket(title=title, customer=customer_a)
    with override_settings(ITSM_LIST_COUNT_LIMIT=10):
        assert '<div class="text-secondary" data-testid="list-count">3 rows</div>' in _page(
            admin_user
        )
    with override_settings(ITSM_LIST_COUNT_LIMIT=2):
        html = _page(admin_user)
    assert 'data-testid="list-count" data-capped="yes">More than 2 rows</div>' in html
    with override_settings(ITSM_LIST_COUNT_LIMIT=3):
        assert ">3 rows</div>" in _page(admin_user)  # exactly the limit: not capped


def test_an_empty_list_says_so_and_counts_nothing(admin_user):
    html = _page(admin_user)
    assert ">0 rows</div>" in html
    assert 'class="text-secondary">Nothing found.</td>' in html
