"""A person's own data: deleting their account everywhere (database rows, files, Redis keys;
the audit log keeps a pseudonym). Operations own their transactions."""

from palm.privacy.deletion import CONFIRMATION_PHRASE, delete_account, erased_name
from palm.privacy.redis_keys import USER_KEY_PATTERNS, erase_redis

__all__ = [
    "CONFIRMATION_PHRASE",
    "USER_KEY_PATTERNS",
    "delete_account",
    "erase_redis",
    "erased_name",
]
