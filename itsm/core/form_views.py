"""Service-backed writes of HTML pages: create/edit forms, transitions and other record actions.

One way for every module:

* **a form page** (create or edit): a valid POST calls the service; its errors — a
  ``DomainError`` (``ValidationFailed``, ``InvalidTransition``, ``Conflict`` on a stale
  version …) or a Django ``ValidationError`` — go on the form through
  :func:`itsm.core.form_helpers.apply_errors` (per field where the form has it; a conflict is
  form-wide) and nothing is saved; success says so and redirects (normally to the record).
  Class views :class:`RecordCreateView` / :class:`RecordEditView`, function views
  :func:`form_page` (or :func:`save_form` when the page is not ``core/form.html``).
* **a POST action on a record** (transition, delete, decide, close …): the confirmation page
  first (``core.confirm``: transitions declared with ``confirm=``, or the view's
  ``confirm_action`` arguments), then the service; its errors become messages
  (:func:`message_errors`), success a message; then a redirect. :func:`transition_post`,
  :func:`action_post`, the class :class:`TransitionView`.

Access is checked before: 403 when the user may not change any row of the model, 404 for a
row outside ``restrict(user, action)`` (``itsm.core.generic_views``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View

from itsm.core import services
from itsm.core.confirm import confirm_action, confirm_transition
from itsm.core.errors import Conflict, DomainError, ValidationFailed
from itsm.core.form_helpers import apply_errors
from itsm.core.generic_views import PolicyMixin, get_restricted_or_404

#: what a service raises for input it refuses
WRITE_ERRORS = (DomainError, DjangoValidationError)

STATUS_CHANGED = _("Status changed.")

#: a text or URL, or a function of the service's result giving it
Computed = str | Promise | Callable[[Any], str | Promise]


def _computed(value: Computed, result) -> str:
    return str(value(result) if callable(value) else value)


# --- forms ------------------------------------------------------------------------------------


def save_form(
    request: HttpRequest, form: forms.BaseForm, perform: Callable[[], Any], *, success, next_url
) -> HttpResponse | None:
    """For a bound form: ``None`` when it is invalid or the service refused it (its errors are
    then on the form); else the success message (*success*, a text or a function of what
    *perform* returned) and a redirect to *next_url* (a URL or such a function)."""
    if not form.is_valid():
        return None
    try:
        result = perform()
    except WRITE_ERRORS as error:
        apply_errors(form, error)
        return None
    messages.success(request, _computed(success, result))
    return redirect(_computed(next_url, result))


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    perform: Callable[[], Any],
    *,
    success,
    next_url: Computed,
    heading,
    cancel_url: str,
    template: str = "core/form.html",
    context: dict | None = None,
) -> HttpResponse:
    """A create or edit page of a function view: the form (``core/form.html`` unless
    *template*); on POST :func:`save_form` — the service's errors on the form, or the success
    message and the redirect. *form* is bound on POST (``Form(request.POST or None, …)``)."""
    if request.method == "POST":
        response = save_form(request, form, perform, success=success, next_url=next_url)
        if response is not None:
            return response
    page = {"form": form, "heading": heading, "cancel_url": cancel_url, **(context or {})}
    return render(request, template, page)


def changed_values(form: forms.BaseForm, names) -> dict:
    """The cleaned values of the fields among *names* the user changed (an edit sends only
    those to the service, so an unchanged save writes nothing)."""
    return {name: form.cleaned_data[name] for name in names if name in form.changed_data}


class _FormViewBase(PolicyMixin, FormView):
    model: type[Model]
    template_name = "core/form.html"
    detail_url_name: str
    success_message = _("Saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "user" in inspect.signature(self.get_form_class()).parameters:
            kwargs["user"] = self.request.user
        return kwargs

    def success_url_for(self, obj) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": obj.pk})

    def form_valid(self, form):
        response = save_form(
            self.request,
            form,
            lambda: self.saved(form),
            success=self.success_message,
            next_url=self.success_url_for,
        )
        return response or self.form_invalid(form)

    def saved(self, form):
        """The record the redirect goes to: what :meth:`perform` returns."""
        return self.perform(form)

    def perform(self, form):  # pragma: no cover - every subclass implements it
        """Call the service; return the record (the redirect goes to its page)."""
        raise NotImplementedError


class RecordCreateView(_FormViewBase):
    """``perform(form)`` calls the create service and returns the new record."""

    action = "add"
    list_url_name: str

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = _("New {model}").format(model=self.model._meta.verbose_name)
        context["cancel_url"] = reverse(self.list_url_name)
        return context


class RecordEditView(_FormViewBase):
    """``perform(form)`` calls the update service (``self.update(form, names)`` for a plain
    ``update_record`` of the changed fields); the form carries ``version``."""

    action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_restricted_or_404(
                request, self.model, kwargs["pk"], self.action, queryset=self.base_queryset()
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"version": self.object.version}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def saved(self, form):
        return self.perform(form) or self.object  # an update service may return nothing

    def update(self, form, names):
        fields = changed_values(form, names)
        if fields:
            services.update_record(
                self.object,
                by=self.request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["heading"] = _("Edit {model}: {name}").format(
            model=self.model._meta.verbose_name, name=self.object
        )
        context["cancel_url"] = reverse(self.detail_url_name, kwargs={"pk": self.object.pk})
        return context


# --- actions ----------------------------------------------------------------------------------


def _label(model, form, name) -> str:
    if name in (None, NON_FIELD_ERRORS):
        return ""
    if form is not None and name in form.fields:
        return str(capfirst(form.fields[name].label or name))
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        # a reverse relation (e.g. a calendar's ``days``) has no verbose name of its own
        verbose = getattr(field, "verbose_name", None)
        if not verbose:
            related = getattr(field, "related_model", None)
            verbose = related._meta.verbose_name_plural if related is not None else name
        return str(capfirst(verbose))
    return name


def error_texts(error, *, model=None) -> list[str]:
    """The messages of a service error — its detail, then each field's messages prefixed with
    the field's label (*model*'s verbose name where it has the field); a conflict only its
    detail — or of an invalid form (each field's messages with the field's label)."""
    if isinstance(error, forms.BaseForm):
        return [
            ": ".join(filter(None, (_label(model, error, name), str(message))))
            for name, errors in error.errors.items()
            for message in errors
        ]
    if isinstance(error, DjangoValidationError):
        error = ValidationFailed.from_django(error)
    if isinstance(error, Conflict):  # the versions compared say nothing to the user
        return [str(error.detail)]
    texts = [str(error.detail)]
    for name, errors in (error.fields or {}).items():
        label = _label(model, None, name)
        texts.extend(": ".join(filter(None, (label, str(message)))) for message in errors)
    return texts


def message_errors(request: HttpRequest, error, *, model=None) -> None:
    """A service error (or an invalid form) as error messages on the next page."""
    for text in error_texts(error, model=model):
        messages.error(request, text)


def action_post(
    request: HttpRequest,
    perform: Callable[[], Any],
    *,
    success: Computed,
    next_url: Computed,
    error_url: str | None = None,
    model=None,
    form: forms.BaseForm | None = None,
    confirm: dict | None = None,
) -> HttpResponse:
    """A POST action on a record: with *confirm* (``confirm_action`` arguments) the
    confirmation page until the POST carries ``confirmed=yes``; an invalid *form* → its errors
    as messages; then *perform* (the service): its errors as messages (labels from *model*)
    and a redirect to *error_url* (default *next_url*), or the *success* message and a
    redirect to *next_url* (either may be a function of what *perform* returned)."""
    fallback = error_url or next_url
    if not isinstance(fallback, str):
        raise TypeError("action_post: give error_url when next_url is a function")
    if confirm is not None:
        confirmation = confirm_action(request, **confirm)
        if confirmation is not None:
            return confirmation
    if form is not None and not form.is_valid():
        message_errors(request, form, model=model)
        return redirect(fallback)
    try:
        result = perform()
    except WRITE_ERRORS as error:
        message_errors(request, error, model=model)
        return redirect(fallback)
    if success:
        messages.success(request, _computed(success, result))
    return redirect(_computed(next_url, result))


def transition_post(
    request: HttpRequest,
    obj,
    *,
    to: str,
    perform: Callable[[], Any],
    next_url: str,
    success: Computed = STATUS_CHANGED,
    machine=None,
) -> HttpResponse:
    """Move *obj* to *to*: the confirmation page when the transition is declared with
    ``confirm=`` and the POST does not carry ``confirmed=yes`` yet; else *perform* (the
    service, which checks the move) — its errors as messages, or *success* — and a redirect
    to *next_url* (normally the record's page)."""
    confirmation = confirm_transition(request, obj, to, cancel_url=next_url, machine=machine)
    if confirmation is not None:
        return confirmation
    return action_post(request, perform, success=success, next_url=next_url, model=type(obj))


class TransitionForm(forms.Form):
    """The fields every transition button posts (``core/_action_form.html``): the target
    state, the version the user saw and an optional note."""

    to = forms.CharField(max_length=40)
    version = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(required=False, max_length=2000)


class TransitionView(PolicyMixin, View):
    """POST ``…/<pk>/transition/``: 403 for a user who may not change any row of ``model``,
    404 for a row outside ``restrict(user, "change")``, then :func:`transition_post` with
    ``perform(obj, data)`` (the service call; *data* is the cleaned ``form_class``)."""

    action = "change"
    #: 404 for a row the user may not see, 403 for a visible one they may not change
    visible_first = True
    http_method_names = ["post"]
    form_class: type[forms.Form] = TransitionForm
    detail_url_name: str
    invalid_message = _("The status change could not be read; reload the page.")

    def post(self, request, pk):
        obj = get_restricted_or_404(
            request,
            self.model,
            pk,
            self.action,
            queryset=self.base_queryset(),
            visible_first=self.visible_first,
        )
        next_url = reverse(self.detail_url_name, kwargs={"pk": obj.pk})
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, self.invalid_message)
            return redirect(next_url)
        data = form.cleaned_data
        return transition_post(
            request,
            obj,
            to=data["to"],
            perform=lambda: self.perform(obj, data),
            next_url=next_url,
            success=lambda result: self.success_text(obj),
        )

    def success_text(self, obj) -> str:
        """The message after the move (*obj* is in its new state)."""
        return str(STATUS_CHANGED)

    def perform(self, obj, data):  # pragma: no cover - every subclass implements it
        raise NotImplementedError


