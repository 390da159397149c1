"""Accounts: sign-up, log-in, roles and per-user preferences. Functions take a Session and
never commit; a refusal raises AccountError after adding its audit event."""

from palm.accounts.preferences import DEFAULT_ANALYSIS_TYPES, get_preference, set_preference
from palm.accounts.sessions import (
    SESSION_COOKIE,
    SessionInfo,
    SessionStoreUnavailableError,
    open_session,
    safe_next,
    token_hash,
)
from palm.accounts.sessions import issue_ticket as issue_sign_in_ticket
from palm.accounts.sessions import redeem_ticket as redeem_sign_in_ticket
from palm.accounts.sessions import resolve as resolve_session
from palm.accounts.sessions import revoke as revoke_session
from palm.accounts.throttle import SignInLimits, limited_sign_up, sign_in
from palm.accounts.users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    assign_role,
    authenticate,
    change_role,
    check_email,
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
    "SESSION_COOKIE",
    "AccountError",
    "SessionInfo",
    "SessionStoreUnavailableError",
    "SignInLimits",
    "assign_role",
    "authenticate",
    "change_role",
    "check_email",
    "count_admins",
    "count_users",
    "create_user",
    "find_by_email",
    "get_preference",
    "get_user",
    "issue_sign_in_ticket",
    "limited_sign_up",
    "list_users",
    "normalise_email",
    "open_session",
    "record_logout",
    "redeem_sign_in_ticket",
    "resolve_session",
    "revoke_session",
    "safe_next",
    "set_preference",
    "sign_in",
    "sign_up",
    "token_hash",
]
