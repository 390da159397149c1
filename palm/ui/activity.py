"""Activity page components: the filters (kinds, dates), one page of the person's timeline,
and the pager.

Session state keys owned here: activity_kinds, activity_dates, activity_page.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from palm import privacy
from palm.db import transaction
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain

PAGE_KEY = "activity_page"
PER_PAGE = 25
KIND_ICONS = {
    "sign_in": ":material/login:",
    "account": ":material/manage_accounts:",
    "reading": ":material/back_hand:",
    "share": ":material/share:",
    "chat": ":material/forum:",
    "data": ":material/archive:",
}


def _reset_page() -> None:
    st.session_state[PAGE_KEY] = 1


def filters() -> tuple[set[str] | None, date | None, date | None]:
    left, right = st.columns([3, 2])
    kinds = left.multiselect(
        "Kinds",
        list(privacy.ACTIVITY_KINDS),
        format_func=privacy.ACTIVITY_KINDS.__getitem__,
        key="activity_kinds",
        on_change=_reset_page,
        placeholder="Everything",
    )
    dates = right.date_input(
        "Between", value=[], key="activity_dates", on_change=_reset_page, format="YYYY-MM-DD"
    )
    chosen = list(dates) if isinstance(dates, tuple | list) else [dates]
    start = chosen[0] if chosen else None
    end = chosen[1] if len(chosen) > 1 else start
    return (set(kinds) or None), start, end


def timeline(
    user: SessionUser, kinds: set[str] | None, start: date | None, end: date | None
) -> privacy.ActivityPage:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        result = privacy.activity(
            session,
            runtime.cipher,
            user.id,
            kinds=kinds,
            start=start,
            end=end,
            page=int(st.session_state.get(PAGE_KEY, 1)),
            per_page=PER_PAGE,
        )
    prefs = load(user)
    if not result.items:
        st.info("Nothing here yet for these filters.")
    for item in result.items:
        icon, words = st.columns([1, 12])
        icon.markdown(KIND_ICONS.get(item.kind, ":material/circle:"))
        words.text(item.text)
        words.caption(plain(f"{prefs.when(item.ts)} · {privacy.ACTIVITY_KINDS[item.kind]}"))
        if item.reading_id is not None:
            words.page_link(
                "views/reading.py", label="Open reading", query_params={"id": str(item.reading_id)}
            )
    return result


def pager(result: privacy.ActivityPage) -> None:
    left, middle, right = st.columns([1, 2, 1])
    if left.button("Newer", disabled=result.page <= 1, key="activity_newer"):
        st.session_state[PAGE_KEY] = result.page - 1
        st.rerun()
    middle.caption(f"Page {result.page} of {result.pages} · {result.total} events")
    if right.button("Older", disabled=result.page >= result.pages, key="activity_older"):
        st.session_state[PAGE_KEY] = result.page + 1
        st.rerun()
