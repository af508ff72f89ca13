"""Content-Security-Policy (issue 8, item 22): every page type, as the administrator and as a
customer, loads in Chromium without a single CSP violation, and the API docs (Swagger UI)
still work. The page list comes from the shared crawl over the demo data
(``core/testing/crawl.py``: one page per URL name, real ids)."""

from __future__ import annotations

import pytest

from itsm.conftest import PASSWORD
from itsm.core.testing.crawl import crawl, is_html, signed_in

pytestmark = pytest.mark.browser

#: what a CSP violation looks like on Chromium's console
VIOLATION_MARKERS = ("Content Security Policy", "Content-Security-Policy")
#: pages that answer a file, not a page (Excel, CSV, PDF exports)
NOT_HTML = ("excel", "export", "csv", "pdf", "download")


def _watch(page) -> list[str]:
    """Collect CSP violations: console errors and ``securitypolicyviolation`` events."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if any(marker in message.text for marker in VIOLATION_MARKERS)
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI"
        " + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"
    )
    return found


def _page_urls(username: str) -> list[str]:
    pages = crawl(signed_in(username))
    return sorted(
        url
        for name, (url, response) in pages.items()
        if is_html(response) and not any(word in name for word in NOT_HTML)
    )


def test_csp_header_is_sent(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    for rule in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert rule in policy, policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self' " not in policy  # nothing else may run scripts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("username", ["admin", "customer"])
def test_no_page_violates_the_csp(page, live_demo, username):
    from itsm.core.models import User

    urls = _page_urls(username)
    assert len(urls) > (30 if username == "admin" else 5), urls
    violations = _watch(page)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", User.objects.get(username=username).get_username())
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    seen = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
        if violations:
            seen.append((url, list(violations)))
            violations.clear()
    assert seen == []


def test_swagger_ui_works_under_the_csp(page, admin_user, login):
    violations = _watch(page)
    login(admin_user)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=30_000)
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert violations == []
