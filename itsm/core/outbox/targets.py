"""Where outbox messages may go: SSRF checks of webhook URLs and chat channel URLs.

A webhook's host is resolved and every address it resolves to must be public; loopback,
link-local, private, multicast, reserved, unspecified and any other non-global addresses
are refused, and so is an IPv6 address that embeds such an IPv4 address (6to4, Teredo,
NAT64, IPv4-compatible and IPv4-mapped forms), unless the host name, or a network (CIDR)
containing the address, is listed in ``settings.ITSM_WEBHOOK_ALLOWLIST``. The check runs
when a channel is saved and again at each send (DNS may change); the sender then connects
to the address that was checked, so a second lookup cannot swap it (DNS rebinding).

Chat channels go through apprise to fixed vendor hosts; those hosts are checked the same
way, and URL schemes we do not know are refused.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from itsm.core.outbox.choices import ChannelKind

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(Exception):
    """The target is refused (SSRF guard or unknown scheme). Translated message."""


class UnresolvableTarget(Exception):
    """The host name did not resolve (may be temporary)."""


@dataclass(frozen=True)
class CheckedURL:
    """A URL whose host passed the SSRF check, with the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def resolve(host: str, port: int) -> list[str]:
    """All addresses *host* resolves to (tests replace this)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableTarget(
            _("The host {host} cannot be resolved: {error}").format(host=host, error=exc)
        ) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _normalise(address: str) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


#: NAT64 prefixes whose last 32 bits are an IPv4 address (RFC 6052 well-known, RFC 8215 local)
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
#: deprecated IPv4-compatible addresses ``::a.b.c.d`` (RFC 4291 2.5.5.1)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: 6to4, Teredo (server and client), NAT64,
    IPv4-compatible and IPv4-mapped forms. A router may deliver to that IPv4 address, so the
    SSRF check judges it too (``2002:a9fe:a9fe::`` is the metadata address 169.254.169.254)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in (*_NAT64, _IPV4_COMPATIBLE)):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_global(ip: IPAddress) -> bool:
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    )


def is_public(ip: IPAddress) -> bool:
    """Whether *ip* is a global unicast address that embeds no refused IPv4 address.

    Anything that is not ``is_global`` is refused (loopback, private, link-local, shared
    100.64/10, documentation, benchmarking, multicast, reserved, Teredo 2001::/32, the local
    NAT64 prefix, …), and so is an IPv6 address whose embedded IPv4 address is refused.
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64[1]:
        return False  # RFC 8215 local-use NAT64: never global (Python 3.11 says otherwise)
    if isinstance(ip, ipaddress.IPv6Address) and ip in _IPV4_COMPATIBLE:
        return False  # deprecated IPv4-compatible form: no public service lives there
    if not _is_global(ip):
        return False
    return all(_is_global(inner) for inner in embedded_ipv4(ip))


def _allowlist() -> tuple[set[str], list]:
    hosts: set[str] = set()
    networks = []
    for entry in getattr(settings, "ITSM_WEBHOOK_ALLOWLIST", []) or []:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            hosts.add(entry)
    return hosts, networks


def check_host(host: str, port: int) -> str:
    """Return the address to connect to for *host*, or raise ``UnsafeTarget``."""
    host = host.strip("[]").lower()
    if not host:
        raise UnsafeTarget(_("The URL has no host."))
    allowed_hosts, allowed_networks = _allowlist()
    try:
        addresses = [str(_normalise(host))]
    except ValueError:
        addresses = resolve(host, port)
    if not addresses:
        raise UnresolvableTarget(_("The host {host} cannot be resolved.").format(host=host))
    host_allowed = host in allowed_hosts
    for address in addresses:
        ip = _normalise(address)
        if host_allowed or is_public(ip):
            continue
        if any(ip.version == net.version and ip in net for net in allowed_networks):
            continue
        raise UnsafeTarget(
            _(
                "The host {host} resolves to {address}, a loopback, private, link-local or "
                "otherwise non-public address; it is refused unless listed in "
                "ITSM_WEBHOOK_ALLOWLIST."
            ).format(host=host, address=ip)
        )
    return addresses[0]


