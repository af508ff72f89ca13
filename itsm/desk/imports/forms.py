"""Forms of historic ticket import: the upload, and the column and value mappings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin, style_form
from itsm.core.pickers import PickerField, bind_pickers
from itsm.desk.imports.choices import TARGETS, UnknownValues, target_label
from itsm.desk.imports.engine.mapping import priority_choices, state_choices


class UploadForm(TablerFormMixin, forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            ".csv (UTF-8 or GBK) or .xlsx with the column names on the first row: one row per "
            "incident, or an event log with one row per update of an incident."
        ),
    )
    source = forms.CharField(
        label=_("source system"),
        max_length=60,
        help_text=_("The old tool, e.g. ServiceNow; numbers are unique per source system."),
    )
    customer = PickerField(
        "core.customer",
        label=_("customer"),
        help_text=_("The customer the imported tickets belong to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class MappingForm(TablerFormMixin, forms.Form):
    """One select per column (the field it fills), per state and per priority of the file."""

    day_first = forms.BooleanField(
        label=_("dates are day first (31/1/2016)"), required=False, initial=True
    )
    unknown_groups = forms.ChoiceField(
        label=_("groups the product does not know"), choices=UnknownValues.choices
    )
    unknown_categories = forms.ChoiceField(
        label=_("categories the product does not know"), choices=UnknownValues.choices
    )

    def __init__(self, *args, ticket_import, states, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(ticket_import.headers)
        self.states = list(states)
        self.priorities = list(priorities)
        targets = [("", _("— ignore —"))] + [(t, target_label(t)) for t in TARGETS]
        for position, header in enumerate(self.headers):
            self.fields[f"col_{position}"] = forms.ChoiceField(
                label=header,
                choices=targets,
                required=False,
                initial=ticket_import.mapping.get(header, ""),
            )
        for position, value in enumerate(self.states):
            self.fields[f"state_{position}"] = forms.ChoiceField(
                label=value, choices=state_choices(), initial=ticket_import.state_map.get(value)
            )
        for position, value in enumerate(self.priorities):
            self.fields[f"priority_{position}"] = forms.ChoiceField(
                label=value,
                choices=priority_choices(),
                required=False,
                initial=ticket_import.priority_map.get(value, ""),
            )
        self.fields["day_first"].initial = ticket_import.day_first
        self.fields["unknown_groups"].initial = ticket_import.unknown_groups
        self.fields["unknown_categories"].initial = ticket_import.unknown_categories
        style_form(self)

    def column_fields(self):
        return [(h, self[f"col_{i}"]) for i, h in enumerate(self.headers)]

    def state_fields(self):
        return [(v, self[f"state_{i}"]) for i, v in enumerate(self.states)]

    def priority_fields(self):
        return [(v, self[f"priority_{i}"]) for i, v in enumerate(self.priorities)]

    def column_map(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.headers)}

    def state_map(self) -> dict[str, str]:
        return {v: self.cleaned_data[f"state_{i}"] for i, v in enumerate(self.states)}

    def priority_map(self) -> dict[str, str]:
        return {
            v: self.cleaned_data.get(f"priority_{i}") or "" for i, v in enumerate(self.priorities)
        }


class RunForm(forms.Form):
    skip_bad = forms.BooleanField(
        label=_("Skip the bad incidents and import the others"), required=False
    )
