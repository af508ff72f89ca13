"""Choices of the outbox app: message channels and states, channel kinds, job states."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours


class MessageChannel(ChoiceSet):
    """How an outbox message leaves: e-mail, a generic JSON webhook, or a chat channel."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook (JSON POST)")
    CHAT = "chat", _("Chat notification")


class MessageStatus(ChoiceSet):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Dead letter")


with_colours(
    MessageStatus,
    {"pending": "yellow", "sending": "blue", "sent": "green", "dead": "red"},
)


class ChannelKind(ChoiceSet):
    """Kinds of admin-configured notification channels."""

    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom (WeChat Work) robot")
    FEISHU = "feishu", _("Feishu robot")
    SLACK = "slack", _("Slack incoming webhook")
    GENERIC = "generic", _("Generic JSON webhook")


class JobStatus(ChoiceSet):
    RUNNING = "running", _("Running")
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")


with_colours(JobStatus, {"running": "blue", "ok": "green", "failed": "red"})
