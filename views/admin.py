"""Admin: the operations console (health, queues, failed jobs, workers, Redis, database, LLM,
errors, security, presence), accounts and roles, and the audit log."""

import streamlit as st

from palm.ui import admin, auth, console
from palm.vocabulary import Role

user = auth.require_role(Role.ADMIN)
st.title("Admin")
(
    overview,
    queues,
    failed,
    workers,
    redis,
    database,
    llm,
    errors,
    security,
    presence,
    accounts,
    audit_log,
) = st.tabs(
    [
        "Overview",
        "Queues",
        "Failed jobs",
        "Workers",
        "Redis",
        "Database",
        "LLM",
        "Errors",
        "Security",
        "Presence",
        "Accounts",
        "Audit log",
    ]
)
with overview:
    console.overview_section()
with queues:
    console.queues_section()
    admin.ping(user)
with failed:
    console.failed_section(user)
    console.empty_queue_form(user)
with workers:
    console.workers_section()
with redis:
    console.redis_section()
with database:
    console.database_section()
with llm:
    console.llm_section(user)
with errors:
    console.errors_section()
with security:
    console.security_section()
with presence:
    console.presence_section()
with accounts:
    admin.accounts_table(user)
with audit_log:
    console.audit_section()
