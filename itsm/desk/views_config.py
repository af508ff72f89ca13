"""The desk's configuration pages (issue 11): the category tree, the impact × urgency priority
matrix, dispatch rules, canned responses, people's presence, group settings and the clock pause
rule per agreement. Desk managers (``desk.models.config.CONFIGURERS``) configure; agents may
keep canned responses and their own presence, as the models' policies say. Every write goes
through ``itsm.desk.services`` via ``core.form_views``."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.calendars.businesstime import business_time_between
from itsm.core.choices import OrganisationKind
from itsm.core.form_views import action_post, changed_values, form_page
from itsm.core.generic_views import get_restricted_or_404, page
from itsm.core.models import Team, User
from itsm.desk import selectors
from itsm.desk.choices import (
    DEFAULT_PAUSE_STATES,
    DEFAULT_PRIORITY_MATRIX,
    WORKERS,
    Urgency,
)
from itsm.desk.forms_config import (
    RULE_FORM_FIELDS,
    CannedResponseEditForm,
    CannedResponseForm,
    CategoryEditForm,
    CategoryForm,
    DispatchRuleEditForm,
    DispatchRuleForm,
    GroupSettingsForm,
    MatrixForm,
    PauseRuleForm,
    PresenceForm,
)
from itsm.desk.models import (
    AgentPresence,
    CannedResponse,
    Category,
    ClockPolicy,
    DispatchRule,
    GroupSettings,
    PriorityRule,
)
from itsm.desk.services import config, dispatch, entries
from itsm.slm.selectors import agreements_for

CATEGORY_FIELDS = ("code", "name", "parent", "kind", "order", "is_active")
CANNED_FIELDS = ("title", "body", "team", "is_active")


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


# --- the index --------------------------------------------------------------------------------


@page(AgentPresence, action="view")
def home(request):
    """What there is to configure, each section shown to whoever may open it."""
    user = request.user
    sections = [
        (
            reverse("desk:category_tree"),
            _("Ticket categories"),
            _("The category tree offered on tickets."),
            policy.can_reach(user, Category, "view"),
        ),
        (
            reverse("desk:matrix"),
            _("Priority matrix"),
            _("Impact × urgency gives a ticket's priority."),
            policy.can_reach(user, PriorityRule, "change"),
        ),
        (
            reverse("desk:rule_list"),
            _("Dispatch rules"),
            _("Which group (and person) a new ticket goes to."),
            policy.can_reach(user, DispatchRule, "view"),
        ),
        (
            reverse("desk:canned_list"),
            _("Canned responses"),
            _("Prepared replies of each group, with placeholders."),
            policy.can_reach(user, CannedResponse, "view"),
        ),
        (
            reverse("desk:presence"),
            _("Presence"),
            _("Who is away, their shifts and their open tickets."),
            policy.can_reach(user, AgentPresence, "view"),
        ),
        (
            reverse("desk:group_list"),
            _("Group settings"),
            _("Next-line group, manager and chat channel of each group."),
            policy.can_reach(user, GroupSettings, "view"),
        ),
        (
            reverse("desk:pause_list"),
            _("Clock pause rules"),
            _("Which pending states pause an agreement's clocks."),
            policy.can_reach(user, ClockPolicy, "view"),
        ),
    ]
    shown = [{"url": url, "label": label, "text": text} for url, label, text, ok in sections if ok]
    return render(request, "desk/config_home.html", {"sections": shown})


# --- categories -------------------------------------------------------------------------------


def _tree(rows) -> list[tuple[Category, int]]:
    """*rows* in tree order (children under their parent, each level by order and code), with
    their depth; a row whose parent is not among *rows* starts a tree of its own."""
    children: dict[int | None, list[Category]] = {}
    ids = {row.pk for row in rows}
    for row in rows:
        parent = row.parent_id if row.parent_id in ids else None
        children.setdefault(parent, []).append(row)
    ordered: list[tuple[Category, int]] = []

    def walk(parent, depth):
        for row in sorted(children.get(parent, []), key=lambda c: (c.order, c.code)):
            ordered.append((row, depth))
            walk(row.pk, depth + 1)

    walk(None, 0)
    return ordered


@page(Category, action="view", staff_only=True)
def category_tree(request):
    rows = list(
        selectors.categories_for(request.user)
        .annotate(child_count=Count("children"))
        .only("code", "name", "parent_id", "kind", "order", "is_active")
    )
    user = request.user
    return render(
        request,
        "desk/config_category_tree.html",
        {
            "tree": [
                {"category": row, "depth": depth, "indent": depth * 1.5}
                for row, depth in _tree(rows)
            ],
            "can_add": policy.can(user, Category, "add"),
            "can_change": policy.can(user, Category, "change"),
            "can_delete": policy.can(user, Category, "delete"),
        },
    )


@page(Category, action="add")
def category_create(request):
    initial = {}
    parent = _int_param(request, "parent")
    if parent is not None:
        initial["parent"] = parent
    form = CategoryForm(request.POST or None, user=request.user, initial=initial)
    tree = reverse("desk:category_tree")
    return form_page(
        request,
        form,
        lambda: config.create_category(
            by=request.user, **{name: form.cleaned_data[name] for name in CATEGORY_FIELDS}
        ),
        success=lambda category: _("Category {name} created.").format(name=category),
        next_url=tree,
        heading=_("New ticket category"),
        cancel_url=tree,
    )


@page(Category, action="change")
def category_edit(request, pk: int):
    category = get_restricted_or_404(request, Category, pk, "change")
    form = CategoryEditForm(
        request.POST or None,
        instance=category,
        user=request.user,
        initial={"version": category.version},
    )
    tree = reverse("desk:category_tree")

    def save():
        changed = changed_values(form, CATEGORY_FIELDS)
        row = Category.objects.get(pk=pk)  # the form's instance holds the posted values
        if not changed:  # saved unchanged: nothing to write
            return row
        return config.update_category(
            row, by=request.user, expected_version=form.cleaned_data["version"], **changed
        )

    return form_page(
        request,
        form,
        save,
        success=_("Category saved."),
        next_url=tree,
        heading=_("Edit ticket category: {name}").format(name=category),
        cancel_url=tree,
    )


@page(Category, action="delete")
@require_POST
def category_delete(request, pk: int):
    category = get_restricted_or_404(request, Category, pk, "delete")
    tree = reverse("desk:category_tree")
    return action_post(
        request,
        lambda: config.delete_category(category, by=request.user),
        success=_("Category deleted."),
        next_url=tree,
        model=Category,
        confirm={
            "heading": _("Delete the category “{category}”?").format(category=category),
            "consequence": _(
                "The category is deleted for good. One that tickets or subcategories use "
                "cannot be deleted: deactivate it instead."
            ),
            "button": _("Delete category"),
            "cancel_url": tree,
        },
    )


# --- the priority matrix ----------------------------------------------------------------------


def _matrix_cells() -> dict[tuple[str, str], str]:
    return {
        (row.impact, row.urgency): row.priority
        for row in PriorityRule.objects.only("impact", "urgency", "priority")
    }


@page(PriorityRule, action="change")
def matrix(request):
    """The whole grid on one page: every cell saved at once (or none, on an error). Cells not
    stored yet show the shipped default."""
    stored = _matrix_cells()
    cells = {key: stored.get(key, str(value)) for key, value in DEFAULT_PRIORITY_MATRIX.items()}
    form = MatrixForm(request.POST or None, cells=cells)

    def save():
        with transaction.atomic():
            for (impact, urgency), priority in form.cells().items():
                if stored.get((impact, urgency)) != priority:
                    config.set_priority(
                        by=request.user, impact=impact, urgency=urgency, priority=priority
                    )

    here = reverse("desk:matrix")
    missing = [key for key in DEFAULT_PRIORITY_MATRIX if key not in stored]
    return form_page(
        request,
        form,
        save,
        success=_("Priority matrix saved."),
        next_url=here,
        heading=_("Priority matrix"),
        cancel_url=reverse("desk:config"),
        template="desk/config_matrix.html",
        context={
            "urgencies": [Urgency(u) for u in Urgency.values],
            "missing": len(missing),
        },
    )


@page(PriorityRule, action="change")
@require_POST
def matrix_defaults(request):
    """Restore the shipped matrix: the missing cells first (``ensure_default_matrix``), then
    every cell changed since."""

    def restore():
        with transaction.atomic():
            config.ensure_default_matrix(by=request.user)
            stored = _matrix_cells()
            for (impact, urgency), priority in DEFAULT_PRIORITY_MATRIX.items():
                if stored.get((impact, urgency)) != priority:
                    config.set_priority(
                        by=request.user, impact=impact, urgency=urgency, priority=priority
                    )

    here = reverse("desk:matrix")
    return action_post(
        request,
        restore,
        success=_("The shipped priority matrix is restored."),
        next_url=here,
        model=PriorityRule,
        confirm={
            "heading": _("Restore the shipped priority matrix?"),
            "consequence": _(
                "Every cell gets the shipped priority again; new tickets are prioritised by it."
            ),
            "button": _("Restore the defaults"),
            "cancel_url": here,
        },
    )


# --- dispatch rules ---------------------------------------------------------------------------


def _rule_values(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names}


@page(DispatchRule, action="add")
def rule_create(request):
    form = DispatchRuleForm(request.POST or None, user=request.user)
    rules = reverse("desk:rule_list")
    return form_page(
        request,
        form,
        lambda: config.create_dispatch_rule(
            by=request.user, **_rule_values(form, RULE_FORM_FIELDS)
        ),
        success=lambda rule: _("Dispatch rule {name} created.").format(name=rule),
        next_url=rules,
        heading=_("New dispatch rule"),
        cancel_url=rules,
    )


@page(DispatchRule, action="change")
def rule_edit(request, pk: int):
    rule = get_restricted_or_404(request, DispatchRule, pk, "change")
    form = DispatchRuleEditForm(
        request.POST or None, instance=rule, user=request.user, initial={"version": rule.version}
    )
    rules = reverse("desk:rule_list")

    def save():
        changed = changed_values(form, RULE_FORM_FIELDS)
        # a time of day is checked against the other one: send both when either changed
        if "time_from" in changed or "time_to" in changed:
            changed.update(_rule_values(form, ("time_from", "time_to")))
        row = DispatchRule.objects.get(pk=pk)  # the form's instance holds the posted values
        if not changed:  # saved unchanged: nothing to write
            return row
        return config.update_dispatch_rule(
            row,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **changed,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Dispatch rule saved."),
        next_url=rules,
        heading=_("Edit dispatch rule: {name}").format(name=rule),
        cancel_url=rules,
    )


@page(DispatchRule, action="delete")
@require_POST
def rule_delete(request, pk: int):
    rule = get_restricted_or_404(request, DispatchRule, pk, "delete")
    rules = reverse("desk:rule_list")
    return action_post(
        request,
        lambda: config.delete_dispatch_rule(rule, by=request.user),
        success=_("Dispatch rule deleted."),
        next_url=rules,
        model=DispatchRule,
        confirm={
            "heading": _("Delete the dispatch rule “{rule}”?").format(rule=rule),
            "consequence": _(
                "The rule is deleted for good; new tickets it matched go to the next matching "
                "rule, or wait for the desk to dispatch them."
            ),
            "button": _("Delete rule"),
            "cancel_url": rules,
        },
    )


# --- canned responses -------------------------------------------------------------------------


@page(CannedResponse, action="add")
def canned_create(request):
    form = CannedResponseForm(request.POST or None, user=request.user)
    responses = reverse("desk:canned_list")
    return form_page(
        request,
        form,
        lambda: entries.create_canned(
            by=request.user, **{name: form.cleaned_data[name] for name in CANNED_FIELDS}
        ),
        success=lambda response: _("Canned response {title} created.").format(title=response),
        next_url=responses,
        heading=_("New canned response"),
        cancel_url=responses,
    )


@page(CannedResponse, action="change")
def canned_edit(request, pk: int):
    response = get_restricted_or_404(request, CannedResponse, pk, "change")
    form = CannedResponseEditForm(
        request.POST or None,
        instance=response,
        user=request.user,
        initial={"version": response.version},
    )
    responses = reverse("desk:canned_list")

    def save():
        changed = changed_values(form, CANNED_FIELDS)
        row = CannedResponse.objects.get(pk=pk)  # the form's instance holds the posted values
        if not changed:  # saved unchanged: nothing to write
            return row
        return entries.update_canned(
            row, by=request.user, expected_version=form.cleaned_data["version"], **changed
        )

    return form_page(
        request,
        form,
        save,
        success=_("Canned response saved."),
        next_url=responses,
        heading=_("Edit canned response: {title}").format(title=response),
        cancel_url=responses,
    )


@page(CannedResponse, action="delete")
@require_POST
def canned_delete(request, pk: int):
    response = get_restricted_or_404(request, CannedResponse, pk, "delete")
    responses = reverse("desk:canned_list")
    return action_post(
        request,
        lambda: entries.delete_canned(response, by=request.user),
        success=_("Canned response deleted."),
        next_url=responses,
        model=CannedResponse,
        confirm={
            "heading": _("Delete the canned response “{title}”?").format(title=response),
            "consequence": _(
                "The response is deleted for good; replies already sent with it stay as sent."
            ),
            "button": _("Delete response"),
            "cancel_url": responses,
        },
    )


# --- presence ---------------------------------------------------------------------------------


def _desk_people(user):
    """The provider people who work tickets (a role of ``WORKERS``), active, by name."""
    return (
        User.objects.restrict(user, "view")
        .filter(
            organisation__kind=OrganisationKind.PROVIDER,
            is_active=True,
            role_assignments__role__in=WORKERS,
        )
        .distinct()
        .order_by("display_name", "username")
    )


def _may_set_presence(user, person) -> bool:
    """Desk managers set anyone's presence; the other workers their own."""
    if not policy.can(user, AgentPresence, "change"):
        return False
    return person.pk == user.pk or _is_desk_manager(user)


