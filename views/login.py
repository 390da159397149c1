"""Log in or create an account."""

import streamlit as st

from palm.ui import auth

_, middle, _ = st.columns([1, 2, 1])
middle.title("Palmline")
middle.caption("A palm-reading studio — for entertainment only.")
log_in, sign_up = middle.tabs(["Log in", "Create an account"])

with log_in, st.form("login_form"):
    email = st.text_input("E-mail", key="login_email")
    password = st.text_input("Password", type="password", key="login_password")
    if st.form_submit_button("Log in", type="primary"):
        problem = auth.attempt_login(email, password)
        if problem:
            st.error(problem)
        else:
            st.rerun()

with sign_up, st.form("signup_form"):
    new_email = st.text_input("E-mail", key="signup_email")
    new_password = st.text_input(
        "Password",
        type="password",
        key="signup_password",
        help="At least 10 characters, and hard to guess: not a common word alone, a repeat "
        "or a keyboard row. A few unrelated words work well.",
    )
    repeat = st.text_input("Repeat password", type="password", key="signup_repeat")
    if st.form_submit_button("Create account", type="primary"):
        problem = auth.attempt_sign_up(new_email, new_password, repeat)
        if problem:
            st.error(problem)
        else:
            st.rerun()
