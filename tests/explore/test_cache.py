"""The explore cache: hits and misses, per-user isolation, exact invalidation on every write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.fernet import MultiFernet
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import cache as explore_cache
from palm.explore import shares
from palm.explore.explorer import Explorer
from palm.explore.operations import revoke_share, share_reading
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import invalidate_user, invalidate_users
from palm.infra.storage import BlobStore
from palm.jobs import Queues
from palm.readings import Upload, run_analysis, submit_batch
from palm.readings.operations import remove_reading
from palm.readings.store import ReadingNotFoundError
from palm.settings import Settings
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, ReadingSpec, add_reading, days
from tests.support.photos import LIMITS, photo

EVERYTHING = ExploreFilter()


def insert(factory: sessionmaker[Session], spec: ReadingSpec) -> int:
    with transaction(factory) as session:
        return add_reading(session, spec)


def stats(redis: Redis) -> tuple[int, int]:
    current = explore_cache.cache_stats(redis)
    assert current is not None
    return current.hits, current.misses


@pytest.fixture
def explorer(
    session_factory: sessionmaker[Session], redis_client: Redis, cipher: MultiFernet
) -> Explorer:
    return Explorer(session_factory, redis_client, cipher)


def test_second_view_is_a_hit_with_the_same_rows(
    explorer: Explorer, session_factory, redis_client: Redis, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    insert(session_factory, ReadingSpec(ana.user_id))
    first = explorer.page(ana, EVERYTHING)
    assert stats(redis_client) == (0, 1)
    assert explorer.page(ana, EVERYTHING) == first
    assert explorer.per_day(ana, EVERYTHING) == explorer.per_day(ana, EVERYTHING)
    assert stats(redis_client) == (2, 2)
    keys = [key.decode() for key in redis_client.scan_iter("palm:cache:explore:page:*")]
    assert len(keys) == 1 and f"user:{ana.user_id}:" in keys[0]
    assert 0 < redis_client.ttl(keys[0]) <= explore_cache.DEFAULT_TTL


@pytest.mark.usefixtures("redis_client")
def test_a_user_never_gets_another_users_cached_value(
    explorer: Explorer, session_factory, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    ben = Viewer(make_account("ben@example.com"), Role.USER)
    mine = insert(session_factory, ReadingSpec(ana.user_id))
    theirs = insert(session_factory, ReadingSpec(ben.user_id))
    assert [r.id for r in explorer.page(ana, EVERYTHING).rows] == [mine]
    assert [r.id for r in explorer.page(ben, EVERYTHING).rows] == [theirs]  # a miss, not ana's
    assert explorer.count(ben, EVERYTHING) == 1 and explorer.count(ana, EVERYTHING) == 1
    assert sum(p.count for p in explorer.presence(ben, EVERYTHING)) == 3
    analyst = Viewer(make_account("ada@example.com", Role.ANALYST), Role.USER)
    assert explorer.count(analyst, EVERYTHING) == 0  # a user-role viewer with no readings
    everyone = Viewer(analyst.user_id, Role.ANALYST)
    assert explorer.count(everyone, EVERYTHING) == 2


def test_new_reading_is_on_the_very_next_page_view(
    explorer: Explorer, session_factory, redis_client: Redis, store: BlobStore, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    insert(session_factory, ReadingSpec(ana.user_id, created_at=BASE_TIME - days(3)))
    assert len(explorer.page(ana, EVERYTHING).rows) == 1
    assert len(explorer.page(ana, EVERYTHING).rows) == 1  # cached now
    submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=ana.user_id,
        uploads=[Upload("new.jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["life"],
        limits=LIMITS,
    )
    rows = explorer.page(ana, EVERYTHING).rows
    assert [row.filename for row in rows] == ["new.jpg", "palm.jpg"]
    assert rows[0].status == "queued"


def test_delete_is_gone_on_the_very_next_page_view(
    explorer: Explorer, session_factory, redis_client: Redis, store: BlobStore, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    keep = insert(session_factory, ReadingSpec(ana.user_id))
    gone = insert(session_factory, ReadingSpec(ana.user_id, created_at=BASE_TIME + days(1)))
    analyst = Viewer(make_account("ada@example.com", Role.ANALYST), Role.ANALYST)
    for _ in range(2):
        assert [r.id for r in explorer.page(ana, EVERYTHING).rows] == [gone, keep]
        assert explorer.count(analyst, EVERYTHING) == 2
    remove_reading(session_factory, store, redis_client, ana.user_id, gone)
    assert [r.id for r in explorer.page(ana, EVERYTHING).rows] == [keep]
    assert explorer.count(analyst, EVERYTHING) == 1  # cross-user views follow every user


def test_finished_analysis_is_on_the_very_next_view(
    explorer: Explorer,
    session_factory,
    redis_client: Redis,
    store: BlobStore,
    make_account,
    tmp_path,
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=ana.user_id,
        uploads=[Upload("palm.jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["life"],
        limits=LIMITS,
    )
    for _ in range(2):
        assert [(d.status, d.count) for d in explorer.per_day(ana, EVERYTHING)] == [("queued", 1)]
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    run_analysis(
        session_factory, store, redis_client, None, settings, batch.reading_ids[0], lambda *_: None
    )
    assert [(d.status, d.count) for d in explorer.per_day(ana, EVERYTHING)] == [("done", 1)]


def test_revoking_a_share_invalidates_the_cached_comparison(
    explorer: Explorer, session_factory, redis_client: Redis, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    ben = Viewer(make_account("ben@example.com"), Role.USER)
    mine = insert(session_factory, ReadingSpec(ana.user_id))
    theirs = insert(session_factory, ReadingSpec(ben.user_id))
    with transaction(session_factory) as session:
        share = shares.share_reading(session, ben.user_id, theirs, "ana@example.com")
        assert share is not None
    invalidate_users(redis_client, [ben.user_id, ana.user_id])
    assert explorer.compare(ana, [mine, theirs]).compatibility is not None
    assert explorer.compare(ana, [mine, theirs]).compatibility is not None  # cached
    with transaction(session_factory) as session:
        shares.revoke_share(session, ben.user_id, share.id)
    invalidate_users(redis_client, [ben.user_id, ana.user_id])
    with pytest.raises(ReadingNotFoundError):
        explorer.compare(ana, [mine, theirs])


def test_pages_with_readings_in_flight_are_not_cached(
    explorer: Explorer, session_factory, redis_client: Redis, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    insert(session_factory, ReadingSpec(ana.user_id, status="running"))
    explorer.page(ana, EVERYTHING)
    assert not list(redis_client.scan_iter("palm:cache:explore:page:*"))


def test_redis_down_still_answers_from_the_database(
    session_factory, make_account: Callable[..., int], cipher: MultiFernet
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    insert(session_factory, ReadingSpec(ana.user_id))
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    explorer = Explorer(session_factory, dead, cipher)
    assert len(explorer.page(ana, EVERYTHING).rows) == 1
    invalidate_user(dead, ana.user_id)  # logged, not raised


def test_cached_pages_and_comparisons_hold_no_emails_filenames_or_texts(
    explorer: Explorer, session_factory, redis_client: Redis, make_account, cipher: MultiFernet
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    ben = Viewer(make_account("ben.friend@example.com"), Role.USER)
    mine = insert(session_factory, ReadingSpec(ana.user_id, filename="ana-left-palm.jpg"))
    theirs = insert(session_factory, ReadingSpec(ben.user_id, filename="ben-right-palm.jpg"))
    with transaction(session_factory) as session:
        assert shares.share_reading(session, ben.user_id, theirs, "ana@example.com")
    invalidate_users(redis_client, [ben.user_id, ana.user_id])
    shown = explorer.compare(ana, [mine, theirs])
    assert [item.owner for item in shown.items] == ["you", "ben.friend@example.com"]
    assert explorer.page(ana, EVERYTHING).rows[0].filename == "ana-left-palm.jpg"
    cached = {
        key: redis_client.get(key) for key in redis_client.scan_iter("palm:cache:explore:*:*")
    }
    assert any(b":compare:" in key for key in cached) and any(b":page:" in key for key in cached)
    for key, value in cached.items():
        assert isinstance(value, bytes) and value.startswith(b"gAAAAA"), key
        for secret in (b"ben.friend@", b"example.com", b"palm.jpg", b"left hand", b"right hand"):
            assert secret not in value and secret not in key
    compared = next(value for key, value in cached.items() if b":compare:" in key)
    assert compared is not None and b"ben.friend@example.com" in cipher.decrypt(compared)


def test_a_revoked_share_leaves_no_cached_comparison_for_its_former_recipient(
    explorer: Explorer, session_factory, redis_client: Redis, make_account
) -> None:
    ana = Viewer(make_account("ana@example.com"), Role.USER)
    ben = Viewer(make_account("ben@example.com"), Role.USER)
    mine = insert(session_factory, ReadingSpec(ana.user_id))
    other = insert(session_factory, ReadingSpec(ana.user_id, created_at=BASE_TIME + days(1)))
    theirs = insert(session_factory, ReadingSpec(ben.user_id))
    share = share_reading(session_factory, redis_client, ben.user_id, theirs, "ana@example.com")
    assert share is not None
    assert [i.owner for i in explorer.compare(ana, [mine, theirs]).items][1] == "ben@example.com"
    explorer.compare(ana, [mine, other])  # her own comparison, unaffected by the revoke

    def comparisons() -> list[str]:
        return sorted(k.decode() for k in redis_client.scan_iter("palm:cache:explore:compare:*"))

    assert len(comparisons()) == 2
    revoke_share(session_factory, redis_client, ben.user_id, share.id)
    remaining = comparisons()
    assert len(remaining) == 1 and remaining[0].endswith(f":{mine}-{other}")
    with pytest.raises(ReadingNotFoundError):
        explorer.compare(ana, [mine, theirs])
    assert comparisons() == remaining
