"""No English in zh-Hans pages (issue 8 item 6).

The demo is loaded; an administrator and a customer user read every page they can reach in
zh-Hans: the shared crawl (``core/testing/crawl.py``) follows every link of the product from
the dashboard (each named route once, with the demo's real ids, so each page type is read).
Each page is parsed (stdlib ``html.parser``) and every text node, every ``placeholder``,
``title``, ``aria-label`` and ``alt`` attribute and every ``<option>`` is checked: a text
without Chinese that holds an English word is a leak — an untranslated message, a raw
choice value (``virtual_machine``, ``create``), a job name, a unit. Codes, numbers, names and
identifiers are not words of a language and pass (``ALLOWED`` and ``_is_word``).

The same walk in English, as the administrator, checks that labels (headings, column heads,
field labels, buttons, choices) start with a capital letter.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client

from itsm.core.models import User
from itsm.core.testing.crawl import crawl, is_html

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
#: tokens that are codes, numbers, addresses, not words: they hold a digit, a dot between
#: letters (a host, a job name), an @ or a slash, or are written in capitals (SLA, CI, P1) or
#: as a hyphenated code (core-sw). A raw choice value (``virtual_machine``) is a word: a label
#: must be shown instead
TOKEN = re.compile(r"\S+")
IDENTIFIER = re.compile(
    r"[\d@/\\]|[A-Za-z]\.[A-Za-z]|^[A-Z][A-Z0-9-]+$|^[A-Z]{2,}-|^[a-z]+-[a-z0-9-]+$"
)

#: Latin words that are names, not English
ALLOWED = set(
    """
    sla ola uc ci kpi api itsm id url ip json csv excel xlsx pdf html openapi swagger redoc
    webhook ldap oidc dingtalk wecom feishu slack smtp imap http https utc gmt itil iso pdca
    gb mb kb tb cpu ram
    tomcat weblogic websphere nginx redis kafka rabbitmq tongweb oracle mysql postgresql dameng
    kingbase oceanbase mongodb linux windows centos ubuntu kylin uos vmware esxi huawei cisco
    h3c dell hp hpe ibm lenovo inspur sugon juniper fortinet f5 tabler echarts htmx django
    python english
    servicenow itop glpi bpic zabbix prometheus alertmanager
    """.split()
)
#: (acronyms and protocol names kept in Latin script in Chinese ITSM practice, storage units,
#: products and platforms of the CMDB choices and demo CIs, the tools whose exports and alerts
#: are taken in, and the language switcher, which names English in English; a unit such as
#: "min" is a word and must be translated)


def _is_word(token: str) -> bool:
    """Whether *token* (a whitespace-separated piece of text) is an English word."""
    if IDENTIFIER.search(token):
        return False
    for word in WORD.findall(token):
        if len(word) >= 2 and word.lower().strip("'’") not in ALLOWED:
            return True
    return False


def latin_leak(text: str, names: set[str]) -> str | None:
    """The English in *text*, or ``None``: text with Chinese passes, as do codes and names."""
    text = " ".join(text.split())
    if not text or CJK.search(text):
        return None
    for name in names:  # demo people, organisations, CIs, codes … written in Latin
        if name and name in text:
            text = re.sub(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", " ", text)
    words = [token for token in TOKEN.findall(text) if _is_word(token)]
    return text if words else None


class PageReader(HTMLParser):
    """Collects the visible texts of one page."""

    SKIP = {"script", "style", "code", "pre", "kbd", "samp", "svg", "template", "textarea"}
    ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
    #: elements whose text is a label (a heading, a column, a field, a button); choices are
    #: left out: some are phrases used inside sentences (relation types: "runs on")
    LABELS = {"th", "label", "button", "legend", "h1", "h2", "h3", "h4", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.labels: list[str] = []
        self.open_label: list[str] = []
        self.skipping: list[str] = []
        self.in_option = False
        self.option = ""

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in self.SKIP:
            self.skipping.append(tag)
        if tag == "option":
            self.in_option, self.option = True, ""
        if tag in self.LABELS:
            self.open_label.append("")
        if tag == "input" and values.get("type") == "hidden":
            return
        if not self.skipping:
            for name in self.ATTRIBUTES:
                if values.get(name):
                    self.texts.append(f"@{name}: {values[name]}")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag in self.LABELS and self.open_label:
            self.labels.append(" ".join(self.open_label.pop().split()))
        if tag == "option" and self.in_option:
            self.in_option = False
            self.texts.append(self.option)

    def handle_data(self, data):
        if self.skipping:
            return
        if self.open_label:
            self.open_label[-1] += data
        if self.in_option:
            self.option += data
        else:
            self.texts.append(data)


def _demo_names() -> set[str]:
    """Names written in the demo data (people, organisations, CIs, services, agreements):
    whatever a user typed is not the product's English."""
    from django.apps import apps

    names: set[str] = set()
    for user in User.objects.all():
        names.update({user.username, user.email, user.get_full_name()})
        names.update(part for part in re.split(r"[()]", user.display_name or "") if part.strip())
    for label in ("core.Organisation", "core.Team", "cmdb.ConfigurationItem", "catalog.Service"):
        model = apps.get_model(label)
        for value in model.objects.values_list("name", flat=True):
            names.update(part.strip() for part in re.split(r"[()]", value) if part.strip())
    # codes people gave their records (an organisation ``provider``, a CI class ``server``)
    for label in ("core.Organisation", "core.Team", "cmdb.CIClass", "change.AdvisoryBoard"):
        names.update(apps.get_model(label).objects.values_list("code", flat=True))
    return {n for n in names if n and not CJK.search(n)}


