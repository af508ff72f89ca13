"""Demo of desk e-mail: one mailbox (inactive: the demo has no mail server) and a few mails
the desk has to look at — an unknown sender, an out-of-office reply, a bounce — read through
the intake as if polled, so the received-mail pages have rows."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from django.utils import timezone

from itsm.core.models import User
from itsm.desk.mail.choices import Security
from itsm.desk.mail.models import Mailbox
from itsm.desk.mail.services import create_mailbox, receive

DESK_ADDRESS = "servicedesk@itsm.example.cn"


def _mail(*, sender: str, subject: str, body: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK_ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def _bounce() -> bytes:
    boundary = "demo-bounce"
    return (
        "From: =?utf-8?b?6YKu5Lu257O757uf?= <MAILER-DAEMON@mx.itsm.example.cn>\r\n"
        f"To: {DESK_ADDRESS}\r\nSubject: =?utf-8?b?6YCA5L+h77ya6YKu5Lu25peg5rOV5oqV6YCS?=\r\n"
        "Message-ID: <demo-bounce-1@mx.itsm.example.cn>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(
            "您的邮件无法投递：<old.contact@example.cn> 用户不存在 (550 5.1.1)".encode()
        ).decode()
        + "\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.itsm.example.cn\r\n\r\nFinal-Recipient: rfc822; "
        "old.contact@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <not-ours-any-more@itsm.example.cn>\r\nSubject: old notice\r\n"
        f"\r\n--{boundary}--\r\n"
    ).encode("ascii")


def load_deskmail() -> int:
    """Create the demo mailbox and its received mail once; return how many rows were made."""
    admin = User.objects.filter(username="admin").first()
    if admin is None or Mailbox.objects.exists():
        return 0
    mailbox = create_mailbox(
        by=admin,
        name="服务台邮箱 Service desk",
        host="imap.itsm.example.cn",
        port=993,
        security=Security.SSL,
        username=DESK_ADDRESS,
        password="demo-only",
        addresses=DESK_ADDRESS,
        is_active=False,
    )
    mails = [
        _mail(
            sender="陈先生 <chen@unknown-company.example.cn>",
            subject="咨询：贵公司的运维服务报价",
            body="您好，\n我们想了解贵公司的桌面运维服务报价，请联系我。\n陈先生 138-0000-0000",
            message_id="<demo-unmatched-1@unknown-company.example.cn>",
        ),
        _mail(
            sender="张伟 <zhang.wei@partner.example.cn>",
            subject="自动答复：休假中",
            body="我休假至下周一，回来后回复您。",
            message_id="<demo-oof-1@partner.example.cn>",
            Auto_Submitted="auto-replied",
        ),
    ]
    created = 1
    for uid, raw in enumerate([*mails, _bounce()], start=1):
        receive(mailbox, raw, uid=uid, uid_validity=1)
        created += 1
    return created
