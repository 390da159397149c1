"""Message text at rest: Fernet tokens from the installation's MultiFernet, never plain text."""

from __future__ import annotations

from cryptography.fernet import InvalidToken, MultiFernet

UNREADABLE = "[this text could not be decrypted with the configured keys]"


def seal(cipher: MultiFernet, text: str) -> str:
    """The Fernet token stored for ``text``."""
    return cipher.encrypt(text.encode("utf-8")).decode("ascii")


def unseal(cipher: MultiFernet, token: str) -> str:
    """Plain text of a stored token; a token no configured key opens reads as a marker."""
    try:
        return cipher.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        return UNREADABLE
