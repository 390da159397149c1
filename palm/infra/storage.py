"""Encrypted blob storage for photos, thumbnails and overlays, over a pluggable backend.

:class:`BlobStore` is the one interface the features use: it names blobs (random keys),
encrypts them with the app's MultiFernet and re-encrypts them on rotation. Where the
ciphertext lives is the backend's business: :class:`LocalFolder` (the default, one machine)
or palm.infra.object_store.S3Objects (S3-compatible object storage, shared by every machine).
A backend writes a whole blob or nothing, so a crash or a dropped connection never leaves a
half-written one under its name.
"""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.fernet import InvalidToken, MultiFernet

from palm.errors import PalmError
from palm.settings import private_dir, write_private

KEY_ALPHABET = frozenset("0123456789abcdef")


class BlobMissingError(PalmError):
    def __init__(self, key: str) -> None:
        super().__init__("BLOB_MISSING", f"A stored file ({key[:8]}…) is missing or unreadable.")


class BlobUnreadableError(PalmError):
    def __init__(self, key: str) -> None:
        super().__init__(
            "BLOB_UNREADABLE",
            f"A stored file ({key[:8]}…) does not decrypt with any configured key.",
        )


class BlobStorageError(OSError):
    """The storage under the blobs failed (object store unreachable, refused, timed out).

    An OSError, like a failing disk: workers word it as SERVICE_ERROR and retry, and the
    operations that wrote files remove them again."""


class BlobBackend(Protocol):
    """Where ciphertext lives, by blob key; every method raises BlobStorageError (or OSError)
    when the storage itself fails."""

    def read(self, key: str) -> bytes | None:
        """The stored token, or None when there is no such blob."""
        ...

    def write(self, key: str, token: bytes) -> None:
        """Store the whole token under the key (replacing it), or nothing."""
        ...

    def remove(self, key: str) -> None:
        """Remove the blob; nothing happens when it is not there."""
        ...

    def exists(self, key: str) -> bool: ...

    def count(self) -> int: ...


def check_key(key: str) -> str:
    """Keys are 32 hex characters: nothing else may become a path or an object name."""
    if len(key) != 32 or not set(key) <= KEY_ALPHABET:
        raise ValueError("malformed blob key")
    return key


class LocalFolder:
    """Blobs as 0600 files in 0700 directories under one folder, written atomically
    (temporary file, then rename): other accounts on the machine cannot even list them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        return self.root / check_key(key)[:2] / f"{key}.bin"

    def read(self, key: str) -> bytes | None:
        try:
            return self.path_for(key).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, key: str, token: bytes) -> None:
        path = self.path_for(key)
        if not path.parent.is_dir():
            private_dir(self.root)
            private_dir(path.parent)
        temporary = path.with_suffix(".tmp")
        write_private(temporary, token)
        temporary.replace(path)

    def remove(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_for(key).exists()

    def count(self) -> int:
        return sum(1 for _ in self.root.rglob("*.bin")) if self.root.exists() else 0


class BlobStore:
    """put/get/rotate/delete encrypted blobs; ``where`` is a backend, or a folder path for
    the local one."""

    def __init__(self, where: BlobBackend | Path, cipher: MultiFernet) -> None:
        self.backend: BlobBackend = LocalFolder(where) if isinstance(where, Path) else where
        self.cipher = cipher

    @staticmethod
    def new_key() -> str:
        """A fresh blob key, for a caller that must name a blob before it is written."""
        return secrets.token_hex(16)

    def put(self, data: bytes, key: str | None = None) -> str:
        """Store ``data`` encrypted under ``key`` (default: a new one). When the write fails
        the key is removed again (an upload may have landed before its answer was lost) and
        the error raised."""
        key = check_key(key) if key is not None else self.new_key()
        token = self.cipher.encrypt(data)
        try:
            self.backend.write(key, token)
        except BaseException:
            with contextlib.suppress(OSError):
                self.backend.remove(key)
            raise
        return key

    def get(self, key: str) -> bytes:
        """The plain bytes; BlobMissingError when the blob is gone or no key decrypts it."""
        try:
            token = self.backend.read(check_key(key))
        except BlobStorageError:
            raise  # the storage failed, not the blob: a service error, retried
        except OSError as exc:  # an unreadable file is as good as a missing one
            raise BlobMissingError(key) from exc
        if token is None:
            raise BlobMissingError(key)
        try:
            return self.cipher.decrypt(token)
        except InvalidToken as exc:
            raise BlobMissingError(key) from exc

    def rotate(self, key: str) -> bool:
        """Re-encrypt one blob under the newest key (MultiFernet.rotate), whole or not at
        all; False when it is gone (a reading deleted meanwhile)."""
        token = self.backend.read(check_key(key))
        if token is None:
            return False
        try:
            fresh = self.cipher.rotate(token)
        except InvalidToken as exc:
            raise BlobUnreadableError(key) from exc
        self.backend.write(key, fresh)
        return True

    def delete(self, key: str | None) -> None:
        if key:
            self.backend.remove(check_key(key))

    def exists(self, key: str) -> bool:
        return self.backend.exists(check_key(key))

    def count(self) -> int:
        return self.backend.count()