def _is_desk_manager(user) -> bool:
    """A configurer of the desk (``CONFIGURERS``: those who may change its rules)."""
    return policy.can(user, DispatchRule, "change")


@page(AgentPresence, action="view")
def presence(request):
    """The desk's people: away or not, on shift or not now, and their open tickets."""
    user = request.user
    people = list(_desk_people(user))
    rows = {
        p.user_id: p
        for p in AgentPresence.objects.restrict(user, "view")
        .filter(user__in=[person.pk for person in people])
        .select_related("shift")
    }
    load = dispatch.open_load(person.pk for person in people)
    now = timezone.now()
    table = []
    for person in people:
        state = rows.get(person.pk)
        away = bool(state and state.away)
        shift = state.shift if state is not None else None
        on_shift = shift is None or business_time_between(
            now, now + datetime.timedelta(minutes=1), shift
        )
        table.append(
            {
                "person": person,
                "away": away,
                "note": state.away_note if state is not None else "",
                "shift": shift,
                "on_shift": on_shift,
                "available": not away and on_shift,
                "load": load.get(person.pk, 0),
                "can_edit": _may_set_presence(user, person),
            }
        )
    return render(request, "desk/config_presence.html", {"people": table})


@page(AgentPresence, action="change")
def presence_edit(request):
    """``?person=<id>`` (default: oneself): away flag, note and shift calendar."""
    user = request.user
    person_id = _int_param(request, "person")
    if person_id is None and request.GET.get("person"):
        raise Http404
    if person_id is None or person_id == user.pk:
        person = user
        if not _desk_people(user).filter(pk=user.pk).exists():
            raise Http404
    else:
        person = get_object_or_404(_desk_people(user), pk=person_id)
    if not _may_set_presence(user, person):
        raise PermissionDenied
    current = AgentPresence.objects.filter(user=person).select_related("shift").first()
    initial = (
        {"away": current.away, "away_note": current.away_note, "shift": current.shift}
        if current is not None
        else {}
    )
    form = PresenceForm(request.POST or None, user=user, initial=initial)
    back = reverse("desk:presence")
    return form_page(
        request,
        form,
        lambda: config.set_presence(person, by=user, **form.cleaned_data),
        success=_("Presence of {person} saved.").format(person=person),
        next_url=back,
        heading=_("Presence: {person}").format(person=person),
        cancel_url=back,
    )


