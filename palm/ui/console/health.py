"""Overview: one health line per component, green / amber / red with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from palm import ops
from palm.db import transaction
from palm.ui import resources
from palm.ui.console.format import REFRESH_SECONDS
from palm.ui.text import plain

BADGES = {ops.Level.GREEN: ":green-badge[OK]", ops.Level.AMBER: ":orange-badge[WARN]"}
BADGES[ops.Level.RED] = ":red-badge[DOWN]"


@st.fragment(run_every=REFRESH_SECONDS)
def overview_section() -> None:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        lines = ops.overview(
            session,
            queues=runtime.queues,
            redis=runtime.redis,
            engine=runtime.engine,
            log=runtime.query_log,
            default_budget=runtime.settings.palm_llm_monthly_budget_usd,
            llm_configured=runtime.settings.llm_enabled,
            now=datetime.now(UTC),
        )
    for line in lines:
        st.markdown(f"{BADGES[line.level]} **{line.component}** — {plain(line.reason)}")
    st.caption(f"Refreshes every {REFRESH_SECONDS:.0f} s.")
