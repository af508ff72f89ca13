"""Form inputs round-trip in both languages, and invalid forms say what is wrong and where.

An ``<input type="date">`` accepts only ``2026-12-01``: a value rendered in the zh-Hans input
format (``2026/12/01``) shows as empty in the browser and is saved as empty (issue 8, item 1).
The shared helper (``core.form_helpers.style_form``) renders ISO dates/times and plain numbers,
and the values it renders parse back to the same values in both languages. The browser test
``test_form_roundtrip_browser.py`` submits every edit form of the demo unchanged.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from itsm.core.form_helpers import TablerFormMixin, style_form
from itsm.core.models import Organisation

LANGUAGES = ["zh-hans", "en"]

DATE = datetime.date(2026, 12, 1)
TIME = datetime.time(9, 30)
AMOUNT = Decimal("12345.75")


class _Inputs(HTMLParser):
    """The attributes of every ``input``/``select``/``textarea`` of a page, by ``name``."""

    def __init__(self, html: str):
        super().__init__()
        self.by_name: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "textarea"):
            attributes = dict(attrs)
            if "name" in attributes:
                self.by_name.setdefault(attributes["name"], attributes)


class SampleForm(TablerFormMixin, forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    text_day = forms.DateField()  # the default text DateInput becomes a date input too
    at = forms.DateTimeField()
    hour = forms.TimeField()
    amount = forms.DecimalField(decimal_places=2, localize=True)
    count = forms.IntegerField(localize=True)


class PlainForm(forms.Form):
    """Not a Tabler form: pages that build a form elsewhere call ``style_form`` on it."""

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def _initial():
    zone = timezone.get_current_timezone()
    return {
        "day": DATE,
        "text_day": DATE,
        "at": datetime.datetime(2026, 12, 1, 9, 30, tzinfo=zone),
        "hour": TIME,
        "amount": AMOUNT,
        "count": 1234567,
    }


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_inputs_render_iso_values_and_plain_numbers(language):
    with translation.override(language):
        inputs = _Inputs(str(SampleForm(initial=_initial()))).by_name
    assert {name: (inputs[name]["type"], inputs[name]["value"]) for name in inputs} == {
        "day": ("date", "2026-12-01"),
        "text_day": ("date", "2026-12-01"),
        "at": ("datetime-local", "2026-12-01T09:30"),
        "hour": ("time", "09:30"),
        "amount": ("number", "12345.75"),
        "count": ("number", "1234567"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_rendered_values_parse_back_to_the_same_values(language):
    with translation.override(language):
        rendered = _Inputs(str(SampleForm(initial=_initial()))).by_name
        form = SampleForm(data={name: attrs["value"] for name, attrs in rendered.items()})
        assert form.is_valid(), form.errors
    assert form.cleaned_data == _initial()


@pytest.mark.parametrize("language", LANGUAGES)
def test_style_form_gives_any_form_iso_dates(language):
    with translation.override(language):
        form = style_form(PlainForm(initial={"day": DATE}))
        assert _Inputs(str(form)).by_name["day"]["value"] == "2026-12-01"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_agreement_and_review_forms_render_iso_dates(language):
    """The two forms of the issue: agreement validity and a review meeting's due date."""
    from itsm.slm.forms import AgreementForm, ReviewRecordForm
    from itsm.slm.models import Agreement, ReviewMeeting

    agreement = Agreement(kind="sla", valid_from=DATE, valid_to=datetime.date(2027, 12, 31))
    meeting = ReviewMeeting(title="Monthly", due_date=DATE)
    with translation.override(language):
        agreement_inputs = _Inputs(str(AgreementForm(instance=agreement))).by_name
        review_inputs = _Inputs(str(ReviewRecordForm(instance=meeting))).by_name
    assert agreement_inputs["valid_from"]["value"] == "2026-12-01"
    assert agreement_inputs["valid_to"]["value"] == "2027-12-31"
    assert review_inputs["due_date"]["value"] == "2026-12-01"
    assert review_inputs["due_date"]["type"] == "date"


def _summary(html: str) -> str:
    start = html.index("data-error-summary")
    return html[start : html.index("</ul>", start)]


@pytest.mark.django_db
def test_invalid_form_shows_a_summary_linking_to_red_fields(client, admin_user, customer_a):
    client.force_login(admin_user)  # zh-Hans
    response = client.post(
        reverse("core:organisation_edit", args=[customer_a.pk]),
        {"name": "", "notes": "kept", "version": customer_a.version},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<a class="alert-link" href="#id_name" data-error-link="name">名称</a>: 此字段为必填项。'
        in (_summary(html))
    )
    inputs = _Inputs(html).by_name
    assert "is-invalid" in inputs["name"]["class"].split()
    assert inputs["name"]["aria-invalid"] == "true"
    assert inputs["name"]["aria-describedby"] == "id_name_error"
    assert '<div class="invalid-feedback d-block" id="id_name_error">此字段为必填项。</div>' in html
    assert "is-invalid" not in inputs["notes"]["class"].split()
    assert Organisation.objects.get(pk=customer_a.pk).name == "Customer A"


@pytest.mark.django_db
def test_summary_links_a_checkbox_group_to_its_first_box(client, admin_user, customer_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("core:user_add"),
        {
            "username": "li",
            "organisation": customer_a.pk,
            "language": "zh-hans",
            "roles": ["service_desk"],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_roles_0" data-error-link="roles"' in _summary(html)
    assert 'id="id_roles_0"' in html
    assert "is-invalid" in _Inputs(html).by_name["roles"]["class"].split()


class NotesForm(TablerFormMixin, forms.Form):
    notes = forms.CharField(widget=forms.Textarea)


def test_textarea_keeps_the_stored_line_endings():
    """Browsers submit a textarea with CRLF; the stored text has LF (services, API, demo)."""
    form = NotesForm(data={"notes": "line 1\r\nline 2"}, initial={"notes": "line 1\nline 2"})
    assert form.is_valid()
    assert form.cleaned_data["notes"] == "line 1\nline 2"
    assert form.changed_data == []
