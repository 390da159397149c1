"""Profile & security: name and hand, e-mail, password, sessions, sign-ins, export, deletion."""

import streamlit as st

from palm.ui import auth, data_export, profile, profile_tokens, profile_webhooks

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
profile_tokens.token_form(user)
profile_tokens.token_list(user)
profile_webhooks.webhook_form(user)
profile_webhooks.webhook_list(user)
data_export.export_section(user)
profile.delete_account(user)
