"""Server-side sessions in the real Redis: only a hash is stored, use renews them, revoking
ends them everywhere, tickets work once, and a return path never leaves the site."""

from __future__ import annotations

import pytest
from redis import Redis

from palm.accounts import sessions
from palm.infra import connect

IDLE = 3600


def test_a_session_stores_only_a_hash_and_renews_on_use(redis_client: Redis) -> None:
    token = sessions.open_session(redis_client, 7, "Firefox/130", idle_seconds=IDLE)
    keys = [key.decode() for key in redis_client.scan_iter(match="palm:session:*")]
    assert keys == [sessions.SESSION_PREFIX + sessions.token_hash(token)]
    assert token not in keys[0]
    redis_client.expire(keys[0], 10)
    info = sessions.resolve(redis_client, token, idle_seconds=IDLE)
    assert info is not None and (info.user_id, info.user_agent) == (7, "Firefox/130")
    assert redis_client.ttl(keys[0]) > IDLE - 5  # renewed by the use


def test_revoking_ends_the_session_and_forged_tokens_resolve_to_nobody(
    redis_client: Redis,
) -> None:
    token = sessions.open_session(redis_client, 7, "", idle_seconds=IDLE)
    assert sessions.resolve(redis_client, token + "x", idle_seconds=IDLE) is None
    assert sessions.resolve(redis_client, "", idle_seconds=IDLE) is None
    sessions.revoke(redis_client, token)
    assert sessions.resolve(redis_client, token, idle_seconds=IDLE) is None
    assert redis_client.smembers(sessions.USER_SESSIONS_PREFIX + "7") == set()


def test_a_ticket_works_once_and_keeps_the_page_to_return_to(redis_client: Redis) -> None:
    ticket = sessions.issue_ticket(redis_client, 7, "/reading?id=6")
    assert sessions.redeem_ticket(redis_client, ticket) == (7, "/reading?id=6")
    assert sessions.redeem_ticket(redis_client, ticket) is None
    assert sessions.redeem_ticket(redis_client, "forged") is None


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/reading?id=6", "/reading?id=6"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("reading", "/"),
    ],
)
def test_the_return_path_stays_on_this_site(path: str, safe: str) -> None:
    assert sessions.safe_next(path) == safe


def test_without_redis_sign_in_says_so() -> None:
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    with pytest.raises(sessions.SessionStoreUnavailableError) as refused:
        sessions.open_session(dead, 7, "", idle_seconds=IDLE)
    assert refused.value.code == "SESSIONS_UNAVAILABLE"