# --- group settings ---------------------------------------------------------------------------


@page(GroupSettings, action="view")
def group_list(request):
    user = request.user
    teams = list(
        Team.objects.restrict(user, "view").filter(is_active=True).order_by("name").only("name")
    )
    settings_rows = {
        row.team_id: row
        for row in GroupSettings.objects.restrict(user, "view")
        .filter(team__in=teams)
        .select_related("next_line", "manager")
    }
    return render(
        request,
        "desk/config_groups.html",
        {
            "groups": [{"team": team, "settings": settings_rows.get(team.pk)} for team in teams],
            "can_change": policy.can(user, GroupSettings, "change"),
        },
    )


@page(GroupSettings, action="change")
def group_edit(request):
    """One group's settings (``?team=<id>`` chooses it; the form may switch groups)."""
    user = request.user
    initial: dict = {}
    team_id = _int_param(request, "team")
    if team_id is not None:
        team = get_object_or_404(Team.objects.restrict(user, "view"), pk=team_id)
        initial["team"] = team
        row = GroupSettings.objects.filter(team=team).select_related("manager").first()
        if row is not None:
            initial.update(
                next_line=row.next_line_id, manager=row.manager, chat_channel=row.chat_channel
            )
    form = GroupSettingsForm(request.POST or None, user=user, initial=initial)
    back = reverse("desk:group_list")

    def save():
        data = form.cleaned_data
        return config.set_group_settings(
            data["team"],
            by=user,
            next_line=data["next_line"],
            manager=data["manager"],
            chat_channel=data["chat_channel"],
        )

    return form_page(
        request,
        form,
        save,
        success=lambda row: _("Settings of {group} saved.").format(group=row.team),
        next_url=back,
        heading=_("Group settings"),
        cancel_url=back,
    )


