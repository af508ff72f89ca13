"""The received-mail list in a browser, in Chinese: sort by sender both ways, filter by outcome
(the sort is kept), hide columns (remembered), and download the Excel export of what is shown."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.core import services
from itsm.core.testing.lists import cells, choose_columns, download, headers, sort_by, xlsx_rows
from itsm.desk.mail.choices import MailKind, Outcome
from itsm.desk.mail.models import InboundMail
from itsm.desk.mail.services.intake import _save

pytestmark = [pytest.mark.browser, pytest.mark.urls("itsm.desk.mail.tests.urls")]


def test_sort_filter_choose_columns_and_export_the_received_mail(page, login, engineer):
    made = [
        ("c@remote.example", Outcome.UNMATCHED),
        ("a@remote.example", Outcome.CREATED),
        ("d@remote.example", Outcome.UNMATCHED),
        ("b@remote.example", Outcome.AUTO_IGNORED),
    ]
    for n, (sender, outcome) in enumerate(made):
        _save(
            InboundMail(
                message_id=f"<b{n}@remote.example>",
                dedupe_key=f"<b{n}@remote.example>",
                from_address=sender,
                subject=f"Mail {n}",
                kind=MailKind.PERSON,
                outcome=outcome,
            )
        )
    services.set_language(engineer, language="zh-hans")

    login(engineer)
    page.goto("/desk/mail/")
    sort_by(page, "from_address", "descending")
    assert cells(page, "from_address") == sorted((s for s, _ in made), reverse=True)

    page.select_option("[data-testid=filter-form] select[name=outcome]", "unmatched")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "from_address") == ["d@remote.example", "c@remote.example"]
    assert "sort=-from_address" in page.url

    choose_columns(page, hide=["mailbox", "kind", "ticket"])
    assert headers(page) == ["received_at", "from_address", "subject", "outcome"]
    page.reload()
    assert headers(page) == ["received_at", "from_address", "subject", "outcome"]

    rows = xlsx_rows(download(page, "xlsx"))
    with translation.override("zh-hans"):
        assert rows[0] == [
            str(translation.gettext(label)) for label in ("Received", "From", "Subject", "Outcome")
        ]
        assert {row[3] for row in rows[1:]} == {translation.gettext("Unmatched sender")}
    assert [row[1] for row in rows[1:]] == ["d@remote.example", "c@remote.example"]