def lower_case_label(text: str, names: set[str]) -> str | None:
    """An English label that starts with a small letter ("valid until"), or ``None``."""
    if not text or not text[0].islower() or not text[0].isascii():
        return None
    first = text.split()[0]
    if IDENTIFIER.search(first) or any(text.startswith(name) for name in names if name):
        return None
    return text if _is_word(first) else None


def walk(client: Client, names: set[str], *, check=latin_leak) -> tuple[dict, Counter]:
    """Read every page the shared crawl reaches from the dashboard; return what *check* finds
    per page and the routes read."""
    leaks, read = {}, Counter()
    for route, (url, response) in crawl(client).items():
        if not is_html(response):
            continue
        read[route] += 1
        reader = PageReader()
        reader.feed(response.content.decode())
        texts = reader.texts if check is latin_leak else reader.labels
        found = sorted({leak for text in texts if (leak := check(text, names))})
        if found:
            leaks[url] = found
    return leaks, read


#: routes each reader must have read (proof that the walk reached the modules' pages)
MUST_READ = {
    "admin": {
        "ui:dashboard",
        "cmdb:ci_list",
        "cmdb:ci_detail",
        "catalog:service_list",
        "catalog:service_detail",
        "slm:agreement_list",
        "slm:agreement_detail",
        "slm:review_detail",
        "outbox:job_list",
    },
    "customer": {"ui:dashboard", "catalog:portal", "slm:agreement_detail"},
}


def test_zh_hans_pages_show_no_english(demo):
    names = _demo_names()
    problems = []
    for username, must_read in MUST_READ.items():
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(language="zh-hans")
        # a page that fails is the route walk's concern (test_route_walk): here it is skipped
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
        client.force_login(user)
        leaks, read = walk(client, names)
        assert must_read <= set(read), (username, sorted(set(read)))
        problems += [f"{username} {url}: {texts}" for url, texts in sorted(leaks.items())]
    # and the English pages label in sentence case ("Valid until", not "valid until")
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    User.objects.filter(username="admin").update(language="en")
    client.force_login(User.objects.get(username="admin"))
    lower, _read = walk(client, names, check=lower_case_label)
    problems += [f"admin (en) {url}: lower case {texts}" for url, texts in sorted(lower.items())]
    assert problems == [], "English in zh-Hans pages:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("每月执行情况报告", False),
        ("SLA-000001 P1", False),
        ("CI-000012 core-sw-01 10.0.0.1", False),
        ("clocks.sweep", False),
        ("admin@example.com", False),
        ("99.9 %", False),
        ("Escalations applied: 2", True),
        ("virtual_machine", True),  # a raw choice value where a label belongs
        ("create", True),
        ("Per ticket", True),
        ("min", True),  # the unit, untranslated
    ],
)
def test_what_counts_as_english(text, leak):
    assert (latin_leak(text, set()) is not None) is leak


@pytest.mark.parametrize(
    ("text", "lower"),
    [("Valid until", False), ("valid until, on or before", True), ("admin", False), ("", False)],
)
def test_what_counts_as_a_lower_case_label(text, lower):
    assert (lower_case_label(text, {"admin"}) is not None) is lower