# --- clock pause rules ------------------------------------------------------------------------


def _state_labels(states) -> list[str]:
    from itsm.desk.choices import TicketStatus

    return [str(TicketStatus(state).label) for state in states]


@page(ClockPolicy, action="view")
def pause_list(request):
    user = request.user
    agreements = list(agreements_for(user).order_by("number").only("number", "title", "kind"))
    rules = {
        row.agreement_id: row
        for row in ClockPolicy.objects.restrict(user, "view").filter(
            agreement__in=[a.pk for a in agreements]
        )
    }
    rows = []
    for agreement in agreements:
        rule = rules.get(agreement.pk)
        states = rule.pause_states if rule is not None else DEFAULT_PAUSE_STATES
        rows.append(
            {
                "agreement": agreement,
                "states": _state_labels(states),
                "default": rule is None,
            }
        )
    return render(
        request,
        "desk/config_pause_rules.html",
        {"rows": rows, "can_change": policy.can(user, ClockPolicy, "change")},
    )


@page(ClockPolicy, action="change")
def pause_edit(request):
    """The pending states that pause one agreement's clocks (``?agreement=<id>``)."""
    user = request.user
    initial: dict = {}
    agreement_id = _int_param(request, "agreement")
    if agreement_id is not None:
        agreement = get_object_or_404(agreements_for(user), pk=agreement_id)
        rule = ClockPolicy.objects.filter(agreement=agreement).first()
        initial = {
            "agreement": agreement,
            "pause_states": list(rule.pause_states if rule else DEFAULT_PAUSE_STATES),
        }
    form = PauseRuleForm(request.POST or None, user=user, initial=initial)
    back = reverse("desk:pause_list")
    return form_page(
        request,
        form,
        lambda: config.set_clock_pause_states(
            form.cleaned_data["agreement"], by=user, states=form.cleaned_data["pause_states"]
        ),
        success=lambda rule: _("Clock pause rule of {agreement} saved.").format(
            agreement=rule.agreement
        ),
        next_url=back,
        heading=_("Clock pause rule"),
        cancel_url=back,
    )
