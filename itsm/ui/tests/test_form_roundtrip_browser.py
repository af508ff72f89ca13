"""Every edit form of every module, submitted unchanged in zh-Hans, changes nothing (issue 8.1).

On the demo data, as a user allowed to edit each record, with the UI in zh-Hans: open the edit
form in Chromium, press its save button without touching anything, and compare the stored row
(every concrete field and many-to-many ids, plus the rows a form edits with it, such as a
calendar's working hours) before and after. A date rendered in the zh-Hans input format
(``2026/12/01``) is rejected by ``<input type="date">``, shows as empty and used to be saved as
empty: this is the test that catches that kind of loss, for every form at once.

``EDIT_FORMS`` must name every URL of the project whose name ends in ``edit``
(:func:`test_every_edit_url_is_covered`), so a new module's edit form cannot be forgotten.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from itsm.core.demo import DEMO_PASSWORD, load_demo

#: Columns a save may touch although nothing changed (bookkeeping, not user data).
#: what a save changes by itself, or opening the saved record's page counts (an article's views)
IGNORED = {"version", "updated_at", "last_login", "view_count"}
#: The form of a page whose save button is the primary one (not the logout form, filters …).
PRIMARY_FORM = ".page-body form[method=post]:has(button[type=submit].btn-primary)"


def _authorising_change() -> str:
    """The authorising change a signed agreement's form asks for even when nothing changes:
    one that authorises edits now (being implemented: the release demo leaves one); a typed
    reference must name one (issue 12)."""
    from itsm.change.models import Change

    number = Change.objects.filter(status="implementing").values_list("number", flat=True).first()
    assert number, "the demo has no change being implemented"
    return number


@dataclass
class EditForm:
    """An edit form: its URL name, the demo user who edits, the demo rows whose forms are
    opened, the URL arguments of a row, and what to compare besides the row itself."""

    url_name: str
    user: str
    rows: Callable[[], list[Model]]
    kwargs: Callable[[Model], dict] = lambda row: {"pk": row.pk}
    query: Callable[[Model], str] = lambda row: ""
    form: str = PRIMARY_FORM
    related: Callable[[Model], object] = lambda row: None
    extra_names: tuple[str, ...] = field(default=())


def _models() -> dict[str, type[Model]]:
    from django.apps import apps

    names = {
        "catalog": ["Service", "ServiceCategory", "ServiceItem"],
        "cmdb": ["ConfigurationItem", "AttributeDefinition", "CIClass", "RelationType"],
        "calendars": ["BusinessCalendar"],
        "core": ["Organisation", "Team", "User"],
        "outbox": ["NotificationChannel"],
        "slm": ["Agreement", "Requirement", "ReviewMeeting", "Target"],
        "clocks": ["SlaTestTicket"],
        "desk": ["Ticket"],
        "deskmail": ["Mailbox"],
        "problems": ["Problem", "KnownError", "DetectionRule"],
        "knowledge": ["Article", "Category"],
        "change": [
            "Change",
            "ChangeTemplate",
            "RiskQuestion",
            "RiskThreshold",
            "AdvisoryBoard",
            "Window",
            "CabMeeting",
        ],
        "releases": ["Release"],
        "events": ["AlertSource", "AlertRule"],
        "availability": ["Outage"],
        "capacity": ["Metric", "CapacityPlan"],
        "objectives": ["Plan", "Objective"],
        "improvement": ["Item"],
    }
    return {name: apps.get_model(app, name) for app, models in names.items() for name in models}


def _first_per(queryset, key: str) -> list:
    """One row for each distinct value of *key* (e.g. one CI per class)."""
    seen, rows = set(), []
    for row in queryset:
        value = getattr(row, key)
        if value not in seen:
            seen.add(value)
            rows.append(row)
    return rows


def _clocks(ticket) -> list:
    """A test ticket's clocks: re-applying the same priority must not restart or move them."""
    from django.contrib.contenttypes.models import ContentType

    from itsm.slm.clocks.models import Clock

    return list(
        Clock.objects.filter(
            content_type=ContentType.objects.get_for_model(ticket), object_id=ticket.pk
        )
        .order_by("pk")
        .values_list("pk", "target_id", "state", "started_at", "segment_started_at", "due_at")
    )


