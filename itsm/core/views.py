"""UI pages of the core app: organisations, users (with roles), teams and record history.

Every page reads through ``.restrict(user, action)``: rows of other organisations answer 404.
A user whose roles do not allow an action at all gets 403. Writes go through
``core.services``; their typed errors become form errors.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from itsm.core import policy, services
from itsm.core.choices import OrganisationKind
from itsm.core.filtersets import OrganisationFilterSet, TeamFilterSet, UserFilterSet
from itsm.core.form_views import RecordCreateView, RecordEditView
from itsm.core.forms import (
    OrganisationCreateForm,
    OrganisationEditForm,
    TeamCreateForm,
    TeamEditForm,
    UserCreateForm,
    UserEditForm,
)
from itsm.core.generic_views import RecordDetailView, require_can
from itsm.core.lists import Column, RecordListView
from itsm.core.models import Organisation, RoleAssignment, Team, User
from itsm.core.timeline import history_for

# --- organisations --------------------------------------------------------------------------


class OrganisationList(RecordListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    template_name = "core/organisation_list.html"
    default_sort = "name"
    columns = (
        Column("code", _("Code"), link="core:organisation_detail", sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("kind", _("Kind"), choices=OrganisationKind, sort="kind"),
        Column("is_active", _("Active"), sort="is_active"),
        Column("created_at", _("Created"), sort="created_at", visible=False),
    )

    def base_queryset(self):
        return Organisation.objects.only("id", "code", "name", "kind", "is_active", "created_at")


class OrganisationDetail(RecordDetailView):
    model = Organisation
    template_name = "core/organisation_detail.html"
    extra_context = {"kind_choices": OrganisationKind}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["members"] = (
            User.objects.restrict(user).filter(organisation=self.object).order_by("username")[:50]
        )
        context["teams"] = (
            Team.objects.restrict(user).filter(organisation=self.object).order_by("name")
        )
        return context


class OrganisationCreate(RecordCreateView):
    model = Organisation
    form_class = OrganisationCreateForm
    detail_url_name = "core:organisation_detail"
    list_url_name = "core:organisation_list"

    def perform(self, form):
        data = form.cleaned_data
        return services.create_organisation(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            notes=data["notes"],
            by=self.request.user,
        )


class OrganisationEdit(RecordEditView):
    model = Organisation
    form_class = OrganisationEditForm
    detail_url_name = "core:organisation_detail"

    def perform(self, form):
        self.update(form, ["name", "notes", "is_active"])


# --- users ----------------------------------------------------------------------------------

_ROLES = Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))


def _role_badges(person):
    return format_html_join(
        "",
        '<span class="badge bg-azure-lt me-1">{}</span>',
        ((a.get_role_display(),) for a in person.role_assignments.all()),
    )


class UserList(RecordListView):
    model = User
    filterset_class = UserFilterSet
    template_name = "core/user_list.html"
    default_sort = "username"
    columns = (
        Column("username", _("Username"), link="core:user_detail", sort="username"),
        Column("display_name", _("Display name"), sort="display_name"),
        Column("organisation", _("Organisation"), sort="organisation__name"),
        Column(
            "roles",
            _("Roles"),
            html=_role_badges,
            export=lambda p: ", ".join(a.get_role_display() for a in p.role_assignments.all()),
        ),
        Column("email", _("E-mail"), sort="email", visible=False),
        Column("is_active", _("Active"), sort="is_active"),
    )

    def base_queryset(self):
        return User.objects.select_related("organisation").prefetch_related(_ROLES)


class UserDetail(RecordDetailView):
    model = User
    template_name = "core/user_detail.html"
    context_object_name = "record"  # "user" is the signed-in user in every template

    def base_queryset(self):
        return User.objects.select_related("organisation").prefetch_related(_ROLES)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teams"] = Team.objects.restrict(self.request.user).filter(members=self.object)
        return context


class UserCreate(RecordCreateView):
    model = User
    form_class = UserCreateForm
    detail_url_name = "core:user_detail"
    list_url_name = "core:user_list"

    def perform(self, form):
        data = form.cleaned_data
        return services.create_user(
            username=data["username"],
            organisation=data["organisation"],
            password=data["password"] or None,
            roles=tuple(data["roles"]),
            email=data["email"],
            display_name=data["display_name"],
            language=data["language"],
            by=self.request.user,
        )


class UserEdit(RecordEditView):
    model = User
    form_class = UserEditForm
    detail_url_name = "core:user_detail"

    def get_initial(self):
        return {**super().get_initial(), "roles": sorted(self.object.roles)}

    def perform(self, form):
        with transaction.atomic():
            self.update(
                form, ["display_name", "email", "phone", "language", "time_zone", "is_active"]
            )
            if "roles" in form.changed_data:
                services.set_roles(
                    self.object, roles=form.cleaned_data["roles"], by=self.request.user
                )


# --- teams ----------------------------------------------------------------------------------


class TeamList(RecordListView):
    model = Team
    filterset_class = TeamFilterSet
    template_name = "core/team_list.html"
    default_sort = "name"
    columns = (
        Column("code", _("Code"), link="core:team_detail", sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("organisation", _("Organisation"), sort="organisation__name", visible=False),
        Column("leader", _("Leader"), sort="leader__username"),
        Column("email", _("E-mail"), sort="email"),
        Column("is_active", _("Active"), sort="is_active"),
    )

    def base_queryset(self):
        return Team.objects.select_related("organisation", "leader")


class TeamDetail(RecordDetailView):
    model = Team
    template_name = "core/team_detail.html"

    def base_queryset(self):
        return Team.objects.select_related("organisation", "leader")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = (
            User.objects.restrict(self.request.user).filter(teams=self.object).order_by("username")
        )
        return context


class TeamCreate(RecordCreateView):
    model = Team
    form_class = TeamCreateForm
    detail_url_name = "core:team_detail"
    list_url_name = "core:team_list"

    def perform(self, form):
        data = form.cleaned_data
        return services.create_team(
            code=data["code"],
            name=data["name"],
            organisation=data["organisation"],
            leader=data["leader"],
            members=list(data["members"]),
            email=data["email"],
            by=self.request.user,
        )


class TeamEdit(RecordEditView):
    model = Team
    form_class = TeamEditForm
    detail_url_name = "core:team_detail"

    def perform(self, form):
        with transaction.atomic():
            self.update(form, ["name", "leader", "email", "is_active"])
            if "members" in form.changed_data:
                services.set_team_members(
                    self.object, members=form.cleaned_data["members"], by=self.request.user
                )


# --- history --------------------------------------------------------------------------------

#: Detail pages of models that have no ``get_absolute_url``.
DETAIL_URL_NAMES = {
    "core.organisation": "core:organisation_detail",
    "core.user": "core:user_detail",
    "core.team": "core:team_detail",
}


def detail_url(obj) -> str | None:
    """The detail page of *obj*, if it has one."""
    get_url = getattr(obj, "get_absolute_url", None)
    if callable(get_url):
        return get_url()
    name = DETAIL_URL_NAMES.get(obj._meta.label_lower)
    if name is None:
        return None
    try:
        return reverse(name, kwargs={"pk": obj.pk})
    except NoReverseMatch:
        return None


@require_GET
@login_required
def history(request, app_label: str, model_name: str, pk: str):
    """Read-only history of any record the user may view: field changes and timeline events.

    The record is looked up exactly as its own page and API do (``restrict(user, "view")``,
    which applies the model's whole policy, e.g. customers see only published services): 403
    when the user may not view any row of the model, 404 for a row the user may not see.
    """
    try:
        model = apps.get_model(app_label, model_name)
        policy.policy_for(model)
    except (LookupError, TypeError):
        raise Http404
    require_can(request.user, model, "view")
    queryset = policy.restrict(model._default_manager.all(), request.user, "view")
    try:
        obj = queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError, DjangoValidationError):
        raise Http404
    context = {
        "object": obj,
        "model_meta": model._meta,
        "items": history_for(obj),
        "detail_url": detail_url(obj),
    }
    return render(request, "core/history.html", context)
