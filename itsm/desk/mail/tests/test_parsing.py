"""Parsing raw mail: classification, thread keys, text, sanitised HTML, attachments, bounces."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from itsm.desk.mail.parsing import (
    MailKind,
    codec_for,
    header_text,
    html_to_text,
    parse_message,
    resolve_cids,
    sanitise_html,
)
from itsm.desk.mail.tests import messages

OWN = ("desk@itsm.example.com", "itsm@itsm.example.com")


def test_a_plain_mail_is_a_persons_mail_with_its_fields():
    parsed = parse_message(messages.plain(), own_addresses=OWN)

    assert parsed.kind == MailKind.PERSON
    assert parsed.is_automatic is False
    assert parsed.reason == ""
    assert parsed.message_id == "<plain-1@acme.example>"
    assert (parsed.from_name, parsed.from_address) == ("Li Lei", "li.lei@acme.example")
    assert parsed.recipients == ["desk@itsm.example.com"]
    assert parsed.subject == "Printer on floor 3 is jammed"
    assert parsed.text == "The printer on floor 3 shows error E-52.\nPlease help."
    assert parsed.html == ""
    assert parsed.attachments == []
    assert parsed.date is not None and parsed.date.isoformat() == "2026-11-30T08:00:00+00:00"
    assert parsed.ticket_numbers == []
    assert parsed.size == len(messages.plain())


def test_gb2312_mail_is_read_as_gb18030_including_gbk_only_characters():
    raw = messages.gb2312()
    assert "镕".encode("gbk") in messages.GB_TEXT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        messages.GB_TEXT.encode("gbk").decode("gb2312")  # what a naive reader would do

    parsed = parse_message(raw)

    assert parsed.subject == messages.GB_SUBJECT
    assert parsed.text == messages.GB_TEXT
    assert parsed.from_name == "王芳"
    assert parsed.from_address == "wang.fang@acme.example"
    assert "\ufffd" not in parsed.text


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ('"gbk"', "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ("utf-8", "utf-8"),
        ("big5", "big5"),
        ("no-such-charset", "utf-8"),
        ("", "utf-8"),
        (None, "utf-8"),
    ],
)
def test_codec_for_charset_labels(label, codec):
    assert codec_for(label) == codec


def test_header_words_in_gbk_and_raw_8bit_headers_are_decoded():
    word = "=?GBK?B?" + __import__("base64").b64encode("镕基".encode("gbk")).decode() + "?="
    assert header_text(word) == "镕基"
    raw = "Subject: 打印机\r\nFrom: a@b.example\r\n\r\nx".encode()
    assert parse_message(raw).subject == "打印机"
    raw_gb = "Subject: 打印机\r\nFrom: a@b.example\r\n\r\nx".encode("gb18030")
    assert parse_message(raw_gb).subject == "打印机"


def test_gmail_html_is_sanitised_and_inline_image_and_file_kept_with_content_id():
    parsed = parse_message(messages.gmail_html_with_inline_image())

    assert parsed.kind == MailKind.PERSON
    assert parsed.text == "VPN drops every 10 minutes. Screenshot attached."
    assert "<b>every 10 minutes</b>" in parsed.html
    assert 'src="cid:ii_screenshot01"' in parsed.html
    for dangerous in ("<script", "onerror", "alert(1)", "javascript:"):
        assert dangerous not in parsed.html
    image, pdf = parsed.attachments
    assert (image.name, image.content_type, image.content_id, image.inline) == (
        "image.png",
        "image/png",
        "ii_screenshot01",
        True,
    )
    assert image.content == messages.PNG
    assert (pdf.name, pdf.content_type, pdf.content_id, pdf.inline) == (
        "log.pdf",
        "application/pdf",
        "",
        False,
    )
    assert pdf.content == b"%PDF-1.4\n%fake but binary\n"
    assert (
        resolve_cids(parsed.html, {"ii_screenshot01": "/desk/attachments/9/"}).count(
            'src="/desk/attachments/9/"'
        )
        == 1
    )


def test_a_mail_with_only_html_gets_a_text_version():
    parsed = parse_message(messages.html_only())

    assert parsed.text == "First paragraph & more.\n\nSecond\nline\n\n- one\n- two"
    assert "<style" not in parsed.html and "color:red" not in parsed.html
    assert "<p>First" in parsed.html


def test_html_to_text_keeps_preformatted_text_and_drops_scripts():
    text = html_to_text("<pre>a  b\n  c</pre><script>x()</script><p>d&lt;e</p>")
    assert text == "a  b\n  c\n\nd<e"


def test_sanitise_html_keeps_tables_and_links_but_not_forms_or_styles():
    html = sanitise_html(
        '<table><tr><td colspan="2">x</td></tr></table><a href="https://a.example/">a</a>'
        '<form action="/x"><input name="p"></form><p style="color:red" onclick="x()">p</p>'
    )
    assert '<td colspan="2">x</td>' in html
    assert 'href="https://a.example/"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<form" not in html and "<input" not in html
    assert "style=" not in html and "onclick" not in html


def test_exchange_auto_reply_is_automatic_with_its_thread_keys():
    parsed = parse_message(
        messages.exchange_auto_reply(in_reply_to="<outbox.abc@itsm.example.com>"),
        own_addresses=OWN,
    )

    assert parsed.kind == MailKind.AUTOMATIC
    assert parsed.reason == "Auto-Submitted: auto-replied"
    assert parsed.ticket_numbers == ["INC-000001"]
    assert parsed.in_reply_to == ["<outbox.abc@itsm.example.com>"]
    assert parsed.thread_message_ids == ["<outbox.abc@itsm.example.com>"]
    assert parsed.language == "en-us"


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-generated"}, None, "Auto-Submitted: auto-generated"),
        ({"Auto-Submitted": "auto-notified; owner-email=x@y"}, None, "Auto-Submitted"),
        ({"Precedence": "bulk"}, None, "Precedence: bulk"),
        ({"Precedence": "Junk"}, None, "Precedence: junk"),
        ({"Precedence": "list"}, None, "Precedence: list"),
        ({"X-Loop": "desk@itsm.example.com"}, None, "X-Loop"),
        ({"X-Autoreply": "yes"}, None, "X-Autoreply"),
        ({"X-Autorespond": "Vacation"}, None, "X-Autorespond"),
        ({"List-Id": "<ops.lists.acme.example>"}, None, "List-Id"),
        ({"List-Unsubscribe": "<mailto:u@x>"}, None, "List-Unsubscribe"),
        ({"Return-Path": "<>"}, None, "Return-Path: <>"),
        ({}, "noreply@github.example", "From: noreply@github.example"),
        ({}, "no-reply@cloud.example", "From: no-reply@cloud.example"),
        ({}, "do_not_reply@bank.example", "From: do_not_reply@bank.example"),
        ({}, "MAILER-DAEMON@mx.example", "From: mailer-daemon@mx.example"),
        ({}, "postmaster@mx.example", "From: postmaster@mx.example"),
        ({}, "desk@itsm.example.com", "From: desk@itsm.example.com"),
    ],
)
def test_automatic_mail_is_recognised(headers, sender, reason):
    raw = messages.plain(headers=headers, sender=sender or "Li Lei <li.lei@acme.example>")

    parsed = parse_message(raw, own_addresses=OWN)

    assert parsed.kind == MailKind.AUTOMATIC
    assert parsed.reason.startswith(reason)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "no"},
        {"Auto-Submitted": "No"},
        {"Precedence": "first-class"},
        {"X-Loop": "someone-else@acme.example"},
        {"X-Auto-Response-Suppress": "All"},  # a request to others, not a sign of automation
    ],
)
def test_a_persons_mail_with_harmless_headers_stays_a_persons(headers):
    parsed = parse_message(messages.plain(headers=headers), own_addresses=OWN)

    assert (parsed.kind, parsed.reason) == (MailKind.PERSON, "")


def test_our_own_message_id_coming_back_is_automatic():
    parsed = parse_message(
        messages.plain(message_id="<outbox.123@itsm.example.com>"), own_addresses=OWN
    )

    assert parsed.kind == MailKind.AUTOMATIC
    assert parsed.reason == "Message-ID: <outbox.123@itsm.example.com>"


@pytest.mark.parametrize("headers_only", [True, False])
def test_postfix_bounce_returns_the_message_id_of_our_mail(headers_only):
    parsed = parse_message(
        messages.postfix_bounce(
            returned_message_id="<outbox.42@itsm.example.com>", headers_only=headers_only
        ),
        own_addresses=OWN,
    )

    assert parsed.kind == MailKind.BOUNCE
    assert parsed.is_automatic is True
    assert parsed.reason == "multipart/report;report-type=delivery-status"
    assert parsed.bounced_message_ids == ["<outbox.42@itsm.example.com>"]
    assert parsed.text.startswith("This is the mail system at host mx.itsm.example.com.")
    assert "<gone@acme.example>: User unknown" in parsed.text
    if headers_only:
        assert parsed.attachments == []
    else:
        (returned,) = parsed.attachments
        assert returned.content_type == "message/rfc822"
        assert returned.name == "[INC-000001] Printer on floor 3 is jammed.eml"
        assert b"Message-ID: <outbox.42@itsm.example.com>" in returned.content


def test_an_old_style_bounce_from_the_mailer_daemon_with_the_message_attached():
    returned = EmailMessage()
    returned["From"] = "desk@itsm.example.com"
    returned["Message-ID"] = "<outbox.77@itsm.example.com>"
    returned["Subject"] = "[REQ-000003] Your request"
    returned.set_content("body")
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@old.example"
    bounce["To"] = "desk@itsm.example.com"
    bounce["Subject"] = "failure notice"
    bounce["Message-ID"] = "<qmail-1@old.example>"
    bounce.set_content("Hi. This is the qmail-send program.")
    bounce.add_attachment(returned)

    parsed = parse_message(bounce.as_bytes(), own_addresses=OWN)

    assert parsed.kind == MailKind.BOUNCE
    assert parsed.bounced_message_ids == ["<outbox.77@itsm.example.com>"]


def test_a_forwarded_mail_attached_by_a_person_is_no_bounce():
    inner = EmailMessage()
    inner["Message-ID"] = "<inner@acme.example>"
    inner["Subject"] = "Original"
    inner.set_content("x")
    outer = EmailMessage()
    outer["From"] = "li.lei@acme.example"
    outer["Subject"] = "Fwd: Original"
    outer["Message-ID"] = "<outer@acme.example>"
    outer.set_content("See below.")
    outer.add_attachment(inner)

    parsed = parse_message(outer.as_bytes(), own_addresses=OWN)

    assert parsed.kind == MailKind.PERSON
    assert parsed.bounced_message_ids == []
    assert [a.name for a in parsed.attachments] == ["Original.eml"]


def test_thread_keys_from_subject_tag_and_references():
    raw = messages.reply(
        to_message_id="<outbox.b@itsm.example.com>",
        references="<first@acme.example> <outbox.a@itsm.example.com> <outbox.b@itsm.example.com>",
        subject="RE: 回复: [inc-000123] Printer [REQ-000004] [INC-000123]",
    )

    parsed = parse_message(raw, own_addresses=OWN)

    assert parsed.ticket_numbers == ["INC-000123", "REQ-000004"]
    assert parsed.in_reply_to == ["<outbox.b@itsm.example.com>"]
    assert parsed.references == [
        "<first@acme.example>",
        "<outbox.a@itsm.example.com>",
        "<outbox.b@itsm.example.com>",
    ]
    assert parsed.thread_message_ids == [
        "<outbox.b@itsm.example.com>",
        "<outbox.a@itsm.example.com>",
        "<first@acme.example>",
    ]


def test_a_mail_without_message_id_gets_a_stable_one_from_its_bytes():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n"

    first, second = parse_message(raw), parse_message(raw)

    assert first.message_id == second.message_id
    assert first.message_id.endswith("@no-message-id.invalid>")
    assert parse_message(raw + b"more").message_id != first.message_id


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"garbage without headers",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nbroken",
        b"Subject: =?utf-8?B?not base64!?=\r\nDate: not a date\r\n\r\n\xff\xfe",
        b"Content-Type: text/plain; charset=no-such\r\n\r\n\xe4\xb8\xad",
    ],
)
def test_malformed_mail_parses_without_error(raw):
    parsed = parse_message(raw)

    assert parsed.kind == MailKind.PERSON
    assert parsed.message_id.startswith("<")


@pytest.mark.parametrize(
    ("content_language", "user_language", "expected"),
    [
        ("zh-CN", None, "zh-hans"),
        ("en-US", None, "en"),
        ("de-DE", None, ""),
        ("", None, ""),
        ("en-US", "zh-hans", "zh-hans"),  # a user's own setting first
    ],
)
def test_the_senders_language(content_language, user_language, expected):
    from types import SimpleNamespace

    from itsm.desk.mail.services.intake import sender_language

    headers = {"Content-Language": content_language} if content_language else {}
    raw = messages.plain()
    if headers:
        raw = raw.replace(
            b"\r\n\r\n", f"\r\nContent-Language: {content_language}\r\n\r\n".encode(), 1
        )
    parsed = parse_message(raw)
    user = SimpleNamespace(language=user_language) if user_language else None

    assert sender_language(parsed, user) == expected
