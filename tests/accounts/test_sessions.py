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


def test_a_person_lists_their_own_live_sessions_newest_use_first(redis_client: Redis) -> None:
    older = sessions.open_session(redis_client, 7, "Firefox/130", idle_seconds=IDLE)
    newer = sessions.open_session(redis_client, 7, "Safari/17", idle_seconds=IDLE)
    sessions.open_session(redis_client, 8, "Someone else", idle_seconds=IDLE)
    gone = sessions.open_session(redis_client, 7, "Expired", idle_seconds=IDLE)
    redis_client.delete(sessions.SESSION_PREFIX + sessions.token_hash(gone))  # lapsed
    sessions.resolve(redis_client, newer, idle_seconds=IDLE)
    listed = sessions.list_sessions(redis_client, 7)
    assert [entry.user_agent for entry in listed] == ["Safari/17", "Firefox/130"]
    assert [entry.id for entry in listed] == [sessions.token_hash(t) for t in (newer, older)]
    assert redis_client.scard(sessions.USER_SESSIONS_PREFIX + "7") == 2  # the lapsed one left


def test_one_session_is_revoked_by_its_id_but_never_another_persons(redis_client: Redis) -> None:
    mine = sessions.open_session(redis_client, 7, "", idle_seconds=IDLE)
    theirs = sessions.open_session(redis_client, 8, "", idle_seconds=IDLE)
    assert not sessions.revoke_by_id(redis_client, 7, sessions.token_hash(theirs))
    assert sessions.resolve(redis_client, theirs, idle_seconds=IDLE) is not None
    assert sessions.revoke_by_id(redis_client, 7, sessions.token_hash(mine))
    assert sessions.resolve(redis_client, mine, idle_seconds=IDLE) is None


def test_revoking_all_keeps_only_the_session_asked_for(redis_client: Redis) -> None:
    tokens = [sessions.open_session(redis_client, 7, "", idle_seconds=IDLE) for _ in range(3)]
    other = sessions.open_session(redis_client, 8, "", idle_seconds=IDLE)
    assert sessions.revoke_all(redis_client, 7, keep=sessions.token_hash(tokens[0])) == 2
    alive = [sessions.resolve(redis_client, t, idle_seconds=IDLE) is not None for t in tokens]
    assert alive == [True, False, False]
    assert sessions.resolve(redis_client, other, idle_seconds=IDLE) is not None
    assert sessions.revoke_all(redis_client, 7) == 1
    assert sessions.list_sessions(redis_client, 7) == []


def test_a_session_keeps_the_page_it_last_ran_and_an_ended_one_is_not_recreated(
    redis_client: Redis,
) -> None:
    token = sessions.open_session(redis_client, 7, "", idle_seconds=IDLE)
    key = sessions.SESSION_PREFIX + sessions.token_hash(token)
    assert sessions.note_page(redis_client, token, "readings")
    assert redis_client.hget(key, "page") == b"readings"
    assert redis_client.ttl(key) > IDLE - 5  # the idle lifetime is untouched
    sessions.revoke(redis_client, token)
    assert not sessions.note_page(redis_client, token, "chat")
    assert not sessions.note_page(redis_client, "", "chat")
    assert not redis_client.exists(key)  # no hash without a lifetime left behind
