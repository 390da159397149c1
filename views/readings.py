"""My readings: every reading, newest first, with thumbnails; open or delete."""

import streamlit as st

from palm.ui import auth, reading_list

user = auth.require_role()
st.title("My readings")
rows = reading_list.current_page(user)
if not rows:
    st.info("No readings yet. Upload a palm photo on the **Analyze** page to get your first.")
    st.page_link("views/analyze.py", label="Analyze a palm", icon=":material/photo_camera:")
    st.stop()
for row in rows[: reading_list.PAGE_SIZE]:
    reading_list.reading_row(user, row)
reading_list.pager(rows)
