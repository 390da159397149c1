"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses.
Private, loopback, link-local and reserved targets (the machine itself, the cloud metadata
address, the office network) are refused unless PALM_WEBHOOK_ALLOW_PRIVATE=1; the check runs
when an endpoint is registered and again before every delivery (DNS may have changed).

A delivery connects to the very address it checked (``pin_target``): the URL's host is
resolved once, and the request goes to that IP with the original name in the Host header and
as the TLS server name, so a name that resolves to a public address for the check and to a
private one a moment later (DNS rebinding) cannot turn a webhook inward."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from palm.errors import PalmError

MAX_URL = 2048


class WebhookTargetError(PalmError):
    """This URL may not receive webhooks (said at registration, logged at delivery)."""


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise WebhookTargetError("WEBHOOK_HOST_UNKNOWN", f"{host} does not resolve.") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


@dataclass(frozen=True)
class PinnedTarget:
    """Where one delivery goes: the checked address, and the name the receiver knows."""

    url: str  # the registered URL, its host replaced by the checked address
    host_header: str  # the registered host (and port, when not the scheme's default)
    server_name: str | None  # the TLS server name (https only): the certificate is for it


def _checked_parts(url: str) -> tuple[str, str, int]:
    """(scheme, hostname, port) of an http(s) URL without credentials, else the coded error."""
    parts = urlsplit(url.strip())
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetError("WEBHOOK_URL_INVALID", "Give an http:// or https:// URL.")
    if parts.username or parts.password:
        raise WebhookTargetError("WEBHOOK_URL_INVALID", "Put no credentials in the URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookTargetError("WEBHOOK_URL_INVALID", "That port is not a number.") from None
    return parts.scheme, parts.hostname, port


def _allowed(
    host: str, port: int, *, allow_private: bool
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The first address the host resolves to, once every one of them may be reached."""
    addresses = _addresses(host, port)
    if not addresses:
        raise WebhookTargetError("WEBHOOK_HOST_UNKNOWN", f"{host} does not resolve.")
    if not allow_private:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise WebhookTargetError(
                    "WEBHOOK_TARGET_PRIVATE",
                    "That address is on a private or local network; webhooks go to public ones.",
                )
    return addresses[0]


def check_target(url: str, *, allow_private: bool) -> str:
    """The URL if it may receive webhooks, else WebhookTargetError with the reason."""
    _, host, port = _checked_parts(url)
    if not allow_private:  # with private targets allowed, a name may resolve only later
        _allowed(host, port, allow_private=False)
    return url.strip()


def pin_target(url: str, *, allow_private: bool) -> PinnedTarget:
    """Check the URL as :func:`check_target` does and say where to connect: the address the
    check approved, never a second lookup's."""
    scheme, host, port = _checked_parts(url)
    address = _allowed(host, port, allow_private=allow_private)
    parts = urlsplit(url.strip())
    literal = f"[{address}]" if address.version == 6 else str(address)
    default = port == (443 if scheme == "https" else 80)
    named = host if ":" not in host else f"[{host}]"
    host_header = named if default else f"{named}:{port}"
    pinned = parts._replace(netloc=literal if default else f"{literal}:{port}").geturl()
    return PinnedTarget(pinned, host_header, host if scheme == "https" else None)
