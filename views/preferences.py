"""Preferences: what shapes readings, dates and charts, with a live preview."""

import streamlit as st

from palm.ui import auth, preferences

user = auth.require_role()
st.title("Preferences")
st.caption("Readings, dates and charts follow these everywhere; the preview shows the effect.")
left, right = st.columns([3, 2])
with left:
    chosen = preferences.choices(user)
    preferences.save(user, chosen)
with right:
    preferences.preview(user, chosen)
