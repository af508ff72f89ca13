"""Forms of release management; changes and people through type-ahead pickers
(``core.pickers``), the CI versions as one line per CI ("CI number = version")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers
from itsm.releases.choices import Decision, ReleaseStatus, TestResult
from itsm.releases.models import Release

RELEASE_FORM_FIELDS = (
    "title",
    "version_label",
    "description",
    "planned_at",
    "changes",
    "manager",
    "deployment_plan",
    "rollback_plan",
    "ci_versions",
    "internal_notes",
)


def versions_text(ci_versions: dict | None) -> str:
    """``{CI id: version}`` as the form's lines ``CI-000012 = 5.3.0`` (in CI number order)."""
    if not ci_versions:
        return ""
    numbers = dict(
        cmdb_selectors.all_cis()
        .filter(pk__in=[int(k) for k in ci_versions])
        .values_list("pk", "number")
    )
    lines = [f"{numbers.get(int(key), key)} = {value}" for key, value in ci_versions.items()]
    return "\n".join(sorted(lines))


class _ReleaseFields(TablerFormMixin, forms.ModelForm):
    changes = PickerMultipleField(
        "change.change",
        label=_("changes"),
        required=False,
        help_text=_("The approved changes the release bundles (type a number or a title)."),
    )
    manager = PickerField("core.staff", label=_("release manager"), required=False)
    ci_versions = forms.CharField(
        label=_("CI versions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "CI-000012 = 5.3.0"}),
        help_text=_(
            "One line per CI of the bundled changes: its number, “=”, the version it takes "
            "when the release is deployed."
        ),
    )

    class Meta:
        model = Release
        fields = [f for f in RELEASE_FORM_FIELDS if f != "ci_versions"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description", "deployment_plan", "rollback_plan", "internal_notes")
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        bind_pickers(self, user)
        if self.instance.pk:
            self.initial["ci_versions"] = versions_text(self.instance.ci_versions)
        self.order_fields([f for f in ("kind", *RELEASE_FORM_FIELDS)])

    def clean_ci_versions(self) -> dict[str, str]:
        text = self.cleaned_data.get("ci_versions") or ""
        wanted: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            ci_number, sep, version = line.partition("=")
            if not sep or not ci_number.strip() or not version.strip():
                raise forms.ValidationError(
                    _("Line {n}: write “CI number = version”.").format(n=number)
                )
            wanted[ci_number.strip().upper()] = version.strip()
        found = dict(
            cmdb_selectors.cis_for(self.user)
            .filter(number__in=list(wanted))
            .values_list("number", "pk")
        )
        unknown = sorted(set(wanted) - set(found))
        if unknown:
            raise forms.ValidationError(
                _("No such CI: {numbers}.").format(numbers=", ".join(unknown))
            )
        return {str(found[number]): version for number, version in wanted.items()}


class ReleaseCreateForm(_ReleaseFields):
    class Meta(_ReleaseFields.Meta):
        fields = ["kind", *_ReleaseFields.Meta.fields]


class ReleaseEditForm(VersionedFormMixin, _ReleaseFields):
    pass


class TestForm(TablerFormMixin, forms.Form):
    subject = forms.CharField(label=_("what was tested"), max_length=200)
    result = forms.ChoiceField(label=_("result"), choices=TestResult.choices)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class DecisionForm(TablerFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReleaseTransitionForm(forms.Form):
    """A release's status change (``core.form_views.TransitionView``), with what a rollback
    records."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)
    outcome_note = forms.CharField(required=False, max_length=20000)

    @staticmethod
    def outcome(data: dict) -> dict:
        if data["to"] == ReleaseStatus.ROLLED_BACK:
            return {"outcome_note": data["outcome_note"]}
        return {}


class RollbackForm(TablerFormMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput, initial=ReleaseStatus.ROLLED_BACK.value)
    outcome_note = forms.CharField(
        label=_("what failed and how it was rolled back"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
