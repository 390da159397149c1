"""History & trends: filter readings, page through them, export CSV, chart the trends."""

import streamlit as st

from palm.ui import auth, history

user = auth.require_role()
viewer = history.viewer_for(user)
st.title("History & trends")
st.caption(
    "Everyone's readings; owners appear as pseudonyms unless they chose to show their e-mail."
    if viewer.sees_everyone
    else "Your readings over time. Select rows to open one or compare two to four."
)
criteria = history.filter_bar(viewer)
page = history.current_page(viewer, criteria)
if not page.rows:
    history.empty_state(viewer, criteria)
    st.stop()

total = history.explorer().count(viewer, criteria)
st.subheader(f"{total:,} matching reading{'s' if total != 1 else ''}")
selected = history.results_table(viewer, page)
history.selection_actions(selected)
history.pager(page, criteria)
history.csv_download(viewer, criteria)

st.subheader("Trends")
history.charts(viewer, criteria)

if not viewer.sees_everyone:
    history.email_opt_in(user)
history.cache_figures(viewer)
