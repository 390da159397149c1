"""The client address the rate limits count: the connection's own, unless trusted proxies
stand in front; a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

import pytest

from palm.ui.address import resolve


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("198.51.100.7", "", 0, "198.51.100.7"),
        ("198.51.100.7", "203.0.113.9", 0, "198.51.100.7"),  # no proxy trusted: header ignored
        (None, "", 0, "127.0.0.1"),  # Streamlit says None for a local connection
        (None, "203.0.113.9", 1, "203.0.113.9"),  # one proxy on this machine
        (None, "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # the client's own entry is ignored
        ("10.0.0.2", "203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),
        ("10.0.0.2", "", 2, "10.0.0.2"),  # fewer hops than proxies: the nearest one
    ],
)
def test_the_client_address_is_read_from_the_right(
    peer: str | None, forwarded: str, proxies: int, expected: str
) -> None:
    assert resolve(peer, forwarded, proxies) == expected
