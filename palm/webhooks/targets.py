"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses.
Private, loopback, link-local and reserved targets (the machine itself, the cloud metadata
address, the office network) are refused unless PALM_WEBHOOK_ALLOW_PRIVATE=1; the check runs
when an endpoint is registered and again before every delivery (DNS may have changed)."""

from __future__ import annotations

import ipaddress
import socket
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


def check_target(url: str, *, allow_private: bool) -> str:
    """The URL if it may receive webhooks, else WebhookTargetError with the reason."""
    parts = urlsplit(url.strip())
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetError("WEBHOOK_URL_INVALID", "Give an http:// or https:// URL.")
    if parts.username or parts.password:
        raise WebhookTargetError("WEBHOOK_URL_INVALID", "Put no credentials in the URL.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not allow_private:
        for address in _addresses(parts.hostname, port):
            if not address.is_global or address.is_multicast:
                raise WebhookTargetError(
                    "WEBHOOK_TARGET_PRIVATE",
                    "That address is on a private or local network; webhooks go to public ones.",
                )
    return url.strip()