# --- records reviewed by a second person (four eyes) -------------------------------------------


#: the moves only a second person may make on a record in review (the submitter may not)
REVIEW_DECISIONS = ("publish", "reject")


def four_eyes_transitions(obj, transitions, *, user, review_status: str) -> tuple[list, bool]:
    """*transitions* (``record_context``'s) of a record reviewed by a second person: while
    *obj* is in *review_status* and *user* submitted it, without the review's decisions
    (:data:`REVIEW_DECISIONS`; the service refuses them too). Returns the moves and whether
    that rule applies (the page says so)."""
    four_eyes = obj.status == review_status and obj.submitted_by_id == user.pk
    if four_eyes:
        transitions = [t for t in transitions if t.name not in REVIEW_DECISIONS]
    return list(transitions), four_eyes


def save_versioned_edit(
    form: forms.BaseForm,
    *,
    model: type[Model],
    pk,
    update: Callable[..., Any],
    by,
    names,
    related: dict[str, str] | None = None,
):
    """An edit page's save: the changed values among *names*, and each changed *related*
    form field (form name → service argument) as a list, passed to *update* (the service:
    ``update(row, by=…, expected_version=…, **fields)``) with the version the form carried, on
    the row read afresh in one transaction."""
    data = form.cleaned_data
    fields = changed_values(form, names)
    for name, argument in (related or {}).items():
        if name in form.changed_data:
            fields[argument] = list(data[name] or [])
    with transaction.atomic():
        fresh = model._default_manager.get(pk=pk)
        return update(fresh, by=by, expected_version=data["version"], **fields)


