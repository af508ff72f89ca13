"""Release management in the browser, in zh-Hans and in English: the engineer plans a release
bundling an approved change (picked by number with the type-ahead) with the new version of
its CI, starts testing, records a failed and then a passed test, requests the go/no-go; the
release manager decides "go" with a comment; the engineer deploys and confirms the success: the
CI's version in the CMDB and its history show the release, the change is implemented, and the
release report counts it."""

from __future__ import annotations

import pytest

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.releases.choices import ReleaseStatus
from itsm.releases.models import Release
from itsm.releases.tests.factories import approved_change, ci

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plan_test_decide_and_deploy_a_release(page, login, language, provider):
    engineer = _user("rel-eng-b", provider, Role.ENGINEER_L2, language=language)
    manager = _user(
        "rel-mgr-b", provider, Role.RELEASE_MANAGER, Role.CHANGE_MANAGER, language=language
    )
    app = ci("网银后台 E-banking API", attributes={"version": "5.2.0"})
    change = approved_change(engineer, manager, cis=[app], title="网银升级 E-banking upgrade")

    # the engineer plans the release
    login(engineer)
    page.goto("/releases/")
    assert page.locator("html").get_attribute("lang") == language
    page.click("[data-testid=release-create]")
    page.select_option("select[name=kind]", "minor")
    page.fill("input[name=title]", "网银 5.3 发布 E-banking 5.3")
    page.fill("input[name=version_label]", "5.3.0")
    page.fill("input[name=planned_at]", "2031-03-12T22:00")
    pick(page, "[data-field=changes]", change.number, change.number)
    page.fill("textarea[name=deployment_plan]", "滚动部署 Rolling deployment")
    page.fill("textarea[name=rollback_plan]", "重新部署 5.2.0 Redeploy 5.2.0")
    page.fill("textarea[name=ci_versions]", f"{app.number} = 5.3.0")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=release-status][data-status=planning]")
    release = Release.objects.get()
    assert list(release.changes.all()) == [change]
    assert release.ci_versions == {str(app.pk): "5.3.0"}

    # tests: a failed one, then a passed one; then the go/no-go is requested
    page.click("button[data-transition=start_testing]")
    page.wait_for_selector("[data-testid=release-status][data-status=testing]")
    for result in ("failed", "passed"):
        page.fill("[data-testid=test-form] input[name=subject]", "回归测试 Regression")
        page.select_option("[data-testid=test-form] select[name=result]", result)
        page.click("[data-testid=test-submit]")
        page.wait_for_selector(f"[data-testid=release-tests] tr[data-result={result}]")
    page.click("button[data-transition=request_decision]")
    page.wait_for_selector("[data-testid=release-status][data-status=decision]")
    assert page.locator("[data-testid=decide]").count() == 0  # an engineer does not decide

    # the release manager decides "go" with a comment
    login(manager)
    page.goto(f"/releases/{release.pk}/")
    page.select_option("[data-testid=decide] select[name=decision]", "go")
    page.fill("[data-testid=decide] textarea[name=comment]", "测试通过 Tests passed")
    page.click("[data-testid=decide-submit]")
    page.wait_for_selector("[data-testid=release-status][data-status=ready]")
    assert "测试通过 Tests passed" in page.inner_text("[data-testid=decisions]")

    # the engineer deploys and confirms the success (asked first)
    login(engineer)
    page.goto(f"/releases/{release.pk}/")
    page.click("button[data-transition=deploy]")
    page.wait_for_selector("[data-testid=release-status][data-status=deploying]")
    page.click("button[data-transition=succeed]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=release-status][data-status=deployed]")
    release.refresh_from_db()
    change.refresh_from_db()
    app.refresh_from_db()
    assert release.status == ReleaseStatus.DEPLOYED
    assert change.status == "review"
    assert app.attributes["version"] == "5.3.0"

    # the CI's history shows the release
    page.goto(f"/cmdb/cis/{app.pk}/")
    page.click("[data-testid=ci-history]")
    assert release.number in page.inner_text("[data-testid=history]")

    # the release report counts it
    login(manager)
    page.goto("/releases/report/")
    assert page.inner_text("[data-testid=count-deployed]") == "1"
    assert page.inner_text("[data-testid=success-rate]") == "100.0 %"
    assert release.number in page.inner_text("[data-testid=report-releases]")
