"""The operations console: one module per section of the Admin page, each an auto-refreshing
fragment (st.fragment(run_every=…)) over palm.ops."""

from palm.ui.console.audit import audit_section
from palm.ui.console.health import overview_section
from palm.ui.console.llm import llm_section
from palm.ui.console.queues import empty_queue_form, failed_section, queues_section
from palm.ui.console.security import presence_section, security_section
from palm.ui.console.system import (
    database_section,
    errors_section,
    redis_section,
    workers_section,
)

__all__ = [
    "audit_section",
    "database_section",
    "empty_queue_form",
    "errors_section",
    "failed_section",
    "llm_section",
    "overview_section",
    "presence_section",
    "queues_section",
    "redis_section",
    "security_section",
    "workers_section",
]
