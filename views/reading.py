"""Reading: the annotated photo, the hand shape and a card per analysis type."""

import streamlit as st

from palm.ui import auth, reading_view

user = auth.require_role()
reading_id = reading_view.requested_id()
view = reading_view.load(user, reading_id) if reading_id is not None else None
if view is None:
    st.title("Reading")
    st.info("This reading does not exist or is not yours. Pick one from **My readings**.")
    st.page_link("views/readings.py", label="My readings", icon=":material/list:")
    st.stop()

reading_view.heading(view)
reading_view.status_banner(view)
if view.status == "done":
    left, right = st.columns([3, 2])
    with left:
        reading_view.overlay(view)
    with right:
        reading_view.hand_summary(view)
    reading_view.line_table(view)
    reading_view.cards(view)
    with st.expander("Share this reading with someone", icon=":material/share:"):
        reading_view.share(user, view)
reading_view.disclaimer()
