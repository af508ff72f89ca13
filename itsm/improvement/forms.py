"""Forms of the improvement register; owner, customer, change and incident through
type-ahead pickers (``core.pickers``), the KPI from a select of the KPI registry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, bind_pickers
from itsm.improvement.choices import EDITABLE_STATES, ItemSource
from itsm.improvement.models import Item
from itsm.improvement.services import LATE_EDITABLE
from itsm.kpi.registry import registry

DATE = {"type": "date"}

#: the plan fields of the create and edit forms, in their order
ITEM_FORM_FIELDS = (
    "title",
    "description",
    "goal",
    "owner",
    "customer",
    "plan",
    "due_date",
    "change",
    "kpi_id",
    "before_start",
    "before_end",
    "after_start",
    "after_end",
    "internal_notes",
)


def kpi_choices() -> list[tuple[str, str]]:
    """The KPIs of the catalogue by name (an empty choice first)."""
    return [("", "—")] + [(kpi.id, str(kpi.name)) for kpi in registry.all()]


class _ItemFields(TablerFormMixin, forms.ModelForm):
    owner = PickerField("core.staff", label=_("owner"), required=False)
    customer = PickerField("core.customer", label=_("customer"), required=False)
    change = PickerField(
        "change.change",
        label=_("change"),
        required=False,
        help_text=_("The change that approves the work, when it needs one (type its title)."),
    )
    kpi_id = forms.ChoiceField(
        label=_("KPI"),
        required=False,
        help_text=_("The KPI that shows the effect, measured before and after."),
    )

    class Meta:
        model = Item
        fields = list(ITEM_FORM_FIELDS)
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("description", "goal", "plan", "internal_notes")
            },
            **{
                name: forms.DateInput(attrs=DATE)
                for name in ("due_date", "before_start", "before_end", "after_start", "after_end")
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kpi_field = self.fields["kpi_id"]
        assert isinstance(kpi_field, forms.ChoiceField)
        kpi_field.choices = kpi_choices()
        bind_pickers(self, user)


class ItemCreateForm(_ItemFields):
    incident = PickerField("desk.ticket", label=_("incident"), required=False)

    class Meta(_ItemFields.Meta):
        fields = ["source", "source_key", "incident", *ITEM_FORM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].initial = ItemSource.AD_HOC
        self.fields["source_key"].required = False
        self.fields["source_key"].help_text = _(
            "E.g. the audit finding or complaint number; empty: the item's own number."
        )

    def _get_validation_exclusions(self):
        # the service refuses a second item of the same source, naming the reference field
        return {*super()._get_validation_exclusions(), "source_key"}  # type: ignore[misc]


class ItemEditForm(VersionedFormMixin, _ItemFields):
    """The plan while proposed or planned; later only the fields still open (the period after,
    the implementation notes, the description and the internal notes)."""

    class Meta(_ItemFields.Meta):
        fields = [*ITEM_FORM_FIELDS, "implementation_notes"]
        widgets = {
            **_ItemFields.Meta.widgets,
            "implementation_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status not in EDITABLE_STATES:
            for name in list(self.fields):
                if name != "version" and name not in LATE_EDITABLE:
                    del self.fields[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name in self.fields if name != "version")


class ItemTransitionForm(forms.Form):
    """An item's status change (``core.form_views.TransitionView``), with the implementation
    notes the "implemented" step may carry."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)
    implementation_notes = forms.CharField(required=False, max_length=20000)


class ImplementedForm(TablerFormMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput, initial="verifying")
    implementation_notes = forms.CharField(
        label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EffectForm(TablerFormMixin, forms.Form):
    effect_note = forms.CharField(
        label=_("effect observed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False)
