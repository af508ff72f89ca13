"""Text written now by the worker or a service and read later in the reader's language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from itsm.core.stored_text import shown, stored


def test_a_stored_message_is_shown_in_the_readers_language():
    value = stored(gettext_noop("{count} meetings planned"), count=3)
    with translation.override("en"):
        assert shown(value) == "3 meetings planned"
    with translation.override("zh-hans"):
        assert shown(value) == "已安排 3 次会议"


def test_other_text_is_shown_as_it_is_or_translated_when_it_is_a_message():
    with translation.override("zh-hans"):
        assert shown("ConnectionRefusedError: [Errno 111]") == "ConnectionRefusedError: [Errno 111]"
        assert shown("Outbox delivery") == "发件箱投递"
        assert shown('{"itsm_text": 1}') == '{"itsm_text": 1}'
        assert shown("") == ""
        assert shown(None) == ""


def test_a_value_may_be_called_text():
    value = stored(
        gettext_noop("POST {host} answered {status}: {text}"), host="h", status=503, text="x"
    )
    with translation.override("en"):
        assert shown(value) == "POST h answered 503: x"
