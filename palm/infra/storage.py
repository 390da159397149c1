"""Encrypted blob storage on disk for photos, thumbnails and overlays.

Files get random names (the key), are encrypted with the app's MultiFernet, and are written
atomically (temporary file, then rename) so a crash never leaves a half-written blob. Blobs
are 0600 in 0700 directories: other accounts on the machine cannot even list them.
"""

from __future__ import annotations

import secrets
from pathlib import Path

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
        self._write(self.path_for(key), self.cipher.encrypt(data))
        return key

    def _write(self, path: Path, token: bytes) -> None:
        if not path.parent.is_dir():
            private_dir(self.root)
            private_dir(path.parent)
        temporary = path.with_suffix(".tmp")
        write_private(temporary, token)
        temporary.replace(path)

    def get(self, key: str) -> bytes:
        try:
            return self.cipher.decrypt(self.path_for(key).read_bytes())
        except (OSError, InvalidToken) as exc:
            raise BlobMissingError(key) from exc

    def rotate(self, key: str) -> bool:
        """Re-encrypt one blob under the newest key (MultiFernet.rotate), atomically; False
        when the file is gone (a reading deleted meanwhile)."""
        path = self.path_for(key)
        try:
            token = path.read_bytes()
        except FileNotFoundError:
            return False
        try:
            fresh = self.cipher.rotate(token)
        except InvalidToken as exc:
            raise BlobUnreadableError(key) from exc
        self._write(path, fresh)
        return True

    def delete(self, key: str | None) -> None:
        if key:
            self.path_for(key).unlink(missing_ok=True)

    def count(self) -> int:
        return sum(1 for _ in self.root.rglob("*.bin")) if self.root.exists() else 0
