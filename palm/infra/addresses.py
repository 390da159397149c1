"""Which client address a request came from, for the rate limits of every entry point (the
Streamlit pages and the REST API): one rule for trusted reverse proxies.

The connection's own address counts, unless ``PALM_TRUSTED_PROXIES`` says that many reverse
proxies stand in front: then the address the outermost trusted proxy saw, read from the
right of X-Forwarded-For. Entries further left are the client's own say and are ignored, so
a forged header changes nothing.
"""

from __future__ import annotations

LOCAL = "127.0.0.1"


def client_address_of(peer: str | None, forwarded_for: str, trusted_proxies: int) -> str:
    """The client's address from the connection's peer and the X-Forwarded-For chain."""
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    hops = [*chain, peer or LOCAL]
    if trusted_proxies <= 0:
        return hops[-1]
    return hops[max(0, len(hops) - 1 - trusted_proxies)]
