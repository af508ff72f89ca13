"""Forms of event management; customers, services and CIs through type-ahead pickers
(``core.pickers``); a rule's labels and priorities as one ``name = value`` line each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, bind_pickers
from itsm.events.models import AlertRule, AlertSource
from itsm.events.services import RULE_EDITABLE, SOURCE_EDITABLE


def pairs_text(values: dict | None) -> str:
    return "\n".join(f"{k} = {v}" for k, v in sorted((values or {}).items()))


def parse_pairs(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise forms.ValidationError(_("Line {n}: write “name = value”.").format(n=number))
        pairs[name.strip()] = value.strip()
    return pairs


class SourceForm(TablerFormMixin, forms.ModelForm):
    customer = PickerField("core.customer", label=_("customer"), required=False)
    default_service = PickerField("catalog.service", label=_("default service"), required=False)
    default_ci = PickerField("cmdb.ci", label=_("default configuration item"), required=False)

    class Meta:
        model = AlertSource
        fields = list(SOURCE_EDITABLE)
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class SourceEditForm(VersionedFormMixin, SourceForm):
    pass


class RuleForm(TablerFormMixin, forms.ModelForm):
    match_labels = forms.CharField(
        label=_("matching labels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "env = prod\nteam = *"}),
        help_text=_(
            "One line per label the alert must carry: “name = value”; the value “*” only asks "
            "that the label be present. Empty: every alert."
        ),
    )
    priority_map = forms.CharField(
        label=_("priority by severity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "critical = p1\nwarning = p3"}),
        help_text=_("One line per severity (critical, major, warning, info): “severity = p1…p4”."),
    )
    ci = PickerField("cmdb.ci", label=_("configuration item"), required=False)
    service = PickerField("catalog.service", label=_("service"), required=False)

    class Meta:
        model = AlertRule
        fields = [f for f in RULE_EDITABLE if f not in ("match_labels", "priority_map")]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        self.initial["match_labels"] = pairs_text(self.instance.match_labels)
        self.initial["priority_map"] = pairs_text(self.instance.priority_map)
        self.order_fields(list(RULE_EDITABLE))

    def clean_match_labels(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data.get("match_labels") or "")

    def clean_priority_map(self) -> dict[str, str]:
        return {
            k.lower(): v.lower()
            for k, v in parse_pairs(self.cleaned_data.get("priority_map") or "").items()
        }


class RuleEditForm(VersionedFormMixin, RuleForm):
    pass
