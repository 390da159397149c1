"""Application settings, read from the environment first (then `.env`).

Field names are the environment variable names lower-cased, so DATABASE_URL, REDIS_URL and
OPENAI_* keep their conventional names and everything Palmline-specific starts with PALM_.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LLM_BUDGET_SHARE = 0.6  # of the job timeout: vision, overlays and the save get the rest
#: The data directory holds people's photos, readings and the keys: only this account may
#: enter it or read a file in it, whatever the umask of whoever started the process.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077


class Settings(BaseSettings):
    """Every knob the app, the workers and the launcher read."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    palm_env: Literal["development", "production"] = "development"
    palm_data_dir: Path = PROJECT_ROOT / "data"

    database_url: str = ""
    palm_db_pool_size: int = Field(default=5, ge=1)
    palm_db_max_overflow: int = Field(default=10, ge=0)
    palm_db_pool_timeout: float = Field(default=10.0, gt=0)

    redis_url: str | None = None
    palm_workers: int = Field(default=2, ge=0, le=32)
    palm_port: int = Field(default=8501, ge=1, le=65535)
    #: The REST API (palm.api): its port, and whether `serve` starts it ("off" skips it).
    palm_api: Literal["on", "off"] = "on"
    palm_api_port: int = Field(default=8502, ge=1, le=65535)
    #: Photos one API request may send (the bulk upload; the Analyze page keeps its own).
    palm_api_batch_limit: int = Field(default=100, ge=1, le=100)
    #: Requests one personal access token may make (on top of each action's own limits).
    palm_api_per_token: str = "600/minute;20000/hour"
    #: Webhooks: private/loopback targets only when allowed (tests, a lab); how long one
    #: attempt may take; the retry waits (seconds, RQ); attempts failed in a row before an
    #: endpoint is disabled.
    palm_webhook_allow_private: bool = False
    palm_webhook_timeout: float = Field(default=5.0, gt=0, le=30)
    palm_webhook_retry_intervals: str = "60,300,900,2400"
    palm_webhook_max_failures: int = Field(default=15, ge=1)
    palm_job_timeout: int = Field(default=300, ge=1)
    palm_job_result_ttl: int = Field(default=3600, ge=0)
    palm_job_failure_ttl: int = Field(default=7 * 24 * 3600, ge=60)

    palm_max_upload_mb: int = Field(default=20, ge=1, le=200)
    palm_batch_limit: int = Field(default=20, ge=1, le=100)
    palm_analysis_retries: int = Field(default=3, ge=0, le=10)

    palm_encryption_keys: SecretStr | None = None

    #: Where photos, thumbnails and overlays live: unset, the folder PALM_DATA_DIR/images (one
    #: machine); s3://bucket/prefix, S3-compatible object storage every machine shares. Keys
    #: left unset fall back to boto3's chain (AWS_* variables, instance roles).
    palm_storage_url: str = ""
    palm_s3_endpoint_url: str | None = None  # MinIO, Ceph, moto…; unset: AWS itself
    palm_s3_region: str = "us-east-1"
    palm_s3_access_key_id: SecretStr | None = None
    palm_s3_secret_access_key: SecretStr | None = None
    palm_s3_timeout: float = Field(default=10.0, gt=0)

    # Rate limits, as `limits` rate strings: tiers separated by ";" ("5/minute;20/hour").
    # Sign-in: every attempt per client address; failed attempts per address + account pair
    # (a stranger elsewhere cannot lock the owner out); failed attempts per account from
    # networks that never signed in to it (slowed, while known networks still get through).
    palm_sign_in_per_address: str = "30/minute;300/hour"
    palm_sign_in_per_pair: str = "5/minute;20/hour"
    palm_sign_in_per_account: str = "50/hour"
    palm_sign_up_per_address: str = "5/hour;20/day"
    palm_submit_per_account: str = "100/hour;500/day"  # photos sent for analysis
    palm_submit_per_address: str = "200/hour"
    palm_share_per_account: str = "30/hour"
    palm_share_per_address: str = "60/hour"
    palm_export_per_account: str = "30/hour"  # History CSV and chat exports
    palm_export_per_address: str = "60/hour"
    #: Reverse proxies in front of Streamlit whose X-Forwarded-For is believed (0: none, the
    #: connection's own address counts; a forged header then changes nothing).
    #: Logging of every process: one JSON object per line (or "text"), at this level.
    palm_log_level: str = "INFO"
    palm_log_format: Literal["json", "text"] = "json"
    #: Bearer token Prometheus sends to scrape /metrics; unset, only loopback clients may.
    palm_metrics_token: SecretStr | None = None
    palm_trusted_proxies: int = Field(default=0, ge=0, le=5)
    palm_min_password_length: int = Field(default=10, ge=8)
    palm_session_idle_days: float = Field(default=14, gt=0)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    palm_llm_timeout: float = Field(default=30.0, gt=0)
    palm_llm_max_retries: int = Field(default=2, ge=0, le=10)
    palm_llm_cache_ttl: int = Field(default=30 * 24 * 3600, ge=60)
    #: Seconds all LLM calls of one analysis may take together (then the offline reader
    #: answers); never more than LLM_BUDGET_SHARE of the job timeout, see llm_budget.
    palm_llm_budget: float = Field(default=120.0, gt=0)
    #: Seconds a chat answer may stream before it is cut off.
    palm_chat_deadline: float = Field(default=60.0, gt=0)
    palm_price_overrides: str | None = None
    #: US dollars the LLM may cost per calendar month (UTC); admins can change it on the Admin
    #: page. A warning at 80%; at 100% readings and chat answers come from the offline reader.
    palm_llm_monthly_budget_usd: float = Field(default=50.0, ge=0)
    #: The analysts' columnar mirror (palm.explore.mirror): a copy of every reading in memory
    #: (~250 MB per million readings) for the History filters no rollup answers; off, those
    #: filters run raw (seconds at a million readings).
    palm_explore_mirror: bool = True

    palm_chat_window: int = Field(default=6, ge=1, le=100)
    palm_chat_prompt_budget: int = Field(default=3000, ge=500)
    palm_chat_messages_per_minute: int = Field(default=12, ge=1)
    palm_chat_max_output_tokens: int = Field(default=400, ge=50)

    @field_validator("palm_log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("PALM_LOG_LEVEL is one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("palm_storage_url")
    @classmethod
    def _storage(cls, value: str) -> str:
        """A storage URL that names no bucket stops the start, not the first upload."""
        url = value.strip()
        if url and (not url.startswith("s3://") or not url[5:].split("/")[0]):
            raise ValueError("PALM_STORAGE_URL is unset (the local folder) or s3://bucket/prefix")
        return url

    @field_validator(
        "palm_sign_in_per_address",
        "palm_sign_in_per_pair",
        "palm_sign_in_per_account",
        "palm_sign_up_per_address",
        "palm_submit_per_account",
        "palm_submit_per_address",
        "palm_share_per_account",
        "palm_share_per_address",
        "palm_export_per_account",
        "palm_export_per_address",
        "palm_api_per_token",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        """A rate limit that `limits` cannot read stops the start, not the first sign-in."""
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate like '5/minute;20/hour'") from exc
        return value

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or the SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.palm_data_dir / 'palm.db'}"

    @property
    def max_upload_bytes(self) -> int:
        return self.palm_max_upload_mb * 1024 * 1024

    @property
    def session_idle_seconds(self) -> int:
        return int(self.palm_session_idle_days * 24 * 3600)

    @property
    def images_dir(self) -> Path:
        return self.palm_data_dir / "images"

    @property
    def llm_budget(self) -> float:
        """The analysis's LLM budget: the job must still have time to save after it."""
        return min(self.palm_llm_budget, self.palm_job_timeout * LLM_BUDGET_SHARE)

    @property
    def llm_enabled(self) -> bool:
        """The LLM reader is used when a key or a compatible server is configured."""
        return self.openai_api_key is not None or bool(self.openai_base_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()


def private_dir(path: Path) -> Path:
    """``path`` as a directory only this account can enter (0700): missing levels are created
    0700, an existing directory is tightened (installs from before this rule had 0755)."""
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        missing.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Tighten an existing file to 0600 (nothing happens when it does not exist)."""
    with contextlib.suppress(FileNotFoundError):
        path.chmod(PRIVATE_FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a 0600 file (also when a leftover file was 0644)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        handle.write(data)


def private_tree(root: Path) -> None:
    """Tighten a whole existing tree: directories 0700, files 0600 (the launcher's start-up
    pass over the data directory, so files written by older versions are covered too)."""
    if not root.is_dir():
        return
    private_dir(root)
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            if not (Path(directory) / name).is_symlink():
                (Path(directory) / name).chmod(PRIVATE_DIR_MODE)
        for name in files:
            path = Path(directory) / name
            if not path.is_symlink():
                private_file(path)
