"""Configuration pages of change management (change managers; administrators): standard
change templates, the risk questionnaire and its thresholds, CABs, maintenance and blackout
windows — create, edit and delete (or deactivate). Every write goes through
``itsm.change.services.config`` (``core.form_views``); the rows have no page of their own, so
each form leads back to its list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.change.forms import (
    TEMPLATE_FORM_FIELDS,
    WINDOW_FORM_FIELDS,
    BoardEditForm,
    BoardForm,
    QuestionEditForm,
    QuestionForm,
    TemplateEditForm,
    TemplateForm,
    ThresholdEditForm,
    ThresholdForm,
    WindowEditForm,
    WindowForm,
)
from itsm.change.models import AdvisoryBoard, ChangeTemplate, RiskQuestion, RiskThreshold, Window
from itsm.change.services import config
from itsm.core import policy
from itsm.core.form_views import RecordCreateView, RecordEditView, action_post, changed_values
from itsm.core.generic_views import get_restricted_or_404


class _ConfigCreate(RecordCreateView):
    """A configuration row's create page: back to its list afterwards."""

    staff_only = True
    success_message = gettext_lazy("Saved.")

    def success_url_for(self, obj) -> str:
        return reverse(self.list_url_name)


class _ConfigEdit(RecordEditView):
    """A configuration row's edit page: only the changed fields go to the service; back to
    the list afterwards (and Cancel leads there)."""

    staff_only = True
    success_message = gettext_lazy("Saved.")
    list_url_name: str
    #: the delete action of the row ("": deactivated through its "active" box instead)
    delete_url_name = ""
    fields: tuple[str, ...]

    def success_url_for(self, obj) -> str:
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse(self.list_url_name)
        if self.delete_url_name and policy.can(self.request.user, self.model, "delete"):
            context["delete_url"] = reverse(self.delete_url_name, args=[self.object.pk])
            context["delete_confirm"] = _("The row is deleted for good.")
        return context

    def perform(self, form):
        fields = changed_values(form, self.fields)
        if fields:
            fresh = type(self.object).objects.get(pk=self.object.pk)
            self.apply(fresh, fields, version=form.cleaned_data["version"])
        return self.object

    def apply(self, obj, fields: dict, *, version):  # pragma: no cover - every subclass
        raise NotImplementedError


def _delete(request, obj, *, perform, list_url_name: str, heading: str, consequence: str):
    return action_post(
        request,
        perform,
        success=_("Deleted."),
        next_url=reverse(list_url_name),
        model=type(obj),
        confirm={
            "heading": heading,
            "consequence": consequence,
            "button": _("Delete"),
            "cancel_url": reverse(list_url_name),
        },
    )


# --- standard change templates ----------------------------------------------------------------


class TemplateCreate(_ConfigCreate):
    model = ChangeTemplate
    form_class = TemplateForm
    list_url_name = "change:template_list"

    def perform(self, form):
        return config.create_template(by=self.request.user, **form.cleaned_data)


class TemplateEdit(_ConfigEdit):
    model = ChangeTemplate
    form_class = TemplateEditForm
    detail_url_name = "change:template_edit"
    delete_url_name = "change:template_delete"
    list_url_name = "change:template_list"
    fields = TEMPLATE_FORM_FIELDS
    template_name = "change/config_form.html"

    def apply(self, obj, fields, *, version):
        config.update_template(obj, by=self.request.user, expected_version=version, **fields)


@login_required
@require_POST
def template_delete(request, pk: int):
    template = get_restricted_or_404(request, ChangeTemplate, pk, "delete")
    return _delete(
        request,
        template,
        perform=lambda: config.delete_template(template, by=request.user),
        list_url_name="change:template_list",
        heading=_("Delete the template “{name}”?").format(name=template),
        consequence=_("Standard changes can no longer be raised from it."),
    )


# --- risk questionnaire -----------------------------------------------------------------------


class QuestionCreate(_ConfigCreate):
    model = RiskQuestion
    form_class = QuestionForm
    list_url_name = "change:question_list"

    def perform(self, form):
        return config.create_question(by=self.request.user, **form.cleaned_data)


