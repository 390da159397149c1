"""Profile & security: name and dominant hand, e-mail, password, sessions, recent sign-ins."""

import streamlit as st

from palm.ui import auth, profile

user = auth.require_role()
st.title("Profile & security")
profile.details_form(user)
left, right = st.columns(2)
with left:
    profile.email_form(user)
with right:
    profile.password_form(user)
profile.sessions(user)
profile.sign_ins(user)
profile.delete_account(user)
