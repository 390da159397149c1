"""The one place Redis clients are created."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError


class RedisUnavailableError(RuntimeError):
    """Redis did not answer; the message names the URL (password hidden)."""

    code = "REDIS_UNAVAILABLE"


def redact_redis_url(url: str) -> str:
    """Hide a password in a redis:// URL before it reaches a log or a page."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0] if ":" in credentials else ""
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else f"{scheme}://{user}@{host}"


def connect(url: str, *, timeout: float = 5.0) -> Redis:
    """A client with bounded timeouts, so a dead server fails fast instead of hanging."""
    return Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, health_check_interval=30
    )


def check_reachable(url: str, *, timeout: float = 2.0) -> None:
    """Raise RedisUnavailableError with the URL if nothing answers PING there."""
    client = connect(url, timeout=timeout)
    try:
        client.ping()
    except (RedisError, OSError, ValueError) as exc:
        raise RedisUnavailableError(
            f"Redis at {redact_redis_url(url)} is not reachable: {exc}"
        ) from exc
    finally:
        client.close()
