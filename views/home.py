"""Home: what Palmline does, the disclaimer, and where to start."""

import streamlit as st

from palm.ui import auth

user = auth.require_role()
st.title("Welcome to Palmline")
st.write(
    "Upload a photo of your palm and Palmline finds your hand, traces the principal lines "
    "(heart, head, life, fate, sun and mercury), draws them on your photo, and writes a reading "
    "about life, love, career, health and mind. Your readings build a history you can compare "
    "over time, between your left and right hand, or with a friend — and you can talk them "
    "through with the reader."
)
st.info(
    "**For entertainment only.** Palmistry is a tradition, not a science. Nothing here is "
    "medical, psychological, financial or life-expectancy advice.",
    icon=":material/info:",
)
st.subheader("Where to start")
st.markdown(
    "1. Take a sharp, well-lit photo of your open palm, fingers spread, the whole hand in frame.\n"
    "2. Upload it on the **Analyze** page and pick what you want read.\n"
    "3. Open your reading, toggle the lines on the photo, and ask the reader about it."
)
st.page_link("views/analyze.py", label="Analyze a new photo", icon=":material/photo_camera:")
