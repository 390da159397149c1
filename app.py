"""Palmline entry point: page config, auth gate, and the role's navigation."""

import streamlit as st

from palm.ui import auth, navigation, resources

st.set_page_config(page_title="Palmline", page_icon="✋", layout="wide")
resources.show_service_banner()
user = auth.current_user()
page = st.navigation(navigation.pages_for(user.role if user else None))
if user is not None:
    with st.sidebar:
        st.caption(f"Signed in as **{user.email}** · {user.role}")
        if st.button("Log out", icon=":material/logout:", key="logout"):
            auth.log_out()
            st.rerun()
page.run()
