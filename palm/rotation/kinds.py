"""Everything encrypted at rest, by kind: the sealed columns of a table (rotated in the
database) or the blob keys a table holds (files rotated on disk).

A new sealed column or encrypted blob must be listed here, or rotate-keys leaves it under the
old key (tests/rotation checks every SealedText/SealedJSON column is listed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnKind:
    """Rows of ``table`` whose ``columns`` hold Fernet tokens (text, never NULL-checked)."""

    name: str
    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class BlobKind:
    """Files in the blob store named by ``table.column`` (NULL: no file)."""

    name: str
    table: str
    column: str


Kind = ColumnKind | BlobKind

KINDS: tuple[Kind, ...] = (
    BlobKind("photos", "images", "storage_key"),
    BlobKind("thumbnails", "images", "thumbnail_key"),
    BlobKind("overlays", "readings", "overlay_key"),
    ColumnKind("readings", "readings", ("filename", "summary", "analysis")),
    ColumnKind("line courses", "line_results", ("polyline",)),
    ColumnKind("interpretations", "interpretations", ("text", "per_line")),
    ColumnKind("messages", "messages", ("content_token",)),
    ColumnKind("threads", "conversations", ("title_token", "summary_token")),
    ColumnKind("webhooks", "webhook_endpoints", ("url", "secret", "previous_secret")),
    ColumnKind("webhook deliveries", "webhook_deliveries", ("payload",)),
)
