"""The facade the analysis calls: read with the LLM when one is configured, else offline."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import MultiFernet
from redis import Redis

from palm.llm import LLM, Deadline
from palm.readers.cache import ResponseCache
from palm.readers.llm import LLMReader
from palm.readers.offline import DEFAULT_STYLE, read_offline
from palm.readers.style import ReaderStyle
from palm.readers.types import ReaderOutcome
from palm.vision import PalmAnalysis
from palm.vocabulary import AnalysisType, expand_types


def interpret(
    analysis: PalmAnalysis,
    types: Sequence[AnalysisType | str],
    *,
    image_sha256: str,
    palm_crop_jpeg: bytes | None,
    llm: LLMReader | None,
    deadline: Deadline | None = None,
    style: ReaderStyle = DEFAULT_STYLE,
) -> ReaderOutcome:
    """Interpretations for the requested types ("full" and aliases allowed), in the
    person's style (tone, length, language, dominant hand).

    The image's sha256 is the offline reader's seed, so a photo always reads the same.
    """
    kinds = expand_types(types)
    if llm is None:
        return ReaderOutcome(read_offline(analysis, kinds, seed=image_sha256, style=style))
    return llm.read(
        analysis,
        kinds,
        image_sha256=image_sha256,
        palm_crop_jpeg=palm_crop_jpeg,
        seed=image_sha256,
        deadline=deadline,
        style=style,
    )


def build_reader(
    llm: LLM | None, redis: Redis | None, cipher: MultiFernet, *, cache_ttl: int
) -> LLMReader | None:
    """The LLM reader over the process's model and Redis (its reply cache sealed with the
    process's cipher), or None (offline) without a model."""
    if llm is None:
        return None
    cache = ResponseCache(redis, cipher, ttl_seconds=cache_ttl) if redis is not None else None
    return LLMReader(llm, cache=cache)
