"""Infrastructure under every feature: Redis, encrypted blobs (local folder or S3), keys,
rate limits, the audit log, cache generations, the embedded Redis and child processes.
Imports nothing above it."""

from palm.infra.addresses import LOCAL as LOCAL_ADDRESS
from palm.infra.addresses import client_address_of
from palm.infra.audit import (
    AuditAction,
    AuditFilter,
    Outcome,
    events_csv,
    find_events,
    recent_events,
    record,
)
from palm.infra.crypto import (
    KeyConfigError,
    KeyedMultiFernet,
    ensure_dev_key,
    load_cipher,
    primary_key_id,
)
from palm.infra.embedded_redis import EmbeddedRedis, free_port, start_embedded_redis
from palm.infra.fernet_batch import decrypt_many
from palm.infra.generations import (
    GLOBAL_GENERATION,
    invalidate_user,
    invalidate_users,
    user_generation_key,
)
from palm.infra.locks import held
from palm.infra.logs import JsonFormatter, configure_logging
from palm.infra.memory import release_free_memory
from palm.infra.object_store import BucketPlace, S3Objects, make_s3_client
from palm.infra.processes import die_with_parent
from palm.infra.ratelimit import (
    ActionLimits,
    RateLimitedError,
    RateLimiter,
    enforce,
    key_digest,
    limits_storage,
    record_refusal,
)
from palm.infra.redis import RedisUnavailableError, check_reachable, connect, redact_redis_url
from palm.infra.sealed_values import RotatedValues, open_value, rotate_values, seal_value
from palm.infra.storage import (
    BlobBackend,
    BlobMissingError,
    BlobStorageError,
    BlobStore,
    BlobUnreadableError,
    LocalFolder,
)

__all__ = [
    "GLOBAL_GENERATION",
    "LOCAL_ADDRESS",
    "ActionLimits",
    "AuditAction",
    "AuditFilter",
    "BlobBackend",
    "BlobMissingError",
    "BlobStorageError",
    "BlobStore",
    "BlobUnreadableError",
    "BucketPlace",
    "EmbeddedRedis",
    "JsonFormatter",
    "KeyConfigError",
    "KeyedMultiFernet",
    "LocalFolder",
    "Outcome",
    "RateLimitedError",
    "RateLimiter",
    "RedisUnavailableError",
    "RotatedValues",
    "S3Objects",
    "check_reachable",
    "client_address_of",
    "configure_logging",
    "connect",
    "decrypt_many",
    "die_with_parent",
    "enforce",
    "ensure_dev_key",
    "events_csv",
    "find_events",
    "free_port",
    "held",
    "invalidate_user",
    "invalidate_users",
    "key_digest",
    "limits_storage",
    "load_cipher",
    "make_s3_client",
    "open_value",
    "primary_key_id",
    "recent_events",
    "record",
    "record_refusal",
    "redact_redis_url",
    "release_free_memory",
    "rotate_values",
    "seal_value",
    "start_embedded_redis",
    "user_generation_key",
]