def _most_attributes(queryset) -> list:
    """The CI with the most attribute values, and one with a date attribute if another."""
    cis = list(queryset.order_by("pk"))
    rows = [max(cis, key=lambda ci: len(ci.attributes or {}))] if cis else []
    dated = queryset.filter(ci_class__attribute_definitions__type="date").order_by("pk").first()
    if dated is not None and dated not in rows:
        rows.append(dated)
    return rows


def _desk_row(kind: str) -> list:
    """A row of the desk's configuration for its edit form: the demo's, or one made through
    the desk's services from demo rows (a dispatch rule with every kind of condition)."""
    from itsm.catalog.models import Service
    from itsm.cmdb.models import ConfigurationItem
    from itsm.core.models import Organisation, Team, User
    from itsm.desk.models import (
        AgentPresence,
        CannedResponse,
        Category,
        ClockPolicy,
        DispatchRule,
        GroupSettings,
    )
    from itsm.desk.services import config, entries
    from itsm.slm.models import Agreement

    admin = User.objects.get(username="admin")
    teams = list(Team.objects.order_by("pk")[:2])
    if kind == "category":
        if not Category.objects.filter(parent__isnull=False).exists():
            parent = config.create_category(by=admin, code="rt-hardware", name="硬件")
            config.create_category(by=admin, code="rt-hardware.pc", name="电脑", parent=parent)
        return list(Category.objects.filter(parent__isnull=False).order_by("pk")[:1])
    if kind == "rule":
        if not DispatchRule.objects.exclude(weekdays=[]).exists():
            config.create_dispatch_rule(
                by=admin,
                name="工作日网络故障",
                kind="incident",
                service=Service.objects.order_by("pk").first(),
                ci=ConfigurationItem.objects.order_by("pk").first(),
                customer=Organisation.objects.filter(kind="customer").order_by("pk").first(),
                channel="phone",
                weekdays=[1, 2, 3, 4, 5],
                time_from=datetime.time(8, 30),
                time_to=datetime.time(17, 30),
                team=teams[0],
                assign_mode="least_loaded",
            )
        return list(DispatchRule.objects.exclude(weekdays=[]).order_by("pk")[:1])
    if kind == "canned":
        if not CannedResponse.objects.exists():
            entries.create_canned(
                by=admin,
                title="已收到",
                body="您好 {contact}：\n工单 {number} 已收到。",
                team=teams[0],
            )
        return list(CannedResponse.objects.order_by("pk")[:1])
    if kind == "presence":
        if not AgentPresence.objects.filter(user=admin).exists():
            calendar = _models()["BusinessCalendar"].objects.filter(code="cn-5x8").first()
            config.set_presence(admin, by=admin, away=True, away_note="培训", shift=calendar)
        return list(AgentPresence.objects.filter(user=admin))
    if kind == "group":
        if not GroupSettings.objects.exists():
            config.set_group_settings(
                teams[0], by=admin, next_line=teams[1], manager=admin, chat_channel="desk-oncall"
            )
        return list(GroupSettings.objects.order_by("pk")[:1])
    if not ClockPolicy.objects.exists():
        agreement = Agreement.objects.order_by("pk").first()
        config.set_clock_pause_states(
            agreement, by=admin, states=["pending_customer", "pending_supplier"]
        )
    return list(ClockPolicy.objects.order_by("pk")[:1])


