"""Home: the person's dashboard (or first steps for a new account) and the disclaimer."""

import streamlit as st

from palm.ui import auth, dashboard

user = auth.require_role()
st.title("Welcome to Palmline")
dashboard.greeting(user)
result = dashboard.summary(user)
dashboard.analyze_action()
if result.empty:
    dashboard.first_steps()
else:
    dashboard.figures(result)
    dashboard.latest(user, result)
    dashboard.lines_chart(user, result)
dashboard.chats_and_shares(user)
st.info(
    "**For entertainment only.** Palmistry is a tradition, not a science. Nothing here is "
    "medical, psychological, financial or legal advice.",
    icon=":material/info:",
)
