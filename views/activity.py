"""Activity: the person's own timeline, filtered by kind and date, a page at a time."""

import streamlit as st

from palm.ui import activity, auth

user = auth.require_role()
st.title("Activity")
kinds, start, end = activity.filters()
result = activity.timeline(user, kinds, start, end)
activity.pager(result)
