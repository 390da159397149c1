"""Admin: accounts and roles, the audit log, and the state of queues and workers."""

import streamlit as st

from palm.ui import admin, auth
from palm.vocabulary import Role

user = auth.require_role(Role.ADMIN)
st.title("Admin")
accounts, audit_log, system, llm = st.tabs(["Accounts", "Audit log", "System", "LLM usage"])
with accounts:
    admin.accounts_table(user)
with audit_log:
    admin.audit_table()
with system:
    admin.system_status(user)
with llm:
    admin.llm_usage()