class StatusTransitionView(TransitionView):
    """A :class:`TransitionView` whose service is ``transition(obj, *, to, by, note,
    expected_version)`` and whose success message names the new status (its label in
    ``status_choices``)."""

    #: the service, e.g. ``staticmethod(services.transition_article)``
    transition: Callable[..., Any]
    status_choices: Any

    def perform(self, obj, data):
        return self.transition(
            obj,
            to=data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
        )

    def success_text(self, obj) -> str:
        return str(
            _("Status is now “{status}”.").format(status=self.status_choices(obj.status).label)
        )


def delete_draft_post(
    request: HttpRequest,
    obj,
    perform: Callable[[], Any],
    *,
    success,
    consequence,
    list_url: str,
    detail_url: str,
) -> HttpResponse:
    """POST "delete draft" of a record with a draft → review → published lifecycle: asks
    first ("Delete the draft …?", *consequence*), then *perform* (the service, which refuses a
    record that was ever published), then the list (*list_url*) or, on error, the record."""
    return action_post(
        request,
        perform,
        success=success,
        next_url=list_url,
        error_url=detail_url,
        model=type(obj),
        confirm={
            "heading": _("Delete the draft “{record}”?").format(record=obj),
            "consequence": consequence,
            "button": _("Delete draft"),
            "cancel_url": detail_url,
            "record": obj,
        },
    )
