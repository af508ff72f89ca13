"""Pages of problem management: problem and known error detail pages (lifecycle buttons, the
analysis, linked incidents, known errors, publishing), their create/edit/transition pages, the
proposed problems with the manager's decision, and the detection rules. Every write goes
through ``itsm.problems.services`` (``core.form_views``). Provider staff only: problems are
internal (customers get 403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.change.choices import ChangeStatus
from itsm.core.errors import ValidationFailed
from itsm.core.form_views import (
    RecordCreateView,
    RecordEditView,
    StatusTransitionView,
    action_post,
    changed_values,
)
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.problems import selectors, services
from itsm.problems.choices import KnownErrorStatus, ProblemStatus, ProposalStatus
from itsm.problems.forms import (
    ANALYSIS_FIELDS,
    KNOWN_ERROR_FIELDS,
    PROBLEM_FIELDS,
    AcceptForm,
    DismissForm,
    FixChangeForm,
    KnownErrorEditForm,
    KnownErrorForm,
    LinkIncidentsForm,
    ProblemEditForm,
    ProblemForm,
    ProblemTransitionForm,
    RuleEditForm,
    RuleForm,
)
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal
from itsm.problems.services import known_errors as known_error_services
from itsm.problems.services import problems as problem_services


def ticket_url(ticket) -> str:
    try:
        return reverse("desk:ticket_detail", args=[ticket.pk])
    except NoReverseMatch:
        return ""


def article_url(article_id) -> str:
    """The knowledge article's page ("" while the knowledge pages are not mounted)."""
    if article_id is None:
        return ""
    try:
        return reverse("knowledge:article_detail", args=[article_id])
    except NoReverseMatch:
        return ""


def _incidents(queryset) -> list[dict]:
    rows = queryset.select_related("customer").order_by("-opened_at", "-id")
    return [{"ticket": t, "url": ticket_url(t)} for t in rows]


def _linked_ticket(request, linked):
    """The linked incident named by the POST field ``incident`` (its id); 404 otherwise."""
    value = request.POST.get("incident", "")
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return get_object_or_404(linked, pk=int(value))


def incident_link_views(model, *, link, unlink, record_url):
    """The two POST views that link incidents to a problem or a known error (*model*): link
    (``LinkIncidentsForm``: incidents picked by number) and unlink (the POST field
    ``incident``), through the services *link* ``(record, tickets=…, by=…)`` and *unlink*
    ``(record, ticket=…, by=…)``; back to the record's page (*record_url*)."""

    @login_required
    @require_POST
    def link_view(request, pk: int):
        record = get_restricted_or_404(request, model, pk, "change", visible_first=True)
        form = LinkIncidentsForm(request.POST, user=request.user)
        return action_post(
            request,
            lambda: link(record, tickets=list(form.cleaned_data["incidents"]), by=request.user),
            success=_("Incidents linked."),
            next_url=record_url(record),
            model=model,
            form=form,
        )

    @login_required
    @require_POST
    def unlink_view(request, pk: int):
        record = get_restricted_or_404(request, model, pk, "change", visible_first=True)
        ticket = _linked_ticket(request, record.incidents.all())
        return action_post(
            request,
            lambda: unlink(record, ticket=ticket, by=request.user),
            success=_("Incident unlinked."),
            next_url=record_url(record),
            model=model,
        )

    return link_view, unlink_view


# --- problems ---------------------------------------------------------------------------------


def _problem_url(problem) -> str:
    return reverse("problems:problem_detail", args=[problem.pk])


@page(Problem, staff_only=True)
def problem_detail(request, pk: int):
    queryset = selectors.problems_for(request.user).select_related(
        "manager", "assignment_group", "service", "category", "fix_change"
    )
    problem = get_object_or_404(queryset, pk=pk)
    record = record_context(request, problem)
    frozen = problem.status in problem_services.FROZEN
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "can_change": record["can_change"] and not frozen,
            "transitions": record["transitions"],
            "incidents": _incidents(problem.incidents.all()),
            "cis": list(problem.cis.order_by("number")),
            "known_errors": list(problem.known_errors.order_by("-id")),
            "proposals": list(problem.proposals.order_by("-id")),
            "link_form": LinkIncidentsForm(user=request.user),
            "fix_form": FixChangeForm(
                user=request.user, initial={"fix_change": problem.fix_change_id}
            ),
            "status_choices": ProblemStatus,
            "change_status_choices": ChangeStatus,
        },
    )


