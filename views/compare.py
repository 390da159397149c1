"""Compare: 2–4 readings side by side in one palm frame, what changed, and sharing."""

import streamlit as st

from palm.ui import auth, compare, history

user = auth.require_role()
viewer = history.viewer_for(user)
st.title("Compare readings")
st.caption(
    "Your readings over time, your left hand against your right, or yours against one a "
    "friend shared with you — for entertainment only."
)
ids = compare.picker(user)
result = compare.load(viewer, ids) if len(ids) >= 2 else None

if result is None:
    compare.empty_state(user)
else:
    day = compare.day_label(user)
    compare.overlays(result, day)
    story, chart = st.columns([3, 2])
    with story:
        st.subheader("Reading the difference")
        compare.narrative(result, day)
    with chart:
        compare.radar(result, day)
    st.subheader("What changed, line by line")
    compare.diff_table(result, day)

st.divider()
with st.expander("Share a reading with someone", icon=":material/share:"):
    compare.share_panel(user)
