"""Release pages: list, detail, create, edit, the actions through the forms (tests, go/no-go,
transitions with confirmation, rollback), the report, both languages, tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.releases import services
from itsm.releases.choices import ReleaseStatus
from itsm.releases.models import Release
from itsm.releases.tests.factories import approved_change, ci, make_release

pytestmark = pytest.mark.django_db


def _in_testing(engineer, manager, **fields):
    release = make_release(engineer, changes=[approved_change(engineer, manager)], **fields)
    return services.start_testing(release, by=engineer)


def test_pages_render_for_staff(engineer, release_manager, browse):
    release = _in_testing(engineer, release_manager, version_label="5.3.0")
    client = browse(release_manager)
    for name, args in [
        ("releases:release_list", []),
        ("releases:release_detail", [release.pk]),
        ("releases:release_edit", [release.pk]),
        ("releases:release_create", []),
        ("releases:report", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
    content = client.get(reverse("releases:release_list")).content.decode()
    assert release.number in content
    detail = client.get(reverse("releases:release_detail", args=[release.pk])).content.decode()
    assert 'data-testid="test-form"' in detail
    assert 'data-transition="request_decision"' in detail


def test_create_through_the_form_with_ci_versions(engineer, release_manager, browse):
    app = ci("erp")
    change = approved_change(engineer, release_manager, cis=[app])
    response = browse(engineer).post(
        reverse("releases:release_create"),
        {
            "kind": "major",
            "title": "ERP 3",
            "version_label": "3.0",
            "planned_at": "2031-03-12T22:00",
            "changes": change.number,
            "deployment_plan": "Deploy.",
            "rollback_plan": "Redeploy 2.",
            "ci_versions": f"{app.number.lower()} = 3.0\n",
        },
    )
    release = Release.objects.get(title="ERP 3")
    assert response.status_code == 302
    assert list(release.changes.all()) == [change]
    assert release.ci_versions == {str(app.pk): "3.0"}
    edit = browse(engineer).get(reverse("releases:release_edit", args=[release.pk]))
    assert f"{app.number} = 3.0" in edit.content.decode()


def test_the_form_names_the_bad_field(engineer, release_manager, browse):
    change = approved_change(engineer, release_manager, cis=[ci("erp")])
    stranger = ci("other")
    client = browse(engineer)
    for ci_versions, message in [
        ("CI-999999 = 1.0", "No such CI: CI-999999."),
        ("just text", "Line 1: write “CI number = version”."),
        (f"{stranger.number} = 1.0", f"Not a CI of the bundled changes: {stranger.number}."),
    ]:
        response = client.post(
            reverse("releases:release_create"),
            {"kind": "minor", "title": "X", "changes": change.number, "ci_versions": ci_versions},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["ci_versions"] == [message]
    assert not Release.objects.exists()


def test_edit_unchanged_writes_nothing(engineer, release_manager, browse):
    app = ci("erp")
    release = make_release(
        engineer,
        changes=[approved_change(engineer, release_manager, cis=[app])],
        ci_versions={str(app.pk): "2.0"},
    )
    client = browse(engineer)
    form = client.get(reverse("releases:release_edit", args=[release.pk])).context["form"]
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    data["changes"] = [c.number for c in release.changes.all()]
    data["manager"] = release.manager.username
    data["planned_at"] = form["planned_at"].value().strftime("%Y-%m-%dT%H:%M")
    from itsm.releases.forms import ReleaseEditForm

    bound = ReleaseEditForm(data, instance=release, user=engineer, initial={"version": 1})
    assert bound.is_valid() and bound.changed_data == [], bound.changed_data
    response = client.post(reverse("releases:release_edit", args=[release.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    fresh = Release.objects.get(pk=release.pk)
    assert fresh.version == release.version


def test_tests_decision_and_deployment_through_the_page(engineer, release_manager, browse):
    release = _in_testing(engineer, release_manager)
    eng, mgr = browse(engineer), browse(release_manager)
    url = reverse("releases:release_detail", args=[release.pk])
    eng.post(
        reverse("releases:release_test", args=[release.pk]),
        {"subject": "Smoke", "result": "passed"},
    )
    transition = reverse("releases:release_transition", args=[release.pk])
    response = eng.post(transition, {"to": "decision", "version": 2})
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DECISION
    decide = reverse("releases:release_decide", args=[release.pk])
    detail = mgr.get(url).content.decode()
    assert 'data-testid="decide"' in detail
    mgr.post(decide, {"decision": "go", "comment": "Go.", "version": release.version})
    release.refresh_from_db()
    assert release.status == ReleaseStatus.READY
    eng.post(transition, {"to": "deploying", "version": release.version})
    release.refresh_from_db()
    # success asks first
    asked = eng.post(transition, {"to": "deployed", "version": release.version})
    assert asked.status_code == 200
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DEPLOYING
    # a rollback without its outcome is refused with a message, after the confirmation
    eng.post(
        transition,
        {"to": "rolled_back", "outcome_note": "", "version": release.version, "confirmed": "yes"},
    )
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DEPLOYING
    eng.post(
        transition,
        {
            "to": "rolled_back",
            "outcome_note": "Broke the log-in.",
            "version": release.version,
            "confirmed": "yes",
        },
    )
    release.refresh_from_db()
    assert (release.status, release.outcome_note) == (
        ReleaseStatus.ROLLED_BACK,
        "Broke the log-in.",
    )
    report = mgr.get(reverse("releases:report")).content.decode()
    assert release.number in report


def test_both_languages(engineer, release_manager, browse):
    release = _in_testing(engineer, release_manager)
    url = reverse("releases:release_detail", args=[release.pk])
    zh = browse(release_manager, "zh-hans").get(url).content.decode()
    assert "测试记录" in zh and "Test records" not in zh
    en = browse(release_manager, "en").get(url).content.decode()
    assert "Test records" in en


def test_report_refuses_a_bad_month(release_manager, browse):
    response = browse(release_manager).get(reverse("releases:report"), {"start": "2026-13"})
    assert response.status_code == 400
    assert response.context["form"].errors["start"] == ["Enter a month as YYYY-MM."]


def test_customers(engineer, release_manager, customer_a, customer_user, browse):
    change = approved_change(engineer, release_manager, cis=[ci("bank", customer=customer_a)])
    release = make_release(engineer, changes=[change], internal_notes="Secret plan B.")
    client = browse(customer_user)
    detail = reverse("releases:release_detail", args=[release.pk])
    assert client.get(detail).status_code == 404  # planned: not shown yet
    services.start_testing(release, by=engineer)
    page = client.get(detail)
    assert page.status_code == 200
    assert "Secret plan B." not in page.content.decode()
    assert 'data-testid="test-form"' not in page.content.decode()
    services.record_test(release, by=engineer, subject="Smoke", result="passed")
    services.request_decision(release, by=engineer)
    services.decide(release, by=release_manager, decision="go", comment="Go.")
    services.deploy(release, by=engineer)
    services.succeed(release, by=engineer)
    other = approved_change(engineer, release_manager)  # affects no customer
    hidden = make_release(engineer, changes=[other], kind="emergency")
    services.decide(hidden, by=release_manager, decision="go", comment="Go.")
    services.deploy(hidden, by=engineer)
    services.roll_back(hidden, by=engineer, outcome_note="Failed.")
    report = client.get(reverse("releases:report"))
    assert report.status_code == 200  # the KPI page links here: their releases only
    assert (report.context["report"].deployed, report.context["report"].rolled_back) == (1, 0)
    assert hidden.number not in report.content.decode()
    assert client.get(reverse("releases:release_create")).status_code == 403


def test_the_ci_page_links_its_authorising_change(engineer, release_manager, browse):
    app = ci("erp", attributes={"version": "1.0"})
    change = approved_change(engineer, release_manager, cis=[app])
    release = make_release(engineer, changes=[change], ci_versions={str(app.pk): "1.1"})
    services.start_testing(release, by=engineer)
    services.record_test(release, by=engineer, subject="Smoke", result="passed")
    services.request_decision(release, by=engineer)
    services.decide(release, by=release_manager, decision="go", comment="Go.")
    services.deploy(release, by=engineer)
    services.succeed(release, by=engineer)
    page = browse(engineer).get(reverse("cmdb:ci_detail", args=[app.pk])).content.decode()
    link = f'<a href="{reverse("change:change_list")}?q={change.number}">{change.number}</a>'
    assert link in page


def test_the_change_page_fragment_lists_its_releases(
    engineer, release_manager, browse, customer_user
):
    change = approved_change(engineer, release_manager)
    release = make_release(engineer, changes=[change])
    url = reverse("releases:change_releases")
    page = browse(engineer).get(f"{url}?change={change.pk}")
    assert page.status_code == 200
    assert f'data-release="{release.number}"' in page.content.decode()
    assert browse(engineer).get(f"{url}?change=999999").status_code == 404
    assert browse(engineer).get(f"{url}?change=x").status_code == 404
    assert browse(engineer).get(url).status_code == 200  # none named: empty
    assert browse(customer_user).get(f"{url}?change={change.pk}").status_code == 403
