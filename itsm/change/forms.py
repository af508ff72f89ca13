"""Forms of change management; CIs, services, people and templates through type-ahead
pickers (``core.pickers``)."""

from __future__ import annotations

import zoneinfo
from functools import partial

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import ChangeStatus, Vote
from itsm.change.models import (
    AdvisoryBoard,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.forms import VersionedFormMixin
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers

CHANGE_FORM_FIELDS = (
    "title",
    "category",
    "description",
    "reason",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "planned_start",
    "planned_end",
    "cis",
    "services",
    "owner",
    "implementer",
    "internal_notes",
)


class _ChangeFields(TablerFormMixin, forms.ModelForm):
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)
    services = PickerMultipleField("catalog.service", label=_("affected services"), required=False)
    owner = PickerField("core.staff", label=_("change owner"), required=False)
    implementer = PickerField("core.staff", label=_("implementer"), required=False)

    class Meta:
        model = Change
        fields = list(CHANGE_FORM_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "reason",
                "implementation_plan",
                "backout_plan",
                "test_plan",
                "internal_notes",
            )
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class ChangeCreateForm(_ChangeFields):
    template = PickerField(
        "change.template",
        label=_("standard change template"),
        required=False,
        help_text=_("A standard change comes from a pre-approved template."),
    )

    class Meta(_ChangeFields.Meta):
        fields = ["kind", "template", *CHANGE_FORM_FIELDS]


class ChangeEditForm(VersionedFormMixin, _ChangeFields):
    pass


class RescheduleForm(TablerFormMixin, forms.Form):
    planned_start = forms.DateTimeField(label=_("planned start"))
    planned_end = forms.DateTimeField(label=_("planned end"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(TablerFormMixin, forms.Form):
    vote = forms.ChoiceField(label=_("decision"), choices=Vote.choices)
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}))


class ChangeTransitionForm(forms.Form):
    """A change's status change (``core.form_views.TransitionView``), with what a failure or
    the closing review records."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)
    outcome_note = forms.CharField(required=False, max_length=20000)
    rolled_back = forms.BooleanField(required=False)
    review_note = forms.CharField(required=False, max_length=20000)

    @staticmethod
    def outcome(data: dict) -> dict:
        """The failure's or the review's fields for ``changes.move``."""
        if data["to"] == ChangeStatus.FAILED:
            return {"outcome_note": data["outcome_note"], "rolled_back": data["rolled_back"]}
        if data["to"] == ChangeStatus.CLOSED:
            return {"review_note": data["review_note"]}
        return {}


class FailForm(TablerFormMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput, initial=ChangeStatus.FAILED.value)
    outcome_note = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    rolled_back = forms.BooleanField(label=_("rolled back"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CloseForm(TablerFormMixin, forms.Form):
    to = forms.CharField(widget=forms.HiddenInput, initial=ChangeStatus.CLOSED.value)
    review_note = forms.CharField(
        label=_("post-implementation review"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssessForm(TablerFormMixin, forms.Form):
    """One choice field per active question of the risk questionnaire (``q<id>``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(RiskQuestion.objects.filter(is_active=True).order_by("order", "id"))
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                coerce=int,
                choices=[
                    (index, "{} ({})".format(answer["label"], answer.get("weight", 0)))
                    for index, answer in enumerate(question.answers)
                ],
                initial=(initial_answers or {}).get(str(question.pk)),
            )
        self.order_fields(["version", *(f"q{q.pk}" for q in self.questions)])

    def answers(self) -> dict:
        return {str(q.pk): self.cleaned_data[f"q{q.pk}"] for q in self.questions}


WINDOW_FORM_FIELDS = (
    "kind",
    "name",
    "ci",
    "service",
    "agreement",
    "starts_at",
    "ends_at",
    "weekdays",
    "start_time",
    "end_time",
    "time_zone",
    "note",
    "is_active",
)

# --- configuration (change managers) ----------------------------------------------------------

TEMPLATE_FORM_FIELDS = (
    "code",
    "name",
    "category",
    "description",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "duration_minutes",
    "is_active",
)


class TemplateForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = ChangeTemplate
        fields = list(TEMPLATE_FORM_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description", "implementation_plan", "backout_plan", "test_plan")
        }


class TemplateEditForm(VersionedFormMixin, TemplateForm):
    pass