def _edit_forms() -> list[EditForm]:
    """One row (or one per kind, status or type where the form differs) for each edit form."""
    m = _models()
    return [
        EditForm(
            "core:organisation_edit",
            "admin",
            lambda: list(m["Organisation"].objects.filter(kind="customer").order_by("pk")[:1]),
        ),
        EditForm(
            "core:user_edit",
            "admin",
            lambda: list(m["User"].objects.filter(username__in=["agent", "customer"])),
            related=lambda user: sorted(user.roles),
        ),
        EditForm("core:team_edit", "admin", lambda: list(m["Team"].objects.order_by("pk")[:1])),
        EditForm(
            "calendars:edit",
            "admin",
            lambda: list(m["BusinessCalendar"].objects.filter(code="cn-5x8")),
            related=lambda calendar: sorted(
                calendar.intervals.values_list("weekday", "start", "end")
            ),
        ),
        EditForm(
            "outbox:channel_edit",
            "admin",
            lambda: list(m["NotificationChannel"].objects.order_by("pk")[:1]),
        ),
        # a test ticket's only edit: its priority (re-applied unchanged)
        EditForm(
            "clocks:testticket_detail",
            "admin",
            lambda: list(m["SlaTestTicket"].objects.filter(status="open").order_by("pk")[:1]),
            form=".page-body form[action$='/set-priority/']",
            related=_clocks,
        ),
        EditForm("cmdb:ci_edit", "cmdb", lambda: _most_attributes(m["ConfigurationItem"].objects)),
        EditForm("cmdb:class_edit", "cmdb", lambda: list(m["CIClass"].objects.order_by("pk")[:1])),
        EditForm(
            "cmdb:attribute_edit",
            "cmdb",
            lambda: _first_per(
                m["AttributeDefinition"]
                .objects.filter(type__in=["integer", "decimal", "date"])
                .order_by("type", "pk"),
                "type",
            ),
        ),
        EditForm(
            "cmdb:relation_type_edit",
            "cmdb",
            lambda: list(m["RelationType"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "catalog:category_edit",
            "slm",
            lambda: list(m["ServiceCategory"].objects.order_by("parent_id", "pk")[:1]),
        ),
        EditForm(
            "catalog:service_edit",
            "slm",
            lambda: _first_per(m["Service"].objects.order_by("status", "pk"), "status"),
        ),
        EditForm(
            "catalog:item_edit",
            "slm",
            lambda: list(m["ServiceItem"].objects.exclude(form_fields=[]).order_by("pk")[:1]),
            kwargs=lambda item: {"pk": item.service_id, "item_pk": item.pk},
        ),
        # SLA, OLA and UC forms differ (customer / team / supplier, underpinned SLAs)
        EditForm(
            "slm:agreement_edit",
            "slm",
            lambda: _first_per(m["Agreement"].objects.order_by("kind", "pk"), "kind"),
        ),
        EditForm(
            "slm:target_edit",
            "slm",
            lambda: _first_per(m["Target"].objects.order_by("metric", "pk"), "metric"),
        ),
        EditForm(
            "slm:requirement_edit",
            "slm",
            lambda: list(m["Requirement"].objects.order_by("pk")[:1]),
        ),
        # the meeting page records the meeting in a form of its own (the due date of 8.1)
        EditForm(
            "slm:review_detail",
            "slm",
            lambda: list(m["ReviewMeeting"].objects.order_by("due_date", "pk")[:1]),
        ),
        # an open ticket of each kind (consultations need no service)
        EditForm(
            "desk:ticket_edit",
            "admin",
            lambda: _first_per(
                m["Ticket"]
                .objects.filter(status__in=["assigned", "in_progress", "pending_customer"])
                .order_by("kind", "pk"),
                "kind",
            ),
            related=lambda ticket: sorted(ticket.cis.values_list("pk", flat=True)),
        ),
        # a desk mailbox (its password left empty: the stored one is kept)
        EditForm(
            "deskmail:mailbox_edit", "admin", lambda: list(m["Mailbox"].objects.order_by("pk")[:1])
        ),
        # the desk's configuration (its rows made through the services when the demo has none)
        EditForm("desk:category_edit", "admin", lambda: _desk_row("category")),
        EditForm("desk:rule_edit", "admin", lambda: _desk_row("rule")),
        EditForm("desk:canned_edit", "admin", lambda: _desk_row("canned")),
        EditForm(
            "desk:presence_edit",
            "admin",
            lambda: _desk_row("presence"),
            kwargs=lambda row: {},
            query=lambda row: f"?person={row.user_id}",
        ),
        EditForm(
            "desk:group_edit",
            "admin",
            lambda: _desk_row("group"),
            kwargs=lambda row: {},
            query=lambda row: f"?team={row.team_id}",
        ),
        EditForm(
            "desk:pause_edit",
            "admin",
            lambda: _desk_row("pause"),
            kwargs=lambda row: {},
            query=lambda row: f"?agreement={row.agreement_id}",
        ),
        # problems: open problems with their analysis, a known error, a detection rule
        EditForm(
            "problems:problem_edit",
            "admin",
            lambda: list(
                m["Problem"]
                .objects.filter(status__in=["new", "investigating", "known_error"])
                .order_by("pk")[:2]
            ),
            related=lambda problem: sorted(problem.cis.values_list("pk", flat=True)),
        ),
        EditForm(
            "problems:known_error_edit",
            "admin",
            lambda: list(m["KnownError"].objects.filter(status="active").order_by("pk")[:1]),
            related=lambda known_error: sorted(known_error.cis.values_list("pk", flat=True)),
        ),
        EditForm(
            "problems:rule_edit",
            "admin",
            lambda: list(m["DetectionRule"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "knowledge:article_edit",
            "admin",
            lambda: list(m["Article"].objects.exclude(status="archived").order_by("pk")[:1]),
        ),
        EditForm(
            "knowledge:category_edit",
            "admin",
            lambda: list(m["Category"].objects.order_by("pk")[:1]),
        ),
        # the demo's draft change: pickers of CIs, services and people, its planned window
        EditForm(
            "change:change_edit",
            "admin",
            lambda: list(m["Change"].objects.filter(status="draft").order_by("pk")[:1]),
        ),
        # the change configuration: a template, a risk question (its answers as lines), a
        # threshold, a CAB with its members, a window of each kind, a planned CAB meeting
        EditForm(
            "change:template_edit",
            "admin",
            lambda: list(m["ChangeTemplate"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "change:question_edit",
            "admin",
            lambda: list(m["RiskQuestion"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "change:threshold_edit",
            "admin",
            lambda: list(m["RiskThreshold"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "change:board_edit",
            "admin",
            lambda: list(m["AdvisoryBoard"].objects.order_by("pk")[:1]),
        ),
        EditForm(
            "change:window_edit",
            "admin",
            lambda: _first_per(m["Window"].objects.order_by("pk"), "kind"),
        ),
        EditForm(
            "change:meeting_edit",
            "admin",
            lambda: list(m["CabMeeting"].objects.filter(status="planned").order_by("pk")[:1]),
        ),
        # a release being planned or tested: its changes and CI versions
        EditForm(
            "releases:release_edit",
            "admin",
            lambda: list(
                m["Release"].objects.filter(status__in=["planning", "testing"]).order_by("pk")[:1]
            ),
        ),
        # an alert source and an alert rule (its labels and priorities as "name = value" lines)
        EditForm(
            "events:source_edit", "admin", lambda: list(m["AlertSource"].objects.order_by("pk")[:1])
        ),
        EditForm(
            "events:rule_edit", "admin", lambda: list(m["AlertRule"].objects.order_by("pk")[:1])
        ),
        # an outage entered by hand: service and customer pickers, start and end
        EditForm(
            "availability:outage_edit",
            "admin",
            lambda: list(m["Outage"].objects.filter(source="manual").order_by("pk")[:1]),
        ),
        # a capacity metric (CI and service pickers, thresholds) and a draft capacity plan
        EditForm(
            "capacity:metric_edit", "admin", lambda: list(m["Metric"].objects.order_by("pk")[:1])
        ),
        EditForm(
            "capacity:plan_edit",
            "admin",
            lambda: list(m["CapacityPlan"].objects.filter(status="draft").order_by("pk")[:1]),
        ),
        # next year's objective plan, a draft, and its objective (KPI select, scope pickers)
        EditForm(
            "objectives:plan_edit",
            "slm",
            lambda: list(m["Plan"].objects.filter(status="draft").order_by("pk")[:1]),
        ),
        EditForm(
            "objectives:objective_edit",
            "slm",
            lambda: list(m["Objective"].objects.filter(plan__status="draft").order_by("pk")[:1]),
        ),
        # a planned improvement item raised from a review action (owner, customer, change, KPI)
        EditForm(
            "improvement:item_edit",
            "admin",
            lambda: list(m["Item"].objects.filter(status="planned").order_by("pk")[:1]),
        ),
    ]


def _url_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def snapshot(row: Model, related: Callable[[Model], object]) -> dict:
    """What is stored for *row*: concrete fields, many-to-many ids and *related* values."""
    row = type(row)._base_manager.get(pk=row.pk)
    values = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.attname not in IGNORED
    }
    for m2m in row._meta.many_to_many:
        values[m2m.name] = sorted(getattr(row, m2m.name).values_list("pk", flat=True))
    values["(related)"] = related(row)
    return values


def test_every_edit_url_is_covered():
    """A new ``…edit`` URL needs an entry in ``EDIT_FORMS`` (and so a round-trip check)."""
    edit_urls = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if name.rsplit(":", 1)[-1].endswith("edit") and not name.startswith("api:")
    }
    assert edit_urls <= {form.url_name for form in _edit_forms()}


def _save_unchanged(page, url: str, selector: str) -> str | None:
    """Open *url*, submit the form unchanged; the failure message, or None when it saved."""
    response = page.goto(url)
    if response is None or response.status != 200:
        return f"opening it answered {response and response.status}"
    form = page.locator(selector).first
    if form.count() == 0:
        return f"no form {selector} on the page"
    for reference in form.locator("input[name=change_reference][required]").all():
        if not reference.input_value():
            reference.fill(_authorising_change())
    invalid = form.evaluate(
        "f => Array.from(f.elements).filter(e => e.willValidate && !e.checkValidity())"
        ".map(e => e.name + ': ' + e.validationMessage)"
    )
    if invalid and form.get_attribute("novalidate") is None:
        return "the browser refuses to submit it: {}".format("; ".join(invalid))
    primary = form.locator("button[type=submit].btn-primary")
    button = primary.first if primary.count() else form.locator("button[type=submit]").last
    # the form's own action URL: ``f.action`` is the field named "action" when it has one
    action = form.evaluate(
        "f => Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'action').get.call(f)"
    )
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == action) as posted:
        button.click()
    status = posted.value.status
    page.wait_for_load_state()
    if status != 302:
        errors = page.locator("[data-testid=form-errors], .invalid-feedback, .alert-danger")
        return f"saving answered {status} with {errors.all_inner_texts()}"
    return None


@pytest.mark.browser
def test_every_edit_form_saves_unchanged_in_zh_hans(
    browser, live_server, transactional_db, monkeypatch
):
    from itsm.core.models import User
    from itsm.core.outbox import services as outbox
    from itsm.core.outbox import targets

    # no network: the channel's host resolves to a public address (its SSRF check passes)
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.216.34"])

    load_demo()
    admin = User.objects.get(username="admin")
    if not _models()["NotificationChannel"].objects.exists():
        outbox.create_channel(
            by=admin,
            name="ops-webhook",
            kind="generic",
            url="https://hooks.example.com/itsm",
            secret="s3",
        )
    User.objects.filter(username__in=["admin", "slm", "cmdb"]).update(language="zh-hans")

    forms = _edit_forms()
    failures: list[str] = []
    checked = 0
    for username in sorted({form.user for form in forms}):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1440, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form[action$='/accounts/login/'] button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        for form in (f for f in forms if f.user == username):
            rows = form.rows()
            assert rows, f"the demo has no row for {form.url_name}"
            for row in rows:
                url = reverse(form.url_name, kwargs=form.kwargs(row)) + form.query(row)
                before = snapshot(row, form.related)
                problem = _save_unchanged(page, url, form.form)
                after = snapshot(row, form.related)
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                if problem or changed:
                    failures.append(
                        "{} ({} as {}): {}{}".format(
                            url, row, username, problem or "", changed or ""
                        )
                    )
                checked += 1
        context.close()
    assert not failures, "\n".join(failures)
    assert checked >= len(forms)
