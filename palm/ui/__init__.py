"""Streamlit components shared by pages; each module owns its session_state keys."""
