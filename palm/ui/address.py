"""Which client address a request came from, as a plain string for the features' rate
limits (features never see Streamlit or Starlette).

The connection's own address counts, unless ``PALM_TRUSTED_PROXIES`` says that many reverse
proxies stand in front: then the address the outermost trusted proxy saw, read from the
right of X-Forwarded-For. Entries further left are the client's own say and are ignored, so
a forged header changes nothing. Streamlit reports a local connection as None: 127.0.0.1.
"""

from __future__ import annotations

import streamlit as st

from palm.infra import LOCAL_ADDRESS, client_address_of
from palm.ui import resources

LOCAL = LOCAL_ADDRESS
#: The rule itself lives in palm.infra (the REST API follows the same one).
resolve = client_address_of


def client_address() -> str:
    """This browser session's address (the websocket's peer, or through trusted proxies)."""
    peer, forwarded = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    return resolve(
        peer if isinstance(peer, str) else None,  # AppTest runs have no connection
        forwarded if isinstance(forwarded, str) else "",
        resources.settings().palm_trusted_proxies,
    )
