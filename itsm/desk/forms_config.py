"""Forms of the desk's configuration pages (categories, the priority matrix, dispatch rules,
canned responses, presence, group settings, clock pause rules). They validate input; the
views hand it to ``itsm.desk.services.config`` and ``entries``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.selectors import calendars_for
from itsm.core.choices import Priority
from itsm.core.form_helpers import TablerFormMixin, limit_choices, style_form
from itsm.core.forms import VersionedFormMixin
from itsm.core.models import Team
from itsm.core.pickers import PickerField, bind_pickers
from itsm.desk import selectors
from itsm.desk.choices import PENDING_STATES, Impact, Urgency
from itsm.desk.models import CannedResponse, Category, DispatchRule
from itsm.desk.services.entries import PLACEHOLDERS
from itsm.slm.selectors import agreements_for, all_agreements

#: ISO weekday numbers (1 = Monday), as the dispatch rules store them
WEEKDAYS = (
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
)


def _groups(user):
    return Team.objects.restrict(user, "view").filter(is_active=True).order_by("name")


# --- categories -------------------------------------------------------------------------------


class CategoryForm(TablerFormMixin, forms.ModelForm):
    """A new category of the tree."""

    class Meta:
        model = Category
        fields = ["code", "name", "parent", "kind", "order", "is_active"]
        help_texts = {"code": _("Dotted by level, e.g. hardware.pc (unique).")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        rows = selectors.categories_for(user).order_by("order", "code")
        if self.instance.pk:
            rows = rows.exclude(pk=self.instance.pk)
        limit_choices(self, "parent", rows)

    def validate_unique(self):
        """The service checks the code (its message names the clash)."""


class CategoryEditForm(VersionedFormMixin, CategoryForm):
    pass


# --- the priority matrix ----------------------------------------------------------------------


def cell_name(impact: str, urgency: str) -> str:
    return f"cell_{impact}_{urgency}"


class MatrixForm(TablerFormMixin, forms.Form):
    """The 3 × 3 impact × urgency grid: one priority per cell, all saved at once."""

    def __init__(self, *args, cells: dict[tuple[str, str], str], **kwargs):
        super().__init__(*args, **kwargs)
        for impact in Impact.values:
            for urgency in Urgency.values:
                self.fields[cell_name(impact, urgency)] = forms.ChoiceField(
                    label=_("Impact {impact} × urgency {urgency}").format(
                        impact=Impact(impact).label, urgency=Urgency(urgency).label
                    ),
                    choices=Priority.choices,
                    initial=cells.get((impact, urgency)),
                )
        style_form(self)  # the cells are added after the mixin styled the (empty) form

    def rows(self):
        """The grid for the template: per impact, its label and its cells' bound fields."""
        return [
            {
                "impact": Impact(impact),
                "cells": [self[cell_name(impact, urgency)] for urgency in Urgency.values],
            }
            for impact in Impact.values
        ]

    def cells(self) -> dict[tuple[str, str], str]:
        return {
            (impact, urgency): self.cleaned_data[cell_name(impact, urgency)]
            for impact in Impact.values
            for urgency in Urgency.values
        }


# --- dispatch rules ---------------------------------------------------------------------------

RULE_FORM_FIELDS = (
    "order",
    "name",
    "is_active",
    "kind",
    "category",
    "service",
    "ci",
    "customer",
    "channel",
    "weekdays",
    "time_from",
    "time_to",
    "team",
    "assign_mode",
)


class DispatchRuleForm(TablerFormMixin, forms.ModelForm):
    """A rule's conditions (empty: any) and where a matching ticket goes."""

    service = PickerField("catalog.service", label=_("service"), required=False)
    ci = PickerField("cmdb.ci", label=_("configuration item"), required=False)
    customer = PickerField("core.customer", label=_("customer"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )

    class Meta:
        model = DispatchRule
        fields = list(RULE_FORM_FIELDS)
        widgets = {"time_from": forms.TimeInput(), "time_to": forms.TimeInput()}
        help_texts = {
            "order": _("Rules are tried in this order; the first that matches wins."),
            "time_from": _("Empty with the next one: at any time of day."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(self, "category", selectors.categories_for(user).order_by("order", "code"))
        limit_choices(self, "team", _groups(user))
        if self.instance.pk:
            self.initial["weekdays"] = [str(d) for d in self.instance.weekdays or ()]

    def clean_weekdays(self):
        return sorted(self.cleaned_data.get("weekdays") or [])


class DispatchRuleEditForm(VersionedFormMixin, DispatchRuleForm):
    pass


# --- canned responses -------------------------------------------------------------------------


def placeholders_text() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


class CannedResponseForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "body", "team", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "team", _groups(user))
        self.fields["body"].help_text = _(
            "Placeholders filled in when the response is used: {names}."
        ).format(names=placeholders_text())


class CannedResponseEditForm(VersionedFormMixin, CannedResponseForm):
    pass


# --- presence, group settings, pause rules ----------------------------------------------------


class PresenceForm(TablerFormMixin, forms.Form):
    away = forms.BooleanField(
        label=_("away"),
        required=False,
        help_text=_("Automatic assignment skips a person who is away (leave, training …)."),
    )
    away_note = forms.CharField(label=_("note"), max_length=200, required=False)
    shift = forms.ModelChoiceField(
        label=_("shift (working hours)"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("A business calendar of the person's working hours; empty: always on."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "shift", calendars_for(user).order_by("name"))


class GroupSettingsForm(TablerFormMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("group"), queryset=Team.objects.none())
    next_line = forms.ModelChoiceField(
        label=_("next-line group"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Where a functional escalation sends the group's tickets."),
    )
    manager = PickerField(
        "core.staff",
        label=_("manager"),
        required=False,
        help_text=_("Told of a hierarchical escalation after the group leader."),
    )
    chat_channel = forms.SlugField(
        label=_("chat channel"),
        max_length=60,
        required=False,
        help_text=_("The name of a notification channel (DingTalk, WeCom, Feishu, Slack …)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(self, "team", _groups(user))
        limit_choices(self, "next_line", _groups(user))


class PauseRuleForm(TablerFormMixin, forms.Form):
    agreement = forms.ModelChoiceField(label=_("agreement"), queryset=all_agreements().none())
    pause_states = forms.MultipleChoiceField(
        label=_("states that pause the clocks"),
        choices=[(state.value, state.label) for state in PENDING_STATES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the clocks run in every pending state."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "agreement", agreements_for(user).order_by("number"))
