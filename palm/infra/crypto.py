"""Encryption keys for data at rest (images, message text): Fernet with rotation (MultiFernet).

PALM_ENCRYPTION_KEYS holds comma-separated Fernet keys, newest first: data is encrypted with
the first and any of them decrypts, so a key is rotated by putting a new one in front. In
development a key is generated once into the data directory; production refuses to start
without configured keys rather than silently inventing one.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from palm.errors import PalmError
from palm.settings import Settings, private_dir

DEV_KEY_FILE = "secret.key"


class KeyConfigError(PalmError):
    pass


class KeyedMultiFernet(MultiFernet):
    """A MultiFernet that also keeps its keys (newest first, the 32 raw bytes of each), so
    ``palm.infra.fernet_batch`` can decrypt many tokens at once under exactly these keys."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        super().__init__([Fernet(key) for key in keys])
        self.raw_keys: tuple[bytes, ...] = tuple(base64.urlsafe_b64decode(key) for key in keys)


def _parse_keys(raw: str) -> KeyedMultiFernet:
    try:
        return KeyedMultiFernet([part.strip().encode() for part in raw.split(",") if part.strip()])
    except ValueError as exc:
        raise KeyConfigError(
            "BAD_ENCRYPTION_KEY", "PALM_ENCRYPTION_KEYS must be comma-separated Fernet keys."
        ) from exc


def ensure_dev_key(data_dir: Path) -> str:
    """Read the development key from the data directory, creating it (mode 600) on first run."""
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        private_dir(data_dir)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
    return path.read_text().strip()


def _key_texts(settings: Settings) -> list[str]:
    """The configured keys, newest first; in development, the generated key when none are."""
    if settings.palm_encryption_keys is not None:
        raw = settings.palm_encryption_keys.get_secret_value()
        texts = [part.strip() for part in raw.split(",") if part.strip()]
        if texts:
            return texts
    if settings.palm_env == "production":
        raise KeyConfigError(
            "MISSING_ENCRYPTION_KEY",
            "PALM_ENCRYPTION_KEYS is not set; production refuses to start without it.",
        )
    return [ensure_dev_key(settings.palm_data_dir)]


def load_cipher(settings: Settings) -> MultiFernet:
    """The configured keys; in development, the generated key when none are configured."""
    return _parse_keys(",".join(_key_texts(settings)))


def primary_key_id(settings: Settings) -> str:
    """A short fingerprint of the key new data is encrypted with (safe to print and store:
    a hash, never the key), naming the target of a key rotation."""
    newest = _key_texts(settings)[0]
    return hashlib.sha256(b"palmline/key-id/" + newest.encode()).hexdigest()[:16]
