"""Pages of release management: the release list's record page (plan, bundled changes, CI
versions, tests, go/no-go decisions, deployment), its create and edit forms, its actions
(transitions, a test record, the decision, the rollback) and the release report. Every write
goes through ``itsm.releases.services``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.cmdb import selectors as cmdb_selectors
from itsm.core import policy
from itsm.core.form_views import (
    TransitionView,
    action_post,
    form_page,
    save_versioned_edit,
)
from itsm.core.forms import MonthRangeForm
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.releases import report as reports
from itsm.releases import selectors, services
from itsm.releases.choices import (
    DECISION_STEPS,
    KIND_STEPS,
    TESTABLE_STATES,
    Decision,
    ReleaseKind,
    ReleaseStatus,
    TestResult,
)
from itsm.releases.forms import (
    RELEASE_FORM_FIELDS,
    DecisionForm,
    ReleaseCreateForm,
    ReleaseEditForm,
    ReleaseTransitionForm,
    RollbackForm,
    TestForm,
)
from itsm.releases.models import Release

#: moves made through their own forms on the page, not the plain transition buttons
FORM_MOVES = frozenset({*DECISION_STEPS, "roll_back"})


def _url(release) -> str:
    return reverse("releases:release_detail", args=[release.pk])


def _release(request, pk: int, action: str) -> Release:
    return get_restricted_or_404(request, Release, pk, action, visible_first=True)


@page(Release)
def release_detail(request, pk: int):
    queryset = Release.objects.restrict(request.user, "view").select_related("manager")
    release = get_object_or_404(queryset, pk=pk)
    record = record_context(request, release)
    staff = policy.sees_internal(request.user, Release)
    steps = KIND_STEPS[release.kind]
    available = [t for t in record["transitions"] if t.name in steps]
    names = {t.name for t in available}
    bundled = list(release.changes.restrict(request.user, "view").order_by("id"))
    versions = release.ci_versions or {}
    ci_rows = []
    if staff and versions:
        cis = {
            ci.pk: ci
            for ci in cmdb_selectors.cis_for(request.user).filter(pk__in=[int(k) for k in versions])
        }
        ci_rows = [
            {"ci": cis[int(key)], "version": value}
            for key, value in sorted(versions.items(), key=lambda item: int(item[0]))
            if int(key) in cis
        ]
    can_change = record["can_change"]
    may_decide = bool(names & DECISION_STEPS)
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "staff": staff,
            "changes": bundled,
            "ci_rows": ci_rows,
            "tests": release.tests.select_related("tested_by").order_by("tested_at", "id")
            if staff
            else [],
            "decisions": release.decisions.select_related("decided_by").order_by("id")
            if staff
            else [],
            "can_edit": can_change and release.status in ("planning", "testing"),
            "transitions": [t for t in available if t.name not in FORM_MOVES],
            "can_test": staff and can_change and release.status in TESTABLE_STATES,
            "test_form": TestForm(),
            "may_decide": may_decide,
            "decision_form": DecisionForm(
                initial={
                    "version": release.version,
                    "decision": Decision.GO,
                }
            ),
            "can_roll_back": "roll_back" in names,
            "rollback_form": RollbackForm(initial={"version": release.version}),
            "status_choices": ReleaseStatus,
            "kind_choices": ReleaseKind,
            "result_choices": TestResult,
            "decision_choices": Decision,
        },
    )


@page(Release, action="add")
def release_create(request):
    form = ReleaseCreateForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in RELEASE_FORM_FIELDS}
        fields["changes"] = list(data["changes"] or [])
        return services.create_release(by=request.user, kind=data["kind"], **fields)

    return form_page(
        request,
        form,
        save,
        success=_("Release planned."),
        next_url=_url,
        heading=_("New release"),
        cancel_url=reverse("releases:release_list"),
        template="releases/release_form.html",
        context={"release": None},
    )


@page(Release, action="change")
def release_edit(request, pk: int):
    release = _release(request, pk, "change")
    form = ReleaseEditForm(
        request.POST or None,
        instance=release,
        user=request.user,
        initial={"version": release.version},
    )

    def save():
        save_versioned_edit(
            form,
            model=Release,
            pk=pk,
            update=services.update_release,
            by=request.user,
            names=RELEASE_FORM_FIELDS,
            related={"changes": "changes"},
        )

    return form_page(
        request,
        form,
        save,
        success=_("Release saved."),
        next_url=_url(release),
        heading=_("Edit release: {release}").format(release=release),
        cancel_url=_url(release),
        template="releases/release_form.html",
        context={"release": release},
    )


class ReleaseTransition(TransitionView):
    """A lifecycle step of a release (start testing, request go/no-go, deploy, succeed, roll
    back, cancel)."""

    model = Release
    detail_url_name = "releases:release_detail"
    form_class = ReleaseTransitionForm

    def base_queryset(self):
        return Release.objects.all()

    def perform(self, obj, data):
        services.move(
            obj,
            data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
            **ReleaseTransitionForm.outcome(data),
        )

    def success_text(self, obj) -> str:
        obj.refresh_from_db()
        return _("Status is now “{status}”.").format(status=ReleaseStatus(obj.status).label)


release_transition = ReleaseTransition.as_view()


@page(Release, action="change")
@require_POST
def release_test(request, pk: int):
    release = _release(request, pk, "change")
    form = TestForm(request.POST)
    return action_post(
        request,
        lambda: services.record_test(release, by=request.user, **form.cleaned_data),
        success=_("Test recorded."),
        next_url=_url(release),
        model=Release,
        form=form,
    )


@page(Release, action="change")
@require_POST
def release_decide(request, pk: int):
    release = _release(request, pk, "change")
    form = DecisionForm(request.POST)
    return action_post(
        request,
        lambda: services.decide(
            release,
            by=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        success=lambda row: _("Decision recorded: {decision}.").format(
            decision=Decision(row.decision).label
        ),
        next_url=_url(release),
        model=Release,
        form=form,
    )


# --- report ---------------------------------------------------------------------------------


@page(Release)
def report(request):
    """Releases finished per month (deployed, rolled back, cancelled), by kind, the success
    rate and the releases of the period — of the releases the user may view (a customer: those
    of changes affecting their organisation; the KPI page links here)."""
    form = MonthRangeForm(request.GET)
    if not form.is_valid():
        return render(request, "releases/report.html", {"form": form, "invalid": True}, status=400)
    figures = reports.release_report(user=request.user, period=form.cleaned_data["period"])
    peak = max([1, *(m.deployed + m.rolled_back + m.cancelled for m in figures.months)])
    return render(
        request,
        "releases/report.html",
        {
            "form": form,
            "report": figures,
            "months": [
                {
                    "row": m,
                    "deployed_pct": round(100 * m.deployed / peak),
                    "rolled_back_pct": round(100 * m.rolled_back / peak),
                    "cancelled_pct": round(100 * m.cancelled / peak),
                }
                for m in figures.months
            ],
            "status_choices": ReleaseStatus,
            "kind_choices": ReleaseKind,
        },
    )


@page(Release, staff_only=True)
def change_releases(request):
    """The releases that bundle the change ``?change=<id>``: an htmx fragment the change page
    loads by URL name (change does not import releases). Provider staff only; without a change
    it is empty; a change the user may not see, or not a change id, answers 404."""
    from itsm.change.selectors import changes_for

    value = request.GET.get("change", "")
    if not value:  # no change named: nothing to list
        return render(request, "releases/_change_releases.html", {"releases": []})
    if not value.isdigit() or len(value) > 18:
        raise Http404
    change = get_object_or_404(changes_for(request.user).only("id"), pk=int(value))
    return render(
        request,
        "releases/_change_releases.html",
        {
            "releases": list(
                selectors.releases_of_change(change, request.user)
                .only("id", "number", "title", "kind", "status", "planned_at")
                .order_by("-id")
            ),
            "status_choices": ReleaseStatus,
            "kind_choices": ReleaseKind,
        },
    )
