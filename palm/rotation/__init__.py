"""Key rotation: re-encrypt everything at rest — photos, thumbnails, overlays, sealed reading
columns, chat text, Redis caches — under the newest key, resumably, so an old key can be
retired (``python -m palm rotate-keys``)."""

from palm.rotation.kinds import KINDS, BlobKind, ColumnKind
from palm.rotation.operation import DEFAULT_BATCH, KindResult, rotate_keys
from palm.rotation.passes import RotationError

__all__ = [
    "DEFAULT_BATCH",
    "KINDS",
    "BlobKind",
    "ColumnKind",
    "KindResult",
    "RotationError",
    "rotate_keys",
]
