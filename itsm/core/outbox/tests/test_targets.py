from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from itsm.core.outbox import services
from itsm.core.outbox.models import NotificationChannel
from itsm.core.outbox.targets import (
    UnsafeTarget,
    apprise_url,
    check_chat_url,
    check_http_url,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/",
        "http://172.16.3.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://internal.example.com/hook",
        "http://metadata.example.com/",
        "http://mixed.example.com/",
        "http://v6loop.example.com/",
        "http://mapped.example.com/",
    ],
)
def test_non_public_targets_are_refused(url, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    with pytest.raises(UnsafeTarget):
        check_http_url(url)


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/", "file:///etc/passwd", "gopher://x/"])
def test_other_schemes_are_refused(url):
    with pytest.raises(UnsafeTarget):
        check_http_url(url)


def test_public_target_is_allowed_and_pinned(settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    checked = check_http_url("https://hooks.example.com/in?x=1")

    assert (checked.host, checked.port, checked.address) == (
        "hooks.example.com",
        443,
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    ("allow", "url", "address"),
    [
        (["127.0.0.1"], "http://127.0.0.1:9000/", "127.0.0.1"),
        (["127.0.0.0/8"], "http://127.0.0.2/", "127.0.0.2"),
        (["10.0.0.0/8"], "http://internal.example.com/", "10.1.2.3"),
        (["internal.example.com"], "http://internal.example.com/", "10.1.2.3"),
        (["::1"], "http://[::1]/", "::1"),
        (["127.0.0.1"], "http://[::ffff:127.0.0.1]/", "127.0.0.1"),
    ],
)
def test_allow_listed_hosts_and_networks_pass(settings, allow, url, address):
    settings.ITSM_WEBHOOK_ALLOWLIST = allow
    assert check_http_url(url).address == address


def test_allow_list_of_one_network_does_not_open_another(settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["10.0.0.0/8"]
    with pytest.raises(UnsafeTarget):
        check_http_url("http://192.168.0.1/")


@pytest.mark.parametrize(
    ("kind", "url", "secret", "expected"),
    [
        (
            "dingtalk",
            "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "",
            "dingtalk://abc123",
        ),
        (
            "dingtalk",
            "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "SEC9",
            "dingtalk://SEC9@abc123",
        ),
        ("dingtalk", "dingtalk://abc123", "", "dingtalk://abc123"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1", "", "wecombot://k-1"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/tok_1", "", "feishu://tok_1"),
        ("slack", "https://hooks.slack.com/services/T1/B2/X3", "", "slack://T1/B2/X3"),
    ],
)
def test_chat_urls_become_apprise_urls(kind, url, secret, expected):
    assert apprise_url(kind=kind, url=url, secret=secret) == expected
    assert check_chat_url(kind=kind, url=url, secret=secret) == expected


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("dingtalk", "https://evil.example.com/robot/send?access_token=abc"),
        ("dingtalk", "json://127.0.0.1/"),
        ("slack", "dingtalk://abc"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),
        ("generic", "slack://x"),
    ],
)
def test_chat_urls_of_unknown_hosts_or_schemes_are_refused(kind, url):
    with pytest.raises(UnsafeTarget):
        apprise_url(kind=kind, url=url)


def test_chat_vendor_host_is_checked(fake_dns):
    fake_dns["oapi.dingtalk.com"] = ["127.0.0.1"]
    with pytest.raises(UnsafeTarget):
        check_chat_url(kind="dingtalk", url="dingtalk://abc")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://10.1.1.1/x",
        "http://169.254.169.254/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://no-such-host.invalid/",
    ],
)
def test_saving_a_channel_refuses_unsafe_urls_on_the_url_field(admin_user, settings, url):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    with pytest.raises(ValidationError) as info:
        services.create_channel(by=admin_user, name="hook", kind="generic", url=url)

    assert list(info.value.message_dict) == ["url"]
    assert not NotificationChannel.objects.exists()


@pytest.mark.django_db
def test_saving_an_allow_listed_channel_succeeds(admin_user, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["10.0.0.0/8"]
    channel = services.create_channel(
        by=admin_user, name="hook", kind="generic", url="http://10.1.1.1/x"
    )

    assert channel.pk is not None
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    with pytest.raises(ValidationError) as info:
        services.update_channel(channel, by=admin_user, expected_version=1, notes="n")
    assert list(info.value.message_dict) == ["url"]


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:a9fe:a9fe::]/hook",  # 6to4 of 169.254.169.254 (metadata service)
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[2002:c0a8:101::1]/hook",  # 6to4 of 192.168.1.1
        "http://[2001:0:4136:e378:8000:63bf:56fe:5601]/hook",  # Teredo, client 169.1.169.254
        "http://[2001:0:a9fe:a9fe::1]/hook",  # Teredo, server 169.254.169.254
        "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[64:ff9b:1::808:808]/hook",  # RFC 8215 local-use NAT64
        "http://[::a9fe:a9fe]/hook",  # IPv4-compatible 169.254.169.254
        "http://[::808:808]/hook",  # IPv4-compatible form of a public address: still refused
        "http://[::ffff:169.254.169.254]/hook",  # IPv4-mapped
        "http://[fec0::1]/hook",  # site-local
        "http://[fc00::1]/hook",  # unique local
        "http://[2001:db8::1]/hook",  # documentation
        "http://[100::1]/hook",  # discard-only
        "http://192.0.2.1/hook",  # documentation (TEST-NET-1)
        "http://198.18.0.1/hook",  # benchmarking
    ],
)
def test_embedded_and_non_global_addresses_are_refused(url, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    with pytest.raises(UnsafeTarget):
        check_http_url(url)


def test_6to4_of_a_public_ipv4_passes(settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = []
    assert check_http_url("http://[2002:808:808::]/hook").address == "2002:808:808::"


def test_allow_listed_6to4_network_passes(settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["2002:a9fe:a9fe::/48"]
    assert check_http_url("http://[2002:a9fe:a9fe::1]/hook").address == "2002:a9fe:a9fe::1"
