"""Browser-test fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

Registered for the whole suite by ``pytest_plugins`` in ``itsm/conftest.py``. A test asks for
``page`` (a fresh browser context on the live server) and ``login`` (sign in through the real
login form), and is marked ``@pytest.mark.browser``::

    @pytest.mark.browser
    def test_dashboard(page, login, admin_user):
        login(admin_user)
        page.goto("/")

Chromium comes from the distribution (``/usr/bin/chromium``; ``scripts/ensure-chromium.sh``
installs it), not from Playwright's download. When it is missing the tests fail with a clear
message, unless ``ITSM_SKIP_BROWSER=1`` asks to skip them.

Playwright's sync API keeps an asyncio loop running in this thread; Django refuses ORM calls
while a loop runs, so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set while a browser module runs (the
ORM calls here are ordinary synchronous test code, not coroutines). The browser is started per
module and stopped after it, so the loop never leaks into other tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Milliseconds a Playwright action or assertion waits before failing.
TIMEOUT_MS = 15_000


def chromium_path() -> str:
    return os.environ.get("ITSM_CHROMIUM", CHROMIUM)


def _require_chromium() -> str:
    path = chromium_path()
    if os.path.exists(path) and os.access(path, os.X_OK):
        return path
    if os.environ.get("ITSM_SKIP_BROWSER") == "1":
        pytest.skip(f"{path} not found and ITSM_SKIP_BROWSER=1: browser tests skipped")
    pytest.fail(
        f"Browser tests need Debian's Chromium at {path}. Install it with "
        "`bash scripts/ensure-chromium.sh` (apt-get install chromium), or set "
        "ITSM_SKIP_BROWSER=1 to skip the browser tests.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """A headless Chromium (one per test module)."""
    path = _require_chromium()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield instance
            finally:
                instance.close()


@pytest.fixture
def page(browser, live_server, transactional_db) -> Iterator:
    """A page in a fresh context (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def login(page) -> Callable:
    """``login(user, password=PASSWORD)``: sign in through the login form, land on the dashboard.

    Each sign-in starts a fresh session: the page first leaves for ``about:blank`` and only then
    drops the cookies. Dropped while the previous page still ran, a late answer to one of its
    requests (made without a cookie) could set a new CSRF cookie after the login form was
    served with the old one, and the form was refused (CI: "CSRF token from POST incorrect"
    when a journey switched users)."""
    from itsm.conftest import PASSWORD

    def sign_in(user, password: str = PASSWORD):
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", password)
        page.click("form[action$='/accounts/login/'] button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in


# True once a remote picker has searched for *query* and every search has answered. Tom Select
# searches only after a pause in the typing (its refreshThrottle), and until then no loading
# mark shows, so the wrapper's ``loading`` class alone cannot tell that a search is still due.
_SEARCHED = """([selector, query]) => {
  const picker = document.querySelector(selector).tomselect;
  const searched = !picker.settings.load || query in picker.loadedSearches;
  return searched && !picker.refreshTimeout && picker.loading === 0;
}"""

# Leave the control as a user moving to the next field does. Tom Select ignores a blur while
# the document has no focus (``document.hasFocus()`` is false in a headless window that is not
# in front) and then still counts itself focused, so a late answer would reopen its list: the
# leaving is then completed by hand.
_LEAVE = """element => {
  const picker = element.tomselect;
  picker.blur();
  if (picker.isFocused) { picker.isFocused = false; picker.trigger("blur"); }
  picker.close();
}"""

# What a failure reports: the picker's own state, so a list that would not close says why.
_STATE = """element => {
  const picker = element.tomselect;
  return {focused: picker.isFocused, open: picker.isOpen, loading: picker.loading,
    searchDue: !!picker.refreshTimeout, documentHasFocus: document.hasFocus(),
    searched: Object.keys(picker.loadedSearches)};
}"""


def pick(page, field: str, query: str, value: str) -> None:
    """Choose *value* in the type-ahead picker (``ui/picker.js``) of the field *field* — a CSS
    selector of its ``[data-field=…]`` wrapper — as a user does: click it, type *query*, wait
    for the answer to what was typed, click the option, and wait until the choice shows in the
    control.

    Only this picker's own dropdown is searched (Tom Select puts it inside the field's
    wrapper), so an option left in another picker's dropdown can never be clicked. The option
    is clicked only once the search for the typed text has answered: the list first shows the
    records found when the control took the focus, and clicking one of them while the search
    was still due let its answer reopen the list after the choice, over the fields below it
    (CI: a list that stayed open). When the answer arrives after the dropdown closed, the
    control is clicked again, as a user would.

    The control is then left, as a user moving to the next field does (``_LEAVE``)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector(f"{field} [data-picker-ready]", state="attached")
    element = page.locator(f"{field} [data-picker]")
    control = page.locator(f"{field} .ts-control")
    option = page.locator(f"{field} .ts-dropdown .option[data-value='{value}']")
    close_lists = "document.querySelectorAll('[data-picker]').forEach(e => e.tomselect?.close())"
    page.evaluate(close_lists)  # a list another picker left open (a late answer) is closed
    control.click()
    page.keyboard.type(query)
    page.wait_for_function(_SEARCHED, arg=[f"{field} [data-picker]", query.strip()])
    for _attempt in range(3):
        try:
            option.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            page.evaluate(close_lists)  # as a user clicking away from a list left open
            control.click()
    option.click()
    page.wait_for_selector(f"{field} .ts-control .item[data-value='{value}']")
    element.evaluate(_LEAVE)
    dropdown = page.locator(f"{field} .ts-dropdown")
    try:
        dropdown.wait_for(state="hidden", timeout=10_000)
    except PlaywrightTimeout as error:
        state = element.evaluate(_STATE)
        raise AssertionError(f"the list of {field} stayed open: {state}") from error
