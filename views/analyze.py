"""Analyze: upload palm photos, pick what to read, watch them progress."""

import streamlit as st

from palm.ui import analyze, auth

user = auth.require_role()
st.title("Analyze your palm")
st.caption(
    "Sharp, well-lit photos of an open palm work best: fingers spread, the whole hand in "
    "frame, no strong shadows. JPEG, PNG, WebP, HEIC or BMP, up to 20 MB each."
)
analyze.upload_form(user)
analyze.batch_progress(user)
