"""The facade the analysis worker calls: pick the reader, read, hand back usage to record."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis

from palm.reading.cache import ResponseCache
from palm.reading.client import client_from_settings, provider_name
from palm.reading.llm import LLMReader
from palm.reading.offline import read_offline
from palm.reading.pricing import PriceTable
from palm.reading.types import AnalysisType, ReaderOutcome, expand_types
from palm.settings import Settings
from palm.vision.result import PalmAnalysis

#: Defaults for reader settings not (yet) in palm.settings.Settings.


def interpret(
    analysis: PalmAnalysis,
    types: Sequence[AnalysisType | str],
    *,
    image_sha256: str,
    palm_crop_jpeg: bytes | None,
    llm: LLMReader | None,
) -> ReaderOutcome:
    """Interpretations for the requested types ("full" and aliases allowed).

    The image's sha256 is the offline reader's seed, so a photo always reads the same.
    """
    kinds = expand_types(types)
    if llm is None:
        return ReaderOutcome(read_offline(analysis, kinds, seed=image_sha256))
    return llm.read(
        analysis,
        kinds,
        image_sha256=image_sha256,
        palm_crop_jpeg=palm_crop_jpeg,
        seed=image_sha256,
    )


def build_llm_reader(settings: Settings, redis: Redis | None) -> LLMReader | None:
    """The configured LLM reader, or None (offline) when no key and no base URL are set."""
    client = client_from_settings(settings)
    if client is None:
        return None
    ttl = settings.palm_llm_cache_ttl
    return LLMReader(
        client,
        settings.openai_model,
        cache=ResponseCache(redis, ttl_seconds=ttl) if redis is not None else None,
        prices=PriceTable(settings.palm_price_overrides),
        provider=provider_name(settings),
    )
