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

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from itsm.core.demo import DEMO_PASSWORD, load_demo

#: Columns a save may touch although nothing changed (bookkeeping, not user data).
IGNORED = {"version", "updated_at", "last_login"}
#: The form of a page whose save button is the primary one (not the logout form, filters …).
PRIMARY_FORM = ".page-body form[method=post]:has(button[type=submit].btn-primary)"
#: The authorising change a signed agreement's form asks for even when nothing changes.
REFERENCE = "CHG-000001"


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
            lambda: list(m["ServiceItem"].objects.order_by("pk")[:1]),
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
            reference.fill(REFERENCE)
    invalid = form.evaluate(
        "f => Array.from(f.elements).filter(e => e.willValidate && !e.checkValidity())"
        ".map(e => e.name + ': ' + e.validationMessage)"
    )
    if invalid and form.get_attribute("novalidate") is None:
        return "the browser refuses to submit it: {}".format("; ".join(invalid))
    primary = form.locator("button[type=submit].btn-primary")
    button = primary.first if primary.count() else form.locator("button[type=submit]").last
    action = form.evaluate("f => f.action")
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
