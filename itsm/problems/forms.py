"""Forms of the problem management pages. They validate input; the views call the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.forms import VersionedFormMixin
from itsm.core.models import Team
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers
from itsm.problems.choices import CauseCategory, RcaMethod
from itsm.problems.models import DetectionRule, KnownError, Problem

PROBLEM_FIELDS = (
    "title",
    "description",
    "priority",
    "manager",
    "assignment_group",
    "service",
    "category",
)
ANALYSIS_FIELDS = (
    "rca_method",
    "root_cause",
    "cause_category",
    "workaround",
    "fix",
    "fix_change",
)
KNOWN_ERROR_FIELDS = ("title", "symptoms", "workaround", "root_cause", "service", "category")


def _categories(form, user) -> None:
    from itsm.desk import selectors as desk

    limit_choices(form, "category", desk.categories_for(user).order_by("code"))


class ProblemForm(TablerFormMixin, forms.ModelForm):
    manager = PickerField("core.staff", label=_("problem manager"), required=False)
    service = PickerField("catalog.service", label=_("affected service"), required=False)
    cis = PickerMultipleField(
        "cmdb.ci",
        label=_("affected CIs"),
        required=False,
        help_text=_("Type part of a number or name and pick the configuration items."),
    )
    incidents = PickerMultipleField(
        "desk.ticket",
        label=_("incidents"),
        required=False,
        help_text=_("The incidents this problem causes (type a number or summary)."),
    )

    class Meta:
        model = Problem
        fields = [*PROBLEM_FIELDS, "cis", "incidents"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "assignment_group", Team.objects.filter(is_active=True))
        _categories(self, user)
        bind_pickers(self, user)


def _fix_change_field() -> PickerField:
    """The change that removes the cause, among the changes the user may see (the picker's
    rows are ``restrict(user, "view")``, as ``change.selectors.changes_for``)."""
    return PickerField(
        "change.change",
        label=_("fix change"),
        required=False,
        help_text=_("The change that removes the cause (type a number or a title)."),
    )


class ProblemEditForm(VersionedFormMixin, TablerFormMixin, forms.ModelForm):
    manager = PickerField("core.staff", label=_("problem manager"), required=False)
    service = PickerField("catalog.service", label=_("affected service"), required=False)
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)
    fix_change = _fix_change_field()

    class Meta:
        model = Problem
        fields = [*PROBLEM_FIELDS, "cis", *ANALYSIS_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 3}),
            "fix": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "assignment_group", Team.objects.filter(is_active=True))
        _categories(self, user)
        bind_pickers(self, user)
        self.initial.setdefault("cis", list(self.instance.cis.order_by("number")))


class ProblemTransitionForm(forms.Form):
    """A problem's status change, with the analysis the move may need."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)
    rca_method = forms.ChoiceField(choices=[("", "—"), *RcaMethod.choices], required=False)
    root_cause = forms.CharField(required=False, max_length=20000)
    cause_category = forms.ChoiceField(choices=[("", "—"), *CauseCategory.choices], required=False)
    workaround = forms.CharField(required=False, max_length=20000)
    fix = forms.CharField(required=False, max_length=20000)
    #: the fix change's number as the picker posts it (``FixChangeForm``); the view resolves
    #: it among the changes the user may see
    fix_change = forms.CharField(required=False, max_length=40)

    @staticmethod
    def analysis(data: dict) -> dict:
        """The analysis fields given in the cleaned *data* (empty ones keep what the problem
        holds; ``fix_change`` is still the typed number)."""
        return {name: data[name] for name in ANALYSIS_FIELDS if data.get(name)}


class FixChangeForm(forms.Form):
    """The fix change's picker in the "resolve" step of the problem page."""

    fix_change = _fix_change_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class LinkIncidentsForm(TablerFormMixin, forms.Form):
    incidents = PickerMultipleField("desk.ticket", label=_("incidents"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class KnownErrorForm(TablerFormMixin, forms.ModelForm):
    problem = PickerField("problems.problem", label=_("problem"), required=False)
    service = PickerField("catalog.service", label=_("affected service"), required=False)
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)
    incidents = PickerMultipleField("desk.ticket", label=_("incidents"), required=False)

    class Meta:
        model = KnownError
        fields = [*KNOWN_ERROR_FIELDS, "problem", "cis", "incidents"]
        widgets = {
            "symptoms": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _categories(self, user)
        bind_pickers(self, user)


class KnownErrorEditForm(VersionedFormMixin, TablerFormMixin, forms.ModelForm):
    service = PickerField("catalog.service", label=_("affected service"), required=False)
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)

    class Meta:
        model = KnownError
        fields = [*KNOWN_ERROR_FIELDS, "cis"]
        widgets = KnownErrorForm.Meta.widgets

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _categories(self, user)
        bind_pickers(self, user)
        self.initial.setdefault("cis", list(self.instance.cis.order_by("number")))


class AcceptForm(TablerFormMixin, forms.Form):
    title = forms.CharField(label=_("summary"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("priority"), choices=Priority.choices, initial="p3")
    manager = PickerField("core.staff", label=_("problem manager"), required=False)
    note = forms.CharField(label=_("note"), max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class DismissForm(TablerFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000, required=False)


class RuleForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = DetectionRule
        fields = ["name", "dimension", "threshold", "window_days", "is_active"]


class RuleEditForm(VersionedFormMixin, RuleForm):
    pass
