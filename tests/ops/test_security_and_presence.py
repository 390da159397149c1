"""Security events of the last day from the audit log and refused uploads; who is online
from the server-side sessions in Redis."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import timedelta

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import AccountError, sessions, sign_in
from palm.db import transaction
from palm.infra import AuditAction, Outcome, record
from palm.models import utcnow
from palm.ops import ONLINE_SECONDS, Count, presence, security_view
from palm.ops.presence import SESSION_PREFIX as OPS_SESSION_PREFIX
from palm.vocabulary import JobState, Role
from tests.ops.test_queues import add_job


def test_security_counts_by_account_limit_address_and_code(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        for actor in ["ana@example.com", "ana@example.com", "bo@example.com"]:
            record(session, actor=actor, action=AuditAction.LOGIN_FAILED, outcome=Outcome.REJECTED)
        for address in ["198.51.100.7", "198.51.100.7", "203.0.113.9"]:
            record(
                session,
                actor="ana@example.com",
                action=AuditAction.RATE_LIMITED,
                outcome=Outcome.REJECTED,
                detail=f"SIGN_IN_SLOWED by pair; address={address}; wait=40s",
            )
        record(session, actor="root", action=AuditAction.ROLE_CHANGE, outcome=Outcome.OK)
        for action in (AuditAction.EXPORT_REQUESTED, AuditAction.ACCOUNT_DELETED):
            record(session, actor="erased-u-1", action=action, outcome=Outcome.OK)
        old = record(session, actor="x", action=AuditAction.LOGIN_FAILED, outcome=Outcome.REJECTED)
        old.ts = utcnow() - timedelta(days=2)
        refused = add_job(session, "r1", state=JobState.REFUSED, enqueued_ago=60, wait=1, run=1)
        refused.error_code = "NOT_A_PALM"
    with transaction(session_factory) as session:
        view = security_view(session, now=utcnow())
    assert view.failed_sign_ins == [Count("ana@example.com", 2), Count("bo@example.com", 1)]
    assert view.rate_limits == [Count("SIGN_IN_SLOWED by pair", 3)]
    assert view.rate_limited_addresses == [Count("198.51.100.7", 2), Count("203.0.113.9", 1)]
    assert view.rejected_uploads == [Count("NOT_A_PALM", 1)]
    assert sorted(view.sensitive, key=lambda count: count.key) == [
        Count("account_deleted", 1),
        Count("export_requested", 1),
        Count("role_change", 1),
    ]
    assert sum(count for _, count in view.refusals_per_hour) == 6


def test_failed_sign_ins_count_by_client_address_not_by_the_browsers_text(
    session_factory: sessionmaker[Session], make_account: Callable[..., int]
) -> None:
    make_account("ana@example.com")
    tries = [
        ("ana@example.com", "198.51.100.7", "Firefox/130"),
        ("bo@example.com", "198.51.100.7", "curl/8 address=203.0.113.9"),
        ("ana@example.com", "203.0.113.9", ""),
    ]
    for email, address, agent in tries:
        with transaction(session_factory) as session, contextlib.suppress(AccountError):
            sign_in(session, email, "wrong", address=address, limits=None, user_agent=agent)
    with transaction(session_factory) as session:
        record(session, actor="old", action=AuditAction.LOGIN_FAILED, outcome=Outcome.REJECTED)
    with transaction(session_factory) as session:
        view = security_view(session, now=utcnow())
    assert view.failed_sign_in_addresses == [
        Count("198.51.100.7", 2),
        Count("203.0.113.9", 1),
        Count("unknown", 1),
    ]
    assert view.failed_sign_ins[0] == Count("ana@example.com", 2)


def test_presence_counts_sessions_seen_in_the_last_two_minutes(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    make_account: Callable[..., int],
) -> None:
    assert OPS_SESSION_PREFIX == sessions.SESSION_PREFIX
    ana = make_account("ana@example.com")
    root = make_account("root@example.com", Role.ADMIN)
    gone = make_account("gone@example.com")
    ana_tab = sessions.open_session(redis_client, ana, "test", idle_seconds=3600)
    ana_other = sessions.open_session(redis_client, ana, "another tab", idle_seconds=3600)
    root_tab = sessions.open_session(redis_client, root, "test", idle_seconds=3600)
    gone_tab = sessions.open_session(redis_client, gone, "test", idle_seconds=3600)
    for token, page in [(ana_tab, "chat"), (root_tab, "chat"), (gone_tab, "chat")]:
        sessions.note_page(redis_client, token, page)
    del ana_other  # has run no page yet
    for key in redis_client.scan_iter(match=f"{sessions.SESSION_PREFIX}*"):
        if int(redis_client.hget(key, "user_id") or 0) == gone:
            redis_client.hset(key, "last_seen", time.time() - ONLINE_SECONDS - 60)
    with transaction(session_factory) as session:
        online = presence(session, redis_client, now=time.time())
    assert (online.sessions, online.people) == (3, 2)
    assert online.by_role == {"user": 1, "admin": 1}
    assert online.emails == ["ana@example.com", "root@example.com"]
    assert online.by_page == {"chat": 2, "unknown": 1}  # people per page; the idle one is out
