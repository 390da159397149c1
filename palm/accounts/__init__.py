"""Accounts: sign-up, log-in, roles and per-user preferences. Functions take a Session and
never commit; a refusal raises AccountError after adding its audit event."""

from palm.accounts.preferences import DEFAULT_ANALYSIS_TYPES, get_preference, set_preference
from palm.accounts.users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    assign_role,
    authenticate,
    change_role,
    count_admins,
    count_users,
    create_user,
    find_by_email,
    get_user,
    list_users,
    normalise_email,
    record_logout,
    sign_up,
)

__all__ = [
    "DEFAULT_ANALYSIS_TYPES",
    "MIN_PASSWORD_LENGTH",
    "AccountError",
    "assign_role",
    "authenticate",
    "change_role",
    "count_admins",
    "count_users",
    "create_user",
    "find_by_email",
    "get_preference",
    "get_user",
    "list_users",
    "normalise_email",
    "record_logout",
    "set_preference",
    "sign_up",
]
