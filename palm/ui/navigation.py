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

    @property
    def url_path(self) -> str:
        """The path Streamlit serves the page at (its file name): `/reading` for reading.py."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/home.py", "Home", ":material/home:", default=True),
    PageSpec("views/analyze.py", "Analyze", ":material/photo_camera:"),
    PageSpec("views/readings.py", "My readings", ":material/list:"),
    PageSpec("views/reading.py", "Reading", ":material/visibility:"),
    PageSpec("views/chat.py", "Chat", ":material/forum:"),
    PageSpec("views/history.py", "History & trends", ":material/insights:"),
    PageSpec("views/compare.py", "Compare", ":material/compare:"),
    PageSpec("views/profile.py", "Profile & security", ":material/manage_accounts:"),
    PageSpec("views/preferences.py", "Preferences", ":material/tune:"),
    PageSpec("views/activity.py", "Activity", ":material/history:"),
    PageSpec(
        "views/admin.py", "Admin", ":material/admin_panel_settings:", roles=frozenset({Role.ADMIN})
    ),
)
LOGIN_PAGE = PageSpec("views/login.py", "Log in", ":material/login:", default=True)


#: Jobs whose end a page tells itself (Analyze names each photo), so no second toast.
TOLD_BY_PAGE: dict[str, frozenset[str]] = {"analyze": frozenset({"analysis"})}


def told_by_page(page: StreamlitPage) -> frozenset[str]:
    return TOLD_BY_PAGE.get(page.url_path, frozenset())


def specs_for(role: Role | None) -> list[PageSpec]:
    """The pages a role may open; the logged-out visitor gets only the log-in page."""
    if role is None:
        return [LOGIN_PAGE]
    return [spec for spec in PAGES if role in spec.roles]


#: Streamlit 1.60 leaves the sidebar drawer open over the page after a page is chosen in it
#: on a phone. This closes it on narrow screens when the page (the path) has just changed;
#: the browser's sessionStorage remembers the last path, so a rerun never closes it.
CLOSE_DRAWER = """<script>
(() => { /* PAGE */
  const path = window.location.pathname;
  const last = sessionStorage.getItem("palmline-last-path");
  sessionStorage.setItem("palmline-last-path", path);
  if (last === null || last === path) return;
  if (!window.matchMedia("(max-width: 640px)").matches) return;
  let tries = 0;
  const close = () => {
    const open = document.querySelector('[data-testid="stSidebar"][aria-expanded="true"]');
    const button = open?.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button) { button.click(); return; }
    if (++tries < 20) setTimeout(close, 100);
  };
  setTimeout(close, 100);
})();
</script>"""


def close_drawer_after_navigation(page: StreamlitPage) -> None:
    """On a phone, put the navigation drawer away once another page is open (the page's name
    in the script makes it new on each page, so the browser runs it again)."""
    script = CLOSE_DRAWER.replace("PAGE", page.url_path or "home", 1)
    st.sidebar.html(script, unsafe_allow_javascript=True)


def pages_for(role: Role | None) -> list[StreamlitPage]:
    """The role's pages. Signed out, every page's address shows the log-in form, so a typed
    or shared link (`/reading?id=6`) is remembered and opens after sign-in."""
    if role is None:
        login = st.Page(LOGIN_PAGE.path, title=LOGIN_PAGE.title, icon=LOGIN_PAGE.icon, default=True)
        return [login] + [
            st.Page(LOGIN_PAGE.path, title=LOGIN_PAGE.title, url_path=spec.url_path)
            for spec in PAGES
            if not spec.default
        ]
    return [
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default)
        for spec in specs_for(role)
    ]
