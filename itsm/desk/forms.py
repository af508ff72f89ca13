"""Forms of the desk pages. They validate input; the views hand it to the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.forms import VersionedFormMixin
from itsm.core.models import Team
from itsm.core.pickers import PickerField, PickerMultipleField, bind_pickers
from itsm.desk import selectors
from itsm.desk.choices import (
    PENDING_STATES,
    CallbackOutcome,
    EntryKind,
    EscalationKind,
    Impact,
    ResolutionCode,
    TicketKind,
    Urgency,
)
from itsm.desk.models import Ticket


class ConsoleForm(TablerFormMixin, forms.Form):
    """The agent console: log a call in a few keystrokes."""

    caller = PickerField("desk.caller", label=_("caller"), required=False)
    customer = PickerField(
        "core.customer",
        label=_("customer"),
        required=False,
        help_text=_("Taken from the caller when empty."),
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=TicketKind.choices, initial=TicketKind.INCIDENT
    )
    service = PickerField("catalog.service", label=_("service"), required=False)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Ticket.objects.none(), required=False
    )
    title = forms.CharField(label=_("summary"), max_length=200, required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    impact = forms.ChoiceField(label=_("impact"), choices=Impact.choices, initial=Impact.MEDIUM)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM)
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)
    call_started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    answered = forms.BooleanField(label=_("call answered"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(
            self,
            "category",
            selectors.categories_for(user).filter(is_active=True).order_by("order", "code"),
        )
        self.fields["call_started_at"].initial = timezone.now()

    def clean(self):
        data = super().clean() or {}
        caller, customer = data.get("caller"), data.get("customer")
        if customer is None and caller is not None:
            data["customer"] = caller.organisation
        if data.get("customer") is None and caller is None:
            self.add_error("customer", _("Choose the caller or the customer."))
        return data


class TicketEditForm(VersionedFormMixin, TablerFormMixin, forms.ModelForm):
    cis = PickerMultipleField("cmdb.ci", label=_("affected CIs"), required=False)
    service = PickerField("catalog.service", label=_("service"), required=False)
    contact = PickerField("desk.caller", label=_("contact"), required=False)

    class Meta:
        model = Ticket
        fields = [
            "title",
            "description",
            "category",
            "impact",
            "urgency",
            "priority",
            "service",
            "contact",
            "contact_email",
            "cis",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(self, "category", selectors.categories_for(user).order_by("order", "code"))
        self.fields["priority"].help_text = _("Empty: from the impact × urgency matrix.")
        self.fields["priority"].required = False


class PortalTicketForm(TablerFormMixin, forms.Form):
    """A customer reports an incident or asks a question in the portal."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=TicketKind.choices, initial=TicketKind.INCIDENT
    )
    title = forms.CharField(label=_("summary"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 5}))
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM)


class ReplyForm(TablerFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[(k.value, k.label) for k in (EntryKind.REPLY, EntryKind.NOTE, EntryKind.COMMENT)],
    )
    body = forms.CharField(
        label=_("text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    time_spent_minutes = forms.IntegerField(
        label=_("time spent (minutes)"), min_value=0, max_value=1440, required=False
    )


class AssignForm(TablerFormMixin, forms.Form):
    assignment_group = forms.ModelChoiceField(
        label=_("assignment group"), queryset=Team.objects.none()
    )
    assignee = PickerField("core.staff", label=_("assignee"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)
        limit_choices(
            self,
            "assignment_group",
            Team.objects.restrict(user, "view").filter(is_active=True).order_by("name"),
        )


class ReasonForm(TablerFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WaitForm(TablerFormMixin, forms.Form):
    on = forms.ChoiceField(
        label=_("waiting for"), choices=[(s.value, s.label) for s in PENDING_STATES]
    )
    note = forms.CharField(label=_("note"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ResolveForm(TablerFormMixin, forms.Form):
    resolution_code = forms.ChoiceField(label=_("resolution code"), choices=ResolutionCode.choices)
    resolution = forms.CharField(
        label=_("resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    resolve_children = forms.BooleanField(label=_("resolve the child tickets too"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EscalateForm(TablerFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("escalation"), choices=EscalationKind.choices)
    reason = forms.CharField(label=_("reason"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(TablerFormMixin, forms.Form):
    note = forms.CharField(label=_("comment"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SurveyForm(TablerFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("score"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
    internal = forms.BooleanField(label=_("internal"), required=False)


class MergeForm(TablerFormMixin, forms.Form):
    into = PickerField("desk.ticket", label=_("merge into"))
    note = forms.CharField(label=_("note"), required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class ParentForm(TablerFormMixin, forms.Form):
    parent = PickerField("desk.ticket", label=_("parent ticket"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class SplitForm(TablerFormMixin, forms.Form):
    title = forms.CharField(label=_("summary of the new ticket"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MajorForm(TablerFormMixin, forms.Form):
    manager = PickerField("core.staff", label=_("major incident manager"))
    update_interval_minutes = forms.IntegerField(
        label=_("update every (minutes)"), min_value=5, max_value=1440, initial=30
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class UpdateForm(TablerFormMixin, forms.Form):
    message = forms.CharField(
        label=_("communication update"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    public = forms.BooleanField(label=_("tell the customer"), required=False, initial=True)


class ReviewForm(TablerFormMixin, forms.Form):
    summary = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.CharField(
        label=_("root cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    what_went_well = forms.CharField(
        label=_("what went well"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    what_went_wrong = forms.CharField(
        label=_("what went wrong"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    actions = forms.CharField(
        label=_("follow-up actions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CallbackForm(TablerFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=CallbackOutcome.choices)
    score = forms.TypedChoiceField(
        label=_("score (1–5)"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), *[(i, str(i)) for i in range(5, 0, -1)]],
    )
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class BulkForm(TablerFormMixin, forms.Form):
    """Several tickets of the queue at once: assign them to a group (and person), or resolve."""

    ids = forms.ModelMultipleChoiceField(queryset=Ticket.objects.none())
    action = forms.ChoiceField(
        choices=[("assign", _("Assign")), ("resolve", _("Resolve"))], label=_("action")
    )
    assignment_group = forms.ModelChoiceField(
        label=_("assignment group"), queryset=Team.objects.none(), required=False
    )
    resolution_code = forms.ChoiceField(
        label=_("resolution code"), choices=ResolutionCode.choices, required=False
    )
    resolution = forms.CharField(label=_("resolution"), required=False, max_length=20000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "ids", selectors.tickets_for(user, "change"))
        limit_choices(
            self,
            "assignment_group",
            Team.objects.restrict(user, "view").filter(is_active=True).order_by("name"),
        )

    def clean(self):
        data = super().clean() or {}
        if data.get("action") == "assign" and not data.get("assignment_group"):
            self.add_error("assignment_group", _("Choose a group."))
        if data.get("action") == "resolve":
            if not data.get("resolution_code"):
                self.add_error("resolution_code", _("Choose a resolution code."))
            if not (data.get("resolution") or "").strip():
                self.add_error("resolution", _("Describe the resolution."))
        return data
