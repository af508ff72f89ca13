"""Forms of the CMDB pages. They only shape input; the services validate and write.

A CI form's attribute fields are generated from the chosen class's definitions (field name
``attr__<key>``); service errors on ``attributes.<key>`` land on those fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.cmdb.choices import AttributeType, CIStatus, Criticality, attribute_choice_label
from itsm.cmdb.models import AttributeDefinition, CIClass, RelationType
from itsm.cmdb.services import authorised_change
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, style_form
from itsm.core.models import Organisation
from itsm.core.pickers import PickerField, bind_pickers

ATTR_PREFIX = "attr__"


class ChangeReferenceMixin:
    """A typed ``change_reference`` must name an approved change in its window
    (``cmdb.services.authorised_change``)."""

    def clean_change_reference(self) -> str:
        value = self.cleaned_data.get("change_reference")  # type: ignore[attr-defined]
        try:
            return authorised_change(value)
        except ValidationFailed as error:
            raise forms.ValidationError(
                [str(m) for messages in (error.fields or {}).values() for m in messages]
            ) from None


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _attribute_field(definition: AttributeDefinition, initial) -> forms.Field:
    common = {
        "label": definition.label + (f" ({definition.unit})" if definition.unit else ""),
        "required": False,  # the service checks required attributes and names the field
        "initial": initial,
    }
    kind = definition.type
    if kind == AttributeType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (AttributeType.INTEGER, AttributeType.DECIMAL):
        step = "1" if kind == AttributeType.INTEGER else "any"
        return forms.CharField(widget=forms.NumberInput(attrs={"step": step}), **common)
    if kind == AttributeType.BOOLEAN:
        if initial is True:
            common["initial"] = "true"
        elif initial is False:
            common["initial"] = "false"
        return forms.ChoiceField(
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))], **common
        )
    if kind == AttributeType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == AttributeType.CHOICE:
        return forms.ChoiceField(
            choices=[
                ("", "—"),
                *[(c, attribute_choice_label(c)) for c in definition.choices or []],
            ],
            **common,
        )
    if kind == AttributeType.URL:
        return forms.CharField(widget=forms.URLInput(), **common)
    return forms.CharField(**common)


class CIForm(ChangeReferenceMixin, TablerFormMixin, forms.Form):
    """Create or edit a CI of one class (the class is chosen before, by ``?ci_class=``)."""

    ci_class = forms.ModelChoiceField(
        queryset=CIClass.objects.all(), label=_("class"), widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("name"), max_length=200)
    identifier = forms.CharField(
        label=_("identifier"),
        max_length=200,
        required=False,
        help_text=_("Asset tag, serial number or host name that discovery tools report."),
    )
    criticality = forms.ChoiceField(
        label=_("criticality"), choices=Criticality.choices, initial=Criticality.MEDIUM
    )
    customer = PickerField(
        "core.customer",
        label=_("customer"),
        required=False,
        help_text=_("Leave empty for shared infrastructure."),
    )
    supplier = OrganisationChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name"),
        label=_("supplier"),
        required=False,
    )
    owner = PickerField("core.staff", label=_("owner"), required=False)
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    change_reference = forms.CharField(
        label=_("authorising change"),
        max_length=40,
        required=False,
        help_text=_("The change record that authorised this modification (e.g. CHG-000042)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, ci_class: CIClass, attributes: dict | None = None, user=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)  # without a user the pickers accept nothing
        self.fields["ci_class"].initial = ci_class.pk
        self.definitions = list(ci_class.attribute_definitions.all())
        attributes = attributes or {}
        for definition in self.definitions:
            name = ATTR_PREFIX + definition.key
            self.fields[name] = _attribute_field(definition, attributes.get(definition.key))
            if definition.required:
                self.fields[name].widget.attrs["data-required"] = "true"
        style_form(self)  # the attribute fields were added after the mixin styled the form

    def attribute_fields(self):
        return [self[ATTR_PREFIX + d.key] for d in self.definitions]

    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith(ATTR_PREFIX)]

    def attributes(self) -> dict:
        values = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(ATTR_PREFIX + definition.key)
            if value not in (None, ""):
                values[definition.key] = value
        return values

    def ci_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "ci_class": data["ci_class"],
            "identifier": data.get("identifier", ""),
            "criticality": data["criticality"],
            "customer": data.get("customer"),
            "supplier": data.get("supplier"),
            "owner": data.get("owner"),
            "location": data.get("location", ""),
            "description": data.get("description", ""),
            "attributes": self.attributes(),
        }

    def error_field(self, name: str) -> str:
        """Service errors on ``attributes.<key>`` go to the matching attribute field."""
        return ATTR_PREFIX + name.split(".", 1)[1] if name.startswith("attributes.") else name


class ClassChoiceForm(TablerFormMixin, forms.Form):
    ci_class = forms.ModelChoiceField(queryset=CIClass.objects.all(), label=_("class"))


class TransitionForm(ChangeReferenceMixin, forms.Form):
    to = forms.ChoiceField(choices=CIStatus.choices)
    version = forms.IntegerField(min_value=1)
    change_reference = forms.CharField(max_length=40, required=False)


class RelationForm(ChangeReferenceMixin, TablerFormMixin, forms.Form):
    DIRECTIONS = [
        ("out", _("this CI → other CI")),
        ("in", _("other CI → this CI")),
    ]
    type = forms.ModelChoiceField(queryset=RelationType.objects.all(), label=_("relation type"))
    direction = forms.ChoiceField(choices=DIRECTIONS, label=_("direction"), initial="out")
    other = PickerField(
        "cmdb.ci",
        label=_("other configuration item"),
        help_text=_("Type part of its number, name or identifier and pick it from the list."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    change_reference = forms.CharField(label=_("authorising change"), max_length=40, required=False)

    def __init__(self, *args, user=None, **kwargs):
        # without a user the pickers accept nothing (a form rendered only to be read)
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)

    def error_field(self, name: str) -> str:
        """The service names ``source``/``target``; this form has one ``other`` field."""
        return "other" if name in ("source", "target") else name


class AsOfForm(TablerFormMixin, forms.Form):
    at = forms.DateTimeField(
        label=_("As of"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        # the database cannot hold moments near year 1 or 9999 once shifted to UTC
        if not 1900 <= at.year <= 9998:
            raise forms.ValidationError(_("Enter a date or date and time, e.g. 2026-03-01T09:00."))
        return at


class CIClassForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = CIClass
        fields = [
            "code",
            "name_zh",
            "name_en",
            "description",
            "icon",
            "is_hardware",
            "is_business_service",
            "is_agreement",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def _post_clean(self):
        """No model validation here: the service validates (and names the fields)."""


class AttributeDefinitionForm(TablerFormMixin, forms.ModelForm):
    choices_text = forms.CharField(
        label=_("choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Allowed values of a choice, one per line."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AttributeDefinition
        fields = [
            "key",
            "name_zh",
            "name_en",
            "type",
            "required",
            "unit",
            "min_value",
            "max_value",
            "order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])
            self.fields["key"].disabled = True

    def _post_clean(self):
        """No model validation here: the service validates (and names the fields)."""

    def error_field(self, name: str) -> str:
        """The service names ``choices``; this form edits them as ``choices_text``."""
        return "choices_text" if name == "choices" else name

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        text = data.pop("choices_text", "") or ""
        data["choices"] = [line.strip() for line in text.splitlines() if line.strip()]
        return data


class ClassesField(forms.ModelMultipleChoiceField):
    """Refuses ids the database cannot hold (a 500 otherwise) as unknown choices."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            if text.isdigit() and int(text) > 2**63 - 1:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:20]},
                )
        # _check_values is Django's (private) validation of the chosen ids; not in its stubs
        return super()._check_values(value)  # type: ignore[misc]


class RelationTypeForm(TablerFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RelationType
        fields = [
            "code",
            "name_zh",
            "name_en",
            "reverse_zh",
            "reverse_en",
            "source_classes",
            "target_classes",
        ]
        field_classes = {"source_classes": ClassesField, "target_classes": ClassesField}
        widgets = {
            "source_classes": forms.CheckboxSelectMultiple,
            "target_classes": forms.CheckboxSelectMultiple,
        }

    def _post_clean(self):
        """No model validation here: the service validates (and names the fields)."""
