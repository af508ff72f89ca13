"""Forms of the configuration-audit and CI-import pages. They validate input; the services in
``itsm.cmdb.audit`` and ``itsm.cmdb.importer`` do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.cmdb.choices import DifferenceDecision, DifferenceKind
from itsm.cmdb.models import CIClass
from itsm.core.form_helpers import TablerFormMixin, style_form


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} ({obj.code})"


class AuditCreateForm(TablerFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    scope_class = ClassChoiceField(
        label=_("class checked"),
        queryset=CIClass.objects.order_by("order", "code"),
        required=False,
        help_text=_("Leave empty to check every class present in the snapshot."),
    )
    file = forms.FileField(
        label=_("snapshot file"),
        help_text=_(
            "JSON (a list of {identifier, class, name, attributes}) or CSV (columns "
            "identifier, class, name and one column per attribute)."
        ),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    difference = forms.IntegerField(required=False, min_value=1)
    note = forms.CharField(required=False, max_length=200)


class CloseForm(forms.Form):
    force = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=200)


class DifferenceFilterForm(TablerFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("All kinds")), *DifferenceKind.choices], required=False
    )
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("", _("All decisions")), *DifferenceDecision.choices],
        required=False,
    )


class ImportUploadForm(TablerFormMixin, forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            ".csv (UTF-8 or GBK) or .xlsx with the column names on the first row, or a "
            "discovery export in .json."
        ),
    )
    ci_class = ClassChoiceField(
        label=_("class of every row"),
        queryset=CIClass.objects.order_by("order", "code"),
        required=False,
        help_text=_("Leave empty when the file has a class column."),
    )
    change_reference = forms.CharField(
        label=_("authorising change"),
        max_length=40,
        required=False,
        help_text=_("The change record that authorised this import (e.g. CHG-000042)."),
    )


class ImportMappingForm(TablerFormMixin, forms.Form):
    """One select per column of the file: which CI field it fills."""

    def __init__(
        self, *args, headers: list[str], targets: list[tuple[str, str]], initial_map, **kw
    ):
        super().__init__(*args, **kw)
        self.headers = headers
        choices = [("", _("— ignore —")), *targets]
        for position, header in enumerate(headers):
            self.fields[f"col_{position}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial_map.get(header, "")
            )
        self.fields["dry_run"] = forms.BooleanField(required=False, widget=forms.HiddenInput)
        style_form(self)  # the column fields were added after the mixin styled the form

    def column_fields(self):
        return [(header, self[f"col_{i}"]) for i, header in enumerate(self.headers)]

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"col_{i}") or "" for i, header in enumerate(self.headers)
        }
