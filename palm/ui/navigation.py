"""Which pages each role sees. The single list app.py builds its navigation from."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from palm.vocabulary import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    roles: frozenset[Role] = ALL_ROLES
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", default=True),
    PageSpec("pages/analyze.py", "Analyze", ":material/photo_camera:"),
    PageSpec("pages/readings.py", "My readings", ":material/list:"),
    PageSpec("pages/reading.py", "Reading", ":material/visibility:"),
    PageSpec("pages/chat.py", "Chat", ":material/forum:"),
    PageSpec("pages/history.py", "History & trends", ":material/insights:"),
    PageSpec("pages/compare.py", "Compare", ":material/compare:"),
    PageSpec(
        "pages/admin.py", "Admin", ":material/admin_panel_settings:", roles=frozenset({Role.ADMIN})
    ),
)
LOGIN_PAGE = PageSpec("pages/login.py", "Log in", ":material/login:", default=True)


def specs_for(role: Role | None) -> list[PageSpec]:
    """The pages a role may open; the logged-out visitor gets only the log-in page."""
    if role is None:
        return [LOGIN_PAGE]
    return [spec for spec in PAGES if role in spec.roles]


def pages_for(role: Role | None) -> list[StreamlitPage]:
    return [
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default)
        for spec in specs_for(role)
    ]
