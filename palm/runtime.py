"""Every client a process uses — engine and sessions, Redis, queues, blob store (and its S3
client), cipher, LLM, readers, rate limiters — built once, on first use, and handed down to
the features.

The Streamlit app, each worker and the CLI call :func:`get_runtime`; features never build a
client themselves, they receive one. ``built`` counts constructions, so a test can prove that
twenty jobs on one worker built each client once.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar, cast

import httpx
from cryptography.fernet import MultiFernet
from limits.storage import RedisStorage
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import SignInLimits
from palm.chat import ChatLLM, MemoryConfig, memory_config
from palm.db import make_engine, make_session_factory
from palm.explore import Explorer, deployment_secret
from palm.infra import (
    ActionLimits,
    BlobBackend,
    BlobStore,
    BucketPlace,
    LocalFolder,
    RateLimiter,
    S3Objects,
    connect,
    limits_storage,
    load_cipher,
    make_s3_client,
)
from palm.jobs import Queues
from palm.llm import LLM, BudgetGate, build_llm
from palm.ops import QueryLog
from palm.readers import LLMReader, build_reader
from palm.readings import BatchLimits
from palm.settings import Settings, get_settings
from palm.vocabulary import Guarded
from palm.webhooks import DeliveryRules

T = TypeVar("T")


class Runtime:
    """The clients of one process over one Settings; each property builds its client once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.built: Counter[str] = Counter()
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()  # builders call other builders (the reader needs Redis)

    def _once(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._clients:
                self._clients[name] = build()
                self.built[name] += 1
            return cast(T, self._clients[name])

    @property
    def engine(self) -> Engine:
        url = self.settings.resolved_database_url

        def build() -> Engine:
            engine = make_engine(url, self.settings, cipher=self.cipher)
            self.query_log.attach(engine)
            return engine

        return self._once("engine", build)

    @property
    def query_log(self) -> QueryLog:
        """This process's statement timings and pool checkouts (the console's Database tab)."""
        return self._once("query_log", QueryLog)

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self._once("session_factory", lambda: make_session_factory(self.engine))

    @property
    def redis(self) -> Redis | None:
        """None when REDIS_URL is unset (the app was started without the launcher)."""
        url = self.settings.redis_url
        return self._once("redis", lambda: connect(url, timeout=2.0) if url else None)

    @property
    def queues(self) -> Queues | None:
        redis = self.redis
        return self._once("queues", lambda: Queues(redis) if redis is not None else None)

    @property
    def cipher(self) -> MultiFernet:
        return self._once("cipher", lambda: load_cipher(self.settings))

    @property
    def blob_store(self) -> BlobStore:
        """Photos, thumbnails and overlays: the local folder, or the bucket of
        PALM_STORAGE_URL (ciphertext either way)."""
        return self._once("blob_store", lambda: BlobStore(self._blob_backend(), self.cipher))

    def _blob_backend(self) -> BlobBackend:
        url = self.settings.palm_storage_url
        if not url:
            return LocalFolder(self.settings.images_dir)
        return S3Objects(self.s3_client, BucketPlace.parse(url))

    @property
    def s3_client(self) -> Any:
        """boto3's S3 client over the PALM_S3_* settings (only built with PALM_STORAGE_URL)."""
        settings = self.settings

        def build() -> Any:
            key, secret = settings.palm_s3_access_key_id, settings.palm_s3_secret_access_key
            return make_s3_client(
                endpoint_url=settings.palm_s3_endpoint_url,
                region=settings.palm_s3_region,
                access_key_id=key.get_secret_value() if key else None,
                secret_access_key=secret.get_secret_value() if secret else None,
                timeout=settings.palm_s3_timeout,
            )

        return self._once("s3_client", build)

    @property
    def llm(self) -> LLM | None:
        """None without OPENAI_API_KEY and OPENAI_BASE_URL: the offline reader answers.
        Every request first asks the monthly budget (palm.llm.BudgetGate)."""

        def build() -> LLM | None:
            llm = build_llm(self.settings)
            if llm is not None:
                budget = self.settings.palm_llm_monthly_budget_usd
                llm.allowed = BudgetGate(self.session_factory, budget)
            return llm

        return self._once("llm", build)

    @property
    def reader(self) -> LLMReader | None:
        ttl = self.settings.palm_llm_cache_ttl
        return self._once(
            "reader", lambda: build_reader(self.llm, self.redis, self.cipher, cache_ttl=ttl)
        )

    @property
    def chat_llm(self) -> ChatLLM | None:
        def build() -> ChatLLM | None:
            llm = self.llm
            tokens = self.settings.palm_chat_max_output_tokens
            deadline = self.settings.palm_chat_deadline
            if llm is None:
                return None
            return ChatLLM(llm, max_output_tokens=tokens, deadline_seconds=deadline)

        return self._once("chat_llm", build)

    @property
    def chat_memory(self) -> MemoryConfig:
        return memory_config(self.settings)

    @property
    def batch_limits(self) -> BatchLimits:
        return BatchLimits.from_settings(self.settings)

    @property
    def api_batch_limits(self) -> BatchLimits:
        """The REST API's batches: up to PALM_API_BATCH_LIMIT photos, the same other rules."""
        limits = BatchLimits.from_settings(self.settings)
        return replace(limits, max_files=self.settings.palm_api_batch_limit)

    @property
    def explorer(self) -> Explorer:
        return self._once(
            "explorer",
            lambda: Explorer(
                self.session_factory,
                self.redis,
                self.cipher,
                mirror=self.settings.palm_explore_mirror,
            ),
        )

    @property
    def pseudonym_secret(self) -> bytes:
        return self._once("pseudonym_secret", lambda: deployment_secret(self.settings))

    def _limiter(self, name: str, rates: str | int) -> RateLimiter | None:
        def build() -> RateLimiter | None:
            storage = self._limits_storage()
            return RateLimiter(storage, rates, name) if storage is not None else None

        return self._once(f"limiter:{name}", build)

    def _limits_storage(self) -> RedisStorage | None:
        redis, url = self.redis, self.settings.redis_url
        return self._once(
            "limits_storage", lambda: limits_storage(redis, url) if redis and url else None
        )

    @property
    def sign_in_limits(self) -> SignInLimits:
        settings = self.settings
        return SignInLimits(
            per_address=self._limiter("sign-in:address", settings.palm_sign_in_per_address),
            per_pair=self._limiter("sign-in:pair", settings.palm_sign_in_per_pair),
            per_account=self._limiter("sign-in:account", settings.palm_sign_in_per_account),
            redis=self.redis,
        )

    def _action_limits(self, action: Guarded, per_account: str, per_address: str) -> ActionLimits:
        return ActionLimits(
            action,
            per_account=self._limiter(f"{action}:account", per_account),
            per_address=self._limiter(f"{action}:address", per_address),
        )

    @property
    def sign_up_limits(self) -> ActionLimits:
        """Accounts created per client address (there is no account yet to count)."""
        rates = self.settings.palm_sign_up_per_address
        return ActionLimits(Guarded.SIGN_UP, per_address=self._limiter("sign_up:address", rates))

    @property
    def submit_limits(self) -> ActionLimits:
        """Photos sent for analysis, per account and per client address."""
        settings = self.settings
        return self._action_limits(
            Guarded.SUBMIT, settings.palm_submit_per_account, settings.palm_submit_per_address
        )

    @property
    def share_limits(self) -> ActionLimits:
        settings = self.settings
        return self._action_limits(
            Guarded.SHARE, settings.palm_share_per_account, settings.palm_share_per_address
        )

    @property
    def export_limits(self) -> ActionLimits:
        """Downloads that build a file on demand: the History CSV and chat exports."""
        settings = self.settings
        return self._action_limits(
            Guarded.EXPORT, settings.palm_export_per_account, settings.palm_export_per_address
        )

    @property
    def webhook_http(self) -> httpx.Client:
        """The client webhook deliveries go out on: a short timeout, never a redirect."""
        timeout = self.settings.palm_webhook_timeout
        return self._once(
            "webhook_http", lambda: httpx.Client(timeout=timeout, follow_redirects=False)
        )

    @property
    def webhook_rules(self) -> DeliveryRules:
        settings = self.settings
        return DeliveryRules(
            allow_private=settings.palm_webhook_allow_private,
            max_failures=settings.palm_webhook_max_failures,
        )

    @property
    def api_token_limiter(self) -> RateLimiter | None:
        """Every API request counts against its token (RateLimitedError scope "token")."""
        return self._limiter("api:token", self.settings.palm_api_per_token)

    @property
    def chat_limiter(self) -> RateLimiter | None:
        return self._limiter("chat", self.settings.palm_chat_messages_per_minute)

    def close(self) -> None:
        """Give back pooled connections (tests, and a CLI command that is done)."""
        with self._lock:
            engine = self._clients.get("engine")
            if engine is not None:
                engine.dispose()
            redis = self._clients.get("redis")
            if redis is not None:
                redis.close()
            s3_client = self._clients.get("s3_client")
            if s3_client is not None:
                s3_client.close()
            http = self._clients.get("webhook_http")
            if http is not None:
                http.close()
            self._clients.clear()


_current: Runtime | None = None
_current_pid = 0
_current_lock = threading.Lock()


def get_runtime() -> Runtime:
    """The process's runtime over the process's settings (a forked child gets its own)."""
    global _current, _current_pid
    with _current_lock:
        if _current is None or _current_pid != os.getpid():
            _current, _current_pid = Runtime(get_settings()), os.getpid()
        return _current


def reset_runtime() -> None:
    """Forget the process's runtime (tests change the environment between cases)."""
    global _current
    with _current_lock:
        if _current is not None and _current_pid == os.getpid():
            _current.close()
        _current = None
