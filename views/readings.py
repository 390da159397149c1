"""My readings: every reading, newest first, with thumbnails; open or delete. Photos that
could not be read are listed apart, with their reason."""

import streamlit as st

from palm.ui import auth, preferences, reading_list

user = auth.require_role()
prefs = preferences.load(user)
st.title("My readings")
rows = reading_list.current_page(user)
refused = reading_list.unreadable(user)
if not rows:
    st.info("No readings yet. Upload a palm photo on the **Analyze** page to get your first.")
    st.page_link("views/analyze.py", label="Analyze a palm", icon=":material/photo_camera:")
for row in rows[: reading_list.PAGE_SIZE]:
    reading_list.reading_row(user, row, prefs)
if rows:
    reading_list.pager(rows)
if refused:
    with st.expander(f"Photos that could not be read ({len(refused)})", icon=":material/error:"):
        for row in refused:
            reading_list.unreadable_row(user, row, prefs)
