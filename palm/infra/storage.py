"""Encrypted blob storage on disk for photos, thumbnails and overlays.

Files get random names (the key), are encrypted with the app's MultiFernet, and are written
atomically (temporary file, then rename) so a crash never leaves a half-written blob.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import InvalidToken, MultiFernet

from palm.errors import PalmError

KEY_ALPHABET = frozenset("0123456789abcdef")


class BlobMissingError(PalmError):
    def __init__(self, key: str) -> None:
        super().__init__("BLOB_MISSING", f"A stored file ({key[:8]}…) is missing or unreadable.")


class BlobStore:
    """put/get/delete encrypted blobs under one directory."""

    def __init__(self, root: Path, cipher: MultiFernet) -> None:
        self.root = root
        self.cipher = cipher

    def path_for(self, key: str) -> Path:
        if len(key) != 32 or not set(key) <= KEY_ALPHABET:
            raise ValueError("malformed blob key")
        return self.root / key[:2] / f"{key}.bin"

    def put(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(self.cipher.encrypt(data))
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self.cipher.decrypt(self.path_for(key).read_bytes())
        except (OSError, InvalidToken) as exc:
            raise BlobMissingError(key) from exc

    def delete(self, key: str | None) -> None:
        if key:
            self.path_for(key).unlink(missing_ok=True)

    def count(self) -> int:
        return sum(1 for _ in self.root.rglob("*.bin")) if self.root.exists() else 0
