"""Disabling an account: an admin's switch, audited. A disabled account cannot sign in
(ACCOUNT_DISABLED, told only after the right password) and is signed out on its next action;
ending its sessions in Redis is `palm.accounts.operations.set_account_disabled`'s part."""

from __future__ import annotations

from sqlalchemy.orm import Session

from palm.accounts.users import AccountError, count_admins
from palm.infra import AuditAction, Outcome, record
from palm.models import User, utcnow
from palm.vocabulary import Role


def _refuse_disabling(
    session: Session, actor: User | None, target: User | None, disable: bool
) -> AccountError | None:
    if actor is None or actor.role != Role.ADMIN or actor.disabled_at is not None:
        return AccountError("FORBIDDEN", "Only an admin can disable or enable accounts.")
    if target is None:
        return AccountError("NOT_FOUND", "That account does not exist.")
    if disable and target.id == actor.id:
        return AccountError("SELF_DISABLE", "You cannot disable your own account.")
    last_admin = target.role == Role.ADMIN and target.disabled_at is None
    if disable and last_admin and count_admins(session) <= 1:
        return AccountError("LAST_ADMIN", "Keep at least one admin: promote someone else first.")
    return None


def set_disabled(
    session: Session, *, actor_id: int, user_id: int, disable: bool, session_ref: str = ""
) -> User:
    """An admin disables (or enables again) an account, audited; never their own, never the
    last admin who can sign in. Ending the account's sessions is the caller's part
    (`palm.accounts.operations.set_account_disabled`)."""
    actor, target = session.get(User, actor_id), session.get(User, user_id)
    actor_email = actor.email if actor else f"user:{actor_id}"
    action = AuditAction.ACCOUNT_DISABLED if disable else AuditAction.ACCOUNT_ENABLED
    error = _refuse_disabling(session, actor, target, disable)
    if error is not None or target is None:
        error = error or AccountError("NOT_FOUND", "That account does not exist.")
        record(
            session,
            actor=actor_email,
            action=action,
            outcome=Outcome.REJECTED,
            target=target.email if target else f"user:{user_id}",
            session_ref=session_ref,
            detail=error.code,
        )
        raise error
    if disable and target.disabled_at is None:
        target.disabled_at = utcnow()
    elif not disable:
        target.disabled_at = None
    record(
        session,
        actor=actor_email,
        action=action,
        outcome=Outcome.OK,
        target=target.email,
        session_ref=session_ref,
    )
    return target
