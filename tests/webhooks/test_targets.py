"""A delivery goes to the address its check approved: the host is resolved once, the request
is sent to that IP with the registered name in the Host header (and as the TLS server name),
so a name that answers differently a moment later (DNS rebinding) cannot redirect it.

DNS is outside the machine, so it is the one thing faked here: ``socket.getaddrinfo`` for the
test's own host name; every other lookup (the literal address httpx connects to) is real."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from palm import webhooks
from palm.accounts import create_user
from palm.db import transaction
from palm.vocabulary import Role
from tests.support.receiver import Receiver

NAME = "hooks.example.test"
REAL_LOOKUP = socket.getaddrinfo


PUBLIC = "93.184.216.34"  # a public address (outside this machine: never connected to here)


class RebindingDNS:
    """Answers ``first`` for NAME the first ``honest`` times, then ``later`` (a hostile name
    server rebinding the name once it has been checked)."""

    def __init__(self, first: str, later: str, honest: int = 1) -> None:
        self.first, self.later, self.honest, self.asked = first, later, honest, 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return REAL_LOOKUP(host, port, *args, **kwargs)
        self.asked += 1
        address = self.first if self.asked <= self.honest else self.later
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


def one_delivery(factory: sessionmaker[Session], url: str, *, allow_private: bool) -> int:
    with transaction(factory) as session:
        user = create_user(session, "hooked@example.com", "correct horse battery", Role.USER)
        webhooks.create_endpoint(
            session, user.id, url, ["reading.completed"], allow_private=allow_private
        )
        (delivery_id,) = webhooks.emit(session, user.id, "reading.completed", {"id": 1})
    return delivery_id


def test_a_pinned_target_is_the_checked_address_with_the_name_kept() -> None:
    pinned = webhooks.pin_target("https://[::1]:8443/hook?x=1", allow_private=True)
    assert pinned == webhooks.PinnedTarget("https://[::1]:8443/hook?x=1", "[::1]:8443", "::1")
    with pytest.raises(webhooks.WebhookTargetError) as refused:
        webhooks.pin_target("http://127.0.0.1:8080/hook", allow_private=False)
    assert refused.value.code == "WEBHOOK_TARGET_PRIVATE"
    with pytest.raises(webhooks.WebhookTargetError) as bad:
        webhooks.pin_target("http://example.org:http/hook", allow_private=True)
    assert bad.value.code == "WEBHOOK_URL_INVALID"


def test_a_delivery_to_a_name_reaches_its_checked_address_with_the_name_in_host(
    session_factory: sessionmaker[Session],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    dns = RebindingDNS(first="127.0.0.1", later="10.255.255.1")  # nothing listens there
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    delivery_id = one_delivery(session_factory, f"http://{NAME}:{port}/hook", allow_private=True)
    rules = webhooks.DeliveryRules(allow_private=True, max_failures=3)
    with httpx.Client(timeout=2.0, follow_redirects=False) as http:
        webhooks.deliver(session_factory, http, rules, delivery_id)
    assert dns.asked == 1  # resolved once, for the check: the connection did not look again
    (got,) = receiver.got
    headers = {name.lower(): value for name, value in got.headers.items()}
    assert got.path == "/hook"
    assert headers["host"] == f"{NAME}:{port}"  # the receiver still sees its own name
    assert headers["webhook-id"].startswith("msg_")


def test_a_name_rebound_to_a_private_address_after_the_check_is_never_connected_to_it(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public receiver is outside the machine, so its side is a transport that records
    where the request was sent."""
    sent: list[httpx.Request] = []

    def public_receiver(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    # honest for the check at registration and the delivery's own, then rebound inward
    dns = RebindingDNS(first=PUBLIC, later="127.0.0.1", honest=2)
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    delivery_id = one_delivery(session_factory, f"https://{NAME}/hook", allow_private=False)
    rules = webhooks.DeliveryRules(allow_private=False, max_failures=3)
    transport = httpx.MockTransport(public_receiver)
    with httpx.Client(transport=transport, follow_redirects=False) as http:
        webhooks.deliver(session_factory, http, rules, delivery_id)
    (request,) = sent
    assert dns.asked == 2
    assert request.url.host == PUBLIC  # the checked address, not the rebound 127.0.0.1
    assert request.headers["host"] == NAME
    assert request.extensions["sni_hostname"] == NAME  # the certificate is checked for NAME