class AnswersField(forms.CharField):
    """A question's answers, one a line as “answer | score”; stored as
    ``[{"label": …, "weight": …}]``."""

    widget = forms.Textarea(attrs={"rows": 4})
    default_error_messages = {
        "line": _("Line {n}: write “answer | score” with a whole number as the score."),
    }

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                "{} | {}".format(answer.get("label", ""), answer.get("weight", 0))
                for answer in value
                if isinstance(answer, dict)
            )
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        answers = []
        for n, line in enumerate(str(value or "").splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, score = line.rpartition("|")
            try:
                weight = int(score.strip())
            except ValueError:
                weight = -1
            if not sep or not label.strip() or weight < 0:
                raise forms.ValidationError(
                    str(self.error_messages["line"]).format(n=n), code="line"
                )
            answers.append({"label": label.strip(), "weight": weight})
        return answers

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


class QuestionForm(TablerFormMixin, forms.ModelForm):
    answers = AnswersField(
        label=_("answers"),
        help_text=_("One answer a line: the answer, a “|”, then its score (0 or more)."),
    )

    class Meta:
        model = RiskQuestion
        fields = ["order", "text", "answers", "is_active"]


class QuestionEditForm(VersionedFormMixin, QuestionForm):
    pass


class ThresholdForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = RiskThreshold
        fields = ["level", "min_score", "approval_path"]


class ThresholdEditForm(VersionedFormMixin, ThresholdForm):
    pass


class BoardForm(TablerFormMixin, forms.ModelForm):
    members = PickerMultipleField("core.staff", label=_("members"), required=False)

    class Meta:
        model = AdvisoryBoard
        fields = ["code", "name", "is_emergency", "members", "quorum", "veto", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class BoardEditForm(VersionedFormMixin, BoardForm):
    pass


#: the zone database's old aliases and fixed offsets, left out of the choices (their areas' own
#: names, such as ``Asia/Tokyo`` for ``Japan``, are offered)
_LEGACY_AREAS = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


def _time_zones() -> list[tuple[str, str]]:
    """The IANA zones a person picks from: ``Area/City`` names and UTC, not the database's
    legacy aliases (``Japan``, ``Zulu``, ``Etc/GMT+8`` …) that name the same zones again."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(_LEGACY_AREAS)
    )
    return [(name, name) for name in ["UTC", *names]]


class WindowForm(TablerFormMixin, forms.ModelForm):
    ci = PickerField("cmdb.ci", label=_("configuration item"), required=False)
    service = PickerField("catalog.service", label=_("service"), required=False)
    agreement = PickerField(
        "slm.sla",
        label=_("agreement"),
        required=False,
        help_text=_("A maintenance window on an SLA: the planned interruptions it allows."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays"),
        coerce=int,
        required=False,
        choices=[(number, name) for number, name in WEEKDAYS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly window; leave empty for a one-off window."),
    )
    time_zone = forms.ChoiceField(label=_("time zone"), choices=_time_zones)

    class Meta:
        model = Window
        fields = list(WINDOW_FORM_FIELDS)
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "starts_at": _("A one-off window's start, or when a weekly window begins."),
            "ends_at": _("A one-off window's end, or when a weekly window ends."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("time_zone", getattr(user, "time_zone", "") or "Asia/Shanghai")
        kept = self.instance.time_zone if self.instance.pk else ""
        zones = _time_zones()
        if kept and kept not in {name for name, _label in zones}:  # an alias stored via the API
            field = self.fields["time_zone"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(kept, kept), *zones]


class WindowEditForm(VersionedFormMixin, WindowForm):
    pass


# --- CAB meetings -----------------------------------------------------------------------------

MEETING_FORM_FIELDS = (
    "board",
    "title",
    "starts_at",
    "ends_at",
    "location",
    "online_link",
    "attendees",
    "minutes",
)


class MeetingForm(TablerFormMixin, forms.ModelForm):
    board = PickerField("change.board", label=_("CAB"))
    attendees = PickerMultipleField("core.staff", label=_("attendees"), required=False)

    class Meta:
        model = CabMeeting
        fields = list(MEETING_FORM_FIELDS)
        widgets = {"minutes": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"online_link": partial(forms.URLField, assume_scheme="https")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class MeetingEditForm(VersionedFormMixin, MeetingForm):
    pass


class MeetingTransitionForm(forms.Form):
    """A meeting's status change, with the minutes closing it records."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)
    minutes = forms.CharField(required=False, max_length=50000)


class MeetingDecisionForm(DecisionForm):
    """A decision at a meeting on one change of its agenda."""

    change = forms.IntegerField(widget=forms.HiddenInput)