class ProblemCreate(RecordCreateView):
    model = Problem
    form_class = ProblemForm
    detail_url_name = "problems:problem_detail"
    list_url_name = "problems:problem_list"
    staff_only = True
    success_message = gettext_lazy("Problem created.")

    def get_initial(self):
        initial = super().get_initial()
        numbers = [n for n in self.request.GET.get("incidents", "").split(",") if n.strip()]
        if numbers:
            initial["incidents"] = ",".join(numbers)
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.create_problem(
            by=self.request.user,
            cis=list(data["cis"]),
            incidents=list(data["incidents"]),
            **{name: data[name] for name in PROBLEM_FIELDS},
        )


class ProblemEdit(RecordEditView):
    model = Problem
    form_class = ProblemEditForm
    detail_url_name = "problems:problem_detail"
    staff_only = True
    success_message = gettext_lazy("Problem saved.")

    def perform(self, form):
        fields = changed_values(form, (*PROBLEM_FIELDS, *ANALYSIS_FIELDS))
        if "cis" in form.changed_data:
            fields["cis"] = list(form.cleaned_data["cis"])
        if fields:
            services.update_problem(
                Problem.objects.get(pk=self.object.pk),
                by=self.request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        return self.object


class ProblemTransition(StatusTransitionView):
    model = Problem
    form_class = ProblemTransitionForm
    detail_url_name = "problems:problem_detail"
    staff_only = True
    status_choices = ProblemStatus

    def perform(self, obj, data):
        analysis = ProblemTransitionForm.analysis(data)
        if "fix_change" in analysis:
            analysis["fix_change"] = _fix_change(self.request.user, analysis["fix_change"])
        services.move_problem(
            obj,
            to=data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
            **analysis,
        )


def _fix_change(user, number: str):
    """The change numbered *number* among those *user* may see, else an error naming the
    field (the picker posts the number)."""
    from itsm.change.selectors import changes_for

    change = changes_for(user).filter(number__iexact=number.strip()).first()
    if change is None:
        raise ValidationFailed(fields={"fix_change": [_("Unknown change.")]})
    return change


problem_link, problem_unlink = incident_link_views(
    Problem,
    link=problem_services.link_incidents,
    unlink=problem_services.unlink_incident,
    record_url=_problem_url,
)


# --- known errors -----------------------------------------------------------------------------


def _known_error_url(known_error) -> str:
    return reverse("problems:known_error_detail", args=[known_error.pk])


@page(KnownError, staff_only=True)
def known_error_detail(request, pk: int):
    queryset = selectors.known_errors_for(request.user).select_related(
        "problem", "service", "category"
    )
    known_error = get_object_or_404(queryset, pk=pk)
    record = record_context(request, known_error)
    suggestions = [
        {"ticket": t, "url": ticket_url(t)}
        for t in selectors.suggested_incidents(known_error, request.user)
    ]
    return render(
        request,
        "problems/known_error_detail.html",
        {
            "known_error": known_error,
            "can_change": record["can_change"] and known_error.status == "active",
            "transitions": record["transitions"],
            "incidents": _incidents(known_error.incidents.all()),
            "cis": list(known_error.cis.order_by("number")),
            "suggestions": suggestions,
            "article_url": article_url(known_error.article_id),
            "has_article": bool(selectors.existing_articles([known_error.article_id])),
            "link_form": LinkIncidentsForm(user=request.user),
        },
    )


class KnownErrorCreate(RecordCreateView):
    model = KnownError
    form_class = KnownErrorForm
    detail_url_name = "problems:known_error_detail"
    list_url_name = "problems:known_error_list"
    staff_only = True
    success_message = gettext_lazy("Known error recorded.")

    def get_initial(self):
        initial = super().get_initial()
        problem = self.request.GET.get("problem", "")
        if problem:
            found = selectors.problems_for(self.request.user).filter(number=problem).first()
            if found is not None:
                initial.update(
                    problem=found.number,
                    title=found.title,
                    symptoms=found.description,
                    workaround=found.workaround,
                    root_cause=found.root_cause,
                )
        return initial

    def perform(self, form):
        data = form.cleaned_data
        return services.create_known_error(
            by=self.request.user,
            problem=data["problem"],
            cis=list(data["cis"]),
            incidents=list(data["incidents"]),
            **{name: data[name] for name in KNOWN_ERROR_FIELDS},
        )


class KnownErrorEdit(RecordEditView):
    model = KnownError
    form_class = KnownErrorEditForm
    detail_url_name = "problems:known_error_detail"
    staff_only = True
    success_message = gettext_lazy("Known error saved.")

    def perform(self, form):
        fields = changed_values(form, KNOWN_ERROR_FIELDS)
        if "cis" in form.changed_data:
            fields["cis"] = list(form.cleaned_data["cis"])
        if fields:
            services.update_known_error(
                KnownError.objects.get(pk=self.object.pk),
                by=self.request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        return self.object


class KnownErrorTransition(StatusTransitionView):
    model = KnownError
    detail_url_name = "problems:known_error_detail"
    staff_only = True
    transition = staticmethod(services.move_known_error)
    status_choices = KnownErrorStatus


@login_required
@require_POST
def known_error_publish(request, pk: int):
    known_error = get_restricted_or_404(request, KnownError, pk, "change", visible_first=True)

    def success(article) -> str:
        return _("Published as draft article {number}.").format(
            number=getattr(article, "number", article.pk)
        )

    return action_post(
        request,
        lambda: services.publish_article(known_error, by=request.user),
        success=success,
        next_url=_known_error_url(known_error),
        model=KnownError,
    )


known_error_link, known_error_unlink = incident_link_views(
    KnownError,
    link=known_error_services.link_incidents,
    unlink=known_error_services.unlink_incident,
    record_url=_known_error_url,
)


# --- the incident's problems (a fragment of the desk's ticket page) -----------------------------


@page(Problem, staff_only=True)
def ticket_problems(request):
    """The problems and known errors linked to the ticket ``?ticket=<id>``, with their status
    and workaround: an htmx fragment the desk's ticket page loads by URL name (the desk does
    not import problems). Provider staff only; without a ticket it is empty; a ticket the
    user may not see, or not a ticket id, answers 404."""
    from itsm.desk.selectors import tickets_for

    value = request.GET.get("ticket", "")
    if not value:
        return render(request, "problems/_ticket_problems.html", {})
    if not value.isdigit() or len(value) > 18:
        raise Http404
    ticket = get_object_or_404(tickets_for(request.user).only("id"), pk=int(value))
    problems = (
        selectors.problems_of_ticket(ticket, request.user)
        .only("id", "number", "title", "status", "workaround")
        .order_by("-id")
    )
    known_errors = list(
        selectors.known_errors_of_ticket(ticket, request.user)
        .only("id", "number", "title", "status", "workaround", "article_id", "article_number")
        .order_by("-id")
    )
    articles = selectors.existing_articles(k.article_id for k in known_errors)
    return render(
        request,
        "problems/_ticket_problems.html",
        {
            "problems": list(problems),
            "known_errors": [
                {
                    "known_error": k,
                    "article_url": article_url(k.article_id) if k.article_id in articles else "",
                    "has_article": k.article_id in articles,
                }
                for k in known_errors
            ],
            "status_choices": ProblemStatus,
            "known_error_choices": KnownErrorStatus,
        },
    )


# --- proposals --------------------------------------------------------------------------------


def _proposal_url(proposal) -> str:
    return reverse("problems:proposal_detail", args=[proposal.pk])


@page(ProblemProposal, staff_only=True)
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(
        selectors.proposals_for(request.user).select_related("rule", "problem", "decided_by"),
        pk=pk,
    )
    waiting = proposal.status == ProposalStatus.PROPOSED
    may_decide = waiting and bool(record_context(request, proposal)["transitions"])
    return render(
        request,
        "problems/proposal_detail.html",
        {
            "proposal": proposal,
            "incidents": _incidents(proposal.incidents.all()),
            "may_decide": may_decide,
            "accept_form": AcceptForm(user=request.user, initial={"priority": "p3"}),
            "dismiss_form": DismissForm(),
        },
    )


@login_required
@require_POST
def proposal_accept(request, pk: int):
    proposal = get_restricted_or_404(request, ProblemProposal, pk, "change", visible_first=True)
    form = AcceptForm(request.POST, user=request.user)
    return action_post(
        request,
        lambda: services.accept_proposal(
            proposal,
            by=request.user,
            title=form.cleaned_data["title"],
            priority=form.cleaned_data["priority"],
            manager=form.cleaned_data["manager"],
            note=form.cleaned_data["note"],
        ),
        success=lambda problem: _("Problem {number} created.").format(number=problem.number),
        next_url=_problem_url,
        error_url=_proposal_url(proposal),
        model=ProblemProposal,
        form=form,
    )


@login_required
@require_POST
def proposal_dismiss(request, pk: int):
    proposal = get_restricted_or_404(request, ProblemProposal, pk, "change", visible_first=True)
    form = DismissForm(request.POST)
    return action_post(
        request,
        lambda: services.dismiss_proposal(
            proposal, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success=_("Proposal dismissed: its incidents will not be proposed again."),
        next_url=reverse("problems:proposal_list"),
        error_url=_proposal_url(proposal),
        model=ProblemProposal,
        form=form,
        confirm={  # it cannot be undone: its incidents are never proposed together again
            "heading": _("Dismiss the proposal “{proposal}”?").format(proposal=proposal),
            "consequence": _(
                "A dismissed group of incidents is remembered: these incidents no longer count "
                "towards a new proposal on the same record."
            ),
            "button": _("Dismiss"),
            "cancel_url": _proposal_url(proposal),
            "record": proposal,
        },
    )


# --- detection rules --------------------------------------------------------------------------


class RuleCreate(RecordCreateView):
    model = DetectionRule
    form_class = RuleForm
    staff_only = True
    list_url_name = "problems:rule_list"
    success_message = gettext_lazy("Detection rule saved.")

    def success_url_for(self, obj) -> str:
        return reverse("problems:rule_list")

    def perform(self, form):
        return services.create_rule(by=self.request.user, **form.cleaned_data)


class RuleEdit(RecordEditView):
    model = DetectionRule
    form_class = RuleEditForm
    detail_url_name = "problems:rule_edit"
    staff_only = True
    success_message = gettext_lazy("Detection rule saved.")

    def success_url_for(self, obj) -> str:
        return reverse("problems:rule_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("problems:rule_list")
        return context

    def perform(self, form):
        fields = changed_values(
            form, ("name", "dimension", "threshold", "window_days", "is_active")
        )
        if fields:
            services.update_rule(
                DetectionRule.objects.get(pk=self.object.pk),
                by=self.request.user,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        return self.object


@login_required
@require_POST
def rule_delete(request, pk: int):
    rule = get_restricted_or_404(request, DetectionRule, pk, "delete")
    return action_post(
        request,
        lambda: services.delete_rule(rule, by=request.user),
        success=_("Detection rule deleted."),
        next_url=reverse("problems:rule_list"),
        model=DetectionRule,
        confirm={
            "heading": _("Delete the detection rule “{rule}”?").format(rule=rule),
            "consequence": _("Nothing more is proposed by this rule; its proposals stay."),
            "button": _("Delete rule"),
            "cancel_url": reverse("problems:rule_list"),
        },
    )