class QuestionEdit(_ConfigEdit):
    model = RiskQuestion
    form_class = QuestionEditForm
    detail_url_name = "change:question_edit"
    delete_url_name = "change:question_delete"
    list_url_name = "change:question_list"
    fields = ("order", "text", "answers", "is_active")
    template_name = "change/config_form.html"

    def apply(self, obj, fields, *, version):
        config.update_question(obj, by=self.request.user, expected_version=version, **fields)


@login_required
@require_POST
def question_delete(request, pk: int):
    question = get_restricted_or_404(request, RiskQuestion, pk, "delete")
    return _delete(
        request,
        question,
        perform=lambda: config.delete_question(question, by=request.user),
        list_url_name="change:question_list",
        heading=_("Delete the question “{name}”?").format(name=question),
        consequence=_("Changes are no longer asked it; their scores stay as assessed."),
    )


class ThresholdCreate(_ConfigCreate):
    model = RiskThreshold
    form_class = ThresholdForm
    list_url_name = "change:threshold_list"

    def perform(self, form):
        return config.create_threshold(by=self.request.user, **form.cleaned_data)


class ThresholdEdit(_ConfigEdit):
    model = RiskThreshold
    form_class = ThresholdEditForm
    detail_url_name = "change:threshold_edit"
    delete_url_name = "change:threshold_delete"
    list_url_name = "change:threshold_list"
    fields = ("level", "min_score", "approval_path")
    template_name = "change/config_form.html"

    def apply(self, obj, fields, *, version):
        config.update_threshold(obj, by=self.request.user, expected_version=version, **fields)


@login_required
@require_POST
def threshold_delete(request, pk: int):
    threshold = get_restricted_or_404(request, RiskThreshold, pk, "delete")
    return _delete(
        request,
        threshold,
        perform=lambda: config.delete_threshold(threshold, by=request.user),
        list_url_name="change:threshold_list",
        heading=_("Delete the threshold “{name}”?").format(name=threshold),
        consequence=_("Changes assessed from now on no longer reach this risk level."),
    )


# --- CABs -------------------------------------------------------------------------------------


class BoardCreate(_ConfigCreate):
    model = AdvisoryBoard
    form_class = BoardForm
    list_url_name = "change:board_list"

    def perform(self, form):
        data = dict(form.cleaned_data)
        members = list(data.pop("members") or [])
        return config.create_board(by=self.request.user, members=members, **data)


class BoardEdit(_ConfigEdit):
    model = AdvisoryBoard
    form_class = BoardEditForm
    detail_url_name = "change:board_edit"
    list_url_name = "change:board_list"
    fields = ("code", "name", "is_emergency", "members", "quorum", "veto", "is_active")
    template_name = "change/config_form.html"

    def apply(self, obj, fields, *, version):
        members = fields.pop("members", None)
        config.update_board(
            obj,
            by=self.request.user,
            expected_version=version,
            members=list(members) if members is not None else None,
            **fields,
        )


# --- windows ----------------------------------------------------------------------------------


class WindowCreate(_ConfigCreate):
    model = Window
    form_class = WindowForm
    list_url_name = "change:window_list"

    def perform(self, form):
        return config.create_window(by=self.request.user, **form.cleaned_data)


class WindowEdit(_ConfigEdit):
    model = Window
    form_class = WindowEditForm
    detail_url_name = "change:window_edit"
    delete_url_name = "change:window_delete"
    list_url_name = "change:window_list"
    fields = WINDOW_FORM_FIELDS
    template_name = "change/config_form.html"

    def apply(self, obj, fields, *, version):
        config.update_window(obj, by=self.request.user, expected_version=version, **fields)


@login_required
@require_POST
def window_delete(request, pk: int):
    window = get_restricted_or_404(request, Window, pk, "delete")
    return _delete(
        request,
        window,
        perform=lambda: config.delete_window(window, by=request.user),
        list_url_name="change:window_list",
        heading=_("Delete the window “{name}”?").format(name=window),
        consequence=_("Conflict checks no longer consider it."),
    )
