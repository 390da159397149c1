"""Cache values in Redis as Fernet tokens (the process's MultiFernet): whatever a cache keeps
about a person — reading texts, filenames, e-mail addresses — is never clear text there.

A value that does not decrypt (written in clear by an older version, or under a key that is
no longer configured) is a miss, never an error: caches can always be recomputed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cryptography.fernet import InvalidToken, MultiFernet
from redis import Redis

log = logging.getLogger(__name__)


def seal_value(cipher: MultiFernet, payload: bytes) -> bytes:
    return cipher.encrypt(payload)


def open_value(cipher: MultiFernet, token: bytes) -> bytes | None:
    """The plain payload, or None when the value does not decrypt with the configured keys."""
    try:
        return cipher.decrypt(token)
    except InvalidToken:
        return None


@dataclass(frozen=True)
class RotatedValues:
    rotated: int
    dropped: int


def rotate_values(redis: Redis, cipher: MultiFernet, match: str) -> RotatedValues:
    """Re-encrypt every value whose key matches under the newest key, keeping its TTL; values
    that do not decrypt are deleted. A value rewritten meanwhile under the same key holds the
    same content (cache keys name their inputs), so overwriting it (SET XX) is harmless."""
    rotated = dropped = 0
    for key in redis.scan_iter(match=match, count=500):
        token = redis.get(key)
        if not isinstance(token, bytes):
            continue
        try:
            fresh = cipher.rotate(token)
        except InvalidToken:
            redis.delete(key)
            dropped += 1
            continue
        if redis.set(key, fresh, keepttl=True, xx=True):
            rotated += 1
    if dropped:
        log.info("dropped %d unreadable cache values matching %s", dropped, match)
    return RotatedValues(rotated, dropped)