def check_http_url(url: str) -> CheckedURL:
    """Check an http(s) webhook URL; raises ``UnsafeTarget`` or ``UnresolvableTarget``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeTarget(_("The URL is not valid.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeTarget(_("Only http:// and https:// URLs are allowed."))
    if not parts.hostname:
        raise UnsafeTarget(_("The URL has no host."))
    port = port or (443 if scheme == "https" else 80)
    address = check_host(parts.hostname, port)
    return CheckedURL(
        url=url.strip(), scheme=scheme, host=parts.hostname, port=port, address=address
    )


# --- chat channels through apprise ------------------------------------------------------------

#: apprise scheme and the fixed vendor hosts it posts to, per channel kind
CHAT_SCHEMES: dict[str, tuple[str, tuple[str, ...]]] = {
    ChannelKind.DINGTALK: ("dingtalk", ("oapi.dingtalk.com",)),
    ChannelKind.WECOM: ("wecombot", ("qyapi.weixin.qq.com",)),
    ChannelKind.FEISHU: ("feishu", ("open.feishu.cn",)),
    ChannelKind.SLACK: ("slack", ("hooks.slack.com",)),
}


_TOKEN = re.compile(r"[A-Za-z0-9_\-/]+")


def apprise_url(*, kind: str, url: str, secret: str = "") -> str:
    """The apprise URL of a chat channel, from its vendor https URL or its apprise form.

    Raises ``UnsafeTarget`` for a scheme or host that does not belong to *kind*.
    """
    if kind not in CHAT_SCHEMES:
        raise UnsafeTarget(_("Unknown channel kind: {kind}").format(kind=kind))
    scheme, vendor_hosts = CHAT_SCHEMES[kind]
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeTarget(_("The URL is not valid.")) from None
    given = parts.scheme.lower()
    if given == scheme:
        token = url[len(given) + 3 :]
    elif given == "https":
        if (parts.hostname or "").lower() not in vendor_hosts:
            raise UnsafeTarget(
                _("A {kind} URL must point to {hosts}.").format(
                    kind=ChannelKind(kind).label, hosts=", ".join(vendor_hosts)
                )
            )
        query = parse_qs(parts.query)
        if kind == ChannelKind.DINGTALK:
            token = (query.get("access_token") or [""])[0]
        elif kind == ChannelKind.WECOM:
            token = (query.get("key") or [""])[0]
        elif kind == ChannelKind.FEISHU:
            prefix = "/open-apis/bot/v2/hook/"
            token = parts.path[len(prefix) :].strip("/") if parts.path.startswith(prefix) else ""
        else:  # Slack: https://hooks.slack.com/services/T…/B…/X…
            prefix = "/services/"
            token = parts.path[len(prefix) :].strip("/") if parts.path.startswith(prefix) else ""
    else:
        raise UnsafeTarget(
            _("Unknown URL scheme “{scheme}”; use https:// or {expected}://.").format(
                scheme=given, expected=scheme
            )
        )
    if not token or (given != scheme and not _TOKEN.fullmatch(token)):
        raise UnsafeTarget(_("The URL does not contain the robot's token."))
    if kind == ChannelKind.DINGTALK and secret and "@" not in token:
        return f"dingtalk://{secret}@{token}"
    return f"{scheme}://{token}"


def check_chat_url(*, kind: str, url: str, secret: str = "") -> str:
    """Check a chat channel's URL and its vendor host; return its apprise URL."""
    result = apprise_url(kind=kind, url=url, secret=secret)
    _scheme, vendor_hosts = CHAT_SCHEMES[kind]
    for host in vendor_hosts:
        check_host(host, 443)
    return result


def validate_channel_url(*, kind: str, url: str, field: str = "url") -> None:
    """Model/form validation: raise a ``ValidationError`` naming *field* if refused."""
    try:
        if kind == ChannelKind.GENERIC:
            check_http_url(url)
        else:
            check_chat_url(kind=kind, url=url)
    except (UnsafeTarget, UnresolvableTarget) as exc:
        raise ValidationError({field: [str(exc)]}, code="unsafe_target") from None
