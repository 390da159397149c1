"""Chat work that owns its transaction: building an export file on demand."""

from __future__ import annotations

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session, sessionmaker

from palm.chat import export
from palm.chat.pdf import to_pdf
from palm.db import transaction
from palm.infra import ActionLimits, BlobStore, enforce

EXPORT_KINDS = ("md", "json", "pdf")


def export_file(
    factory: sessionmaker[Session],
    cipher: MultiFernet,
    blobs: BlobStore,
    user_id: int,
    conversation_id: int | None,
    kind: str,
    *,
    rate: ActionLimits | None = None,
    address: str = "",
) -> bytes:
    """One thread (or all of the user's) as Markdown, JSON or PDF bytes; each export counts
    against the ``rate`` limits of the account and the client address."""
    if kind not in EXPORT_KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    target = f"chat-export:{kind}"
    enforce(factory, rate, user_id=user_id, address=address, target=target)
    ids = [conversation_id] if conversation_id else None
    with transaction(factory) as session:
        threads = export.collect(session, cipher, user_id, ids)
    if kind == "md":
        return export.to_markdown(threads).encode("utf-8")
    if kind == "json":
        return export.to_json(threads).encode("utf-8")
    return to_pdf(threads, export.overlays_for(threads, blobs))
