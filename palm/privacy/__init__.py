"""A person's own data: exporting it (a job, a zip kept 24 h) and deleting their account
everywhere (database rows, files, Redis keys; the audit log keeps a pseudonym). Operations
own their transactions; ``activity`` takes a Session."""

from palm.privacy.activity import ACTIVITY_KINDS, ActivityItem, ActivityPage, activity
from palm.privacy.deletion import CONFIRMATION_PHRASE, delete_account, erased_name
from palm.privacy.export import (
    EXPORT_SECONDS,
    ExportStatus,
    export_status,
    fetch_export,
    request_export,
    run_export,
)
from palm.privacy.redis_keys import USER_KEY_PATTERNS, erase_redis

__all__ = [
    "ACTIVITY_KINDS",
    "CONFIRMATION_PHRASE",
    "EXPORT_SECONDS",
    "USER_KEY_PATTERNS",
    "ActivityItem",
    "ActivityPage",
    "ExportStatus",
    "activity",
    "delete_account",
    "erase_redis",
    "erased_name",
    "export_status",
    "fetch_export",
    "request_export",
    "run_export",
]
