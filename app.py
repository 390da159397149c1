"""Palmline entry point: page config, auth gate, and the role's navigation."""

import streamlit as st

from palm.ui import auth, navigation, notifications, resources, sharing

st.set_page_config(page_title="Palmline", page_icon="✋", layout="wide")
resources.show_service_banner()
user = auth.current_user()
page = st.navigation(
    navigation.pages_for(user.role if user else None),
    position="sidebar" if user else "hidden",
)
if user is None and page.url_path:
    auth.remember_destination(page.url_path)
if user is not None:
    auth.note_page(page.url_path)
    sharing.notices(user)
    notifications.watch(user, quiet_kinds=navigation.told_by_page(page))
    with st.sidebar:
        st.caption("Signed in as")
        st.text(user.email)
        st.caption(user.role)
        if st.button("Log out", icon=":material/logout:", key="logout"):
            auth.log_out()
            st.rerun()
auth.follow_pending_navigation()
if user is not None:
    navigation.close_drawer_after_navigation(page)
page.run()
