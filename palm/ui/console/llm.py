"""LLM: the monthly budget (an admin may change it, audited), tokens and cost per model,
purpose, person and day, and the reply cache's hit rate.

Session state keys owned here: console_budget, console_budget_flash.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from palm import llm, ops
from palm.db import transaction
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.console.format import REFRESH_SECONDS, frame

FLASH_KEY = "console_budget_flash"
USAGE_COLUMNS = {
    "key": "",
    "calls": "Calls",
    "input_tokens": "Input tokens",
    "cached_tokens": "Cached tokens",
    "output_tokens": "Output tokens",
    "cost_usd": "Cost (USD)",
}


def _usage(title: str, rows: list[ops.UsageGroup]) -> None:
    st.markdown(f"**{title}**")
    st.dataframe(
        frame(rows, {**USAGE_COLUMNS, "key": title}).round(4), hide_index=True, width="stretch"
    )


@st.fragment(run_every=REFRESH_SECONDS)
def llm_section(admin: SessionUser) -> None:
    runtime = resources.runtime()
    default = runtime.settings.palm_llm_monthly_budget_usd
    now = datetime.now(UTC)
    with transaction(runtime.session_factory) as session:
        view = ops.llm_view(session, default, now=now)
    budget = view.budget
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    st.progress(
        min(budget.share, 1.0),
        text=f"{budget.month}: {budget.spent_usd:.2f} of {budget.budget_usd:.2f} USD "
        f"({budget.share:.0%}; budget {budget.source})",
    )
    if budget.exhausted:
        st.error("The budget is used up: readings and chat answers come from the offline reader.")
    elif budget.warning:
        st.warning(f"{budget.share:.0%} of this month's LLM budget is spent.")
    with st.form("console_budget_form"):
        amount = st.number_input(
            "Monthly budget (USD)",
            min_value=0.0,
            value=budget.budget_usd,
            step=5.0,
            key="console_budget",
        )
        if st.form_submit_button("Save budget"):
            with transaction(runtime.session_factory) as session:
                llm.set_budget(session, float(amount), actor=admin.email)
            llm.warn_if_due(runtime.session_factory, default, now=now)
            st.session_state[FLASH_KEY] = f"Monthly LLM budget set to {amount:.2f} USD."
            st.rerun()
    stats = ops.reply_cache_stats(runtime.redis)
    if stats is not None:
        rate = f"{stats.hit_rate:.0%}" if stats.hits + stats.misses else "—"
        st.caption(f"LLM reply cache: {stats.hits} hits, {stats.misses} misses ({rate}).")
    if not view.by_model:
        st.info("No LLM calls in the last 30 days: the offline reader is answering.")
        return
    if view.by_day:
        chart = frame(view.by_day, {"key": "day", "cost_usd": "cost (USD)"}).set_index("day")
        st.bar_chart(chart)
    _usage("Model", view.by_model)
    _usage("Purpose", view.by_purpose)
    _usage("Person", view.by_user)
