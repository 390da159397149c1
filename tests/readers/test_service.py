"""The facade: offline without an LLM, the reader built only when configured."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet
from redis import Redis

from palm.llm import build_llm
from palm.readers.llm import LLMReader
from palm.readers.service import build_reader, interpret
from palm.settings import Settings
from palm.vision.result import PalmAnalysis
from palm.vocabulary import AnalysisType
from tests.support.stub_openai import StubOpenAI

SHA = "9" * 64


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(key, raising=False)


def test_without_llm_every_type_is_offline(hand_a: PalmAnalysis) -> None:
    outcome = interpret(hand_a, ["full"], image_sha256=SHA, palm_crop_jpeg=None, llm=None)
    assert [item.analysis_type for item in outcome.interpretations] == list(AnalysisType)
    assert outcome.engine == "offline"
    assert outcome.usage_events == [] and outcome.fallbacks == {}


def build_llm_reader(settings: Settings, redis: Redis | None) -> LLMReader | None:
    cipher = MultiFernet([Fernet(Fernet.generate_key())])
    return build_reader(build_llm(settings), redis, cipher, cache_ttl=settings.palm_llm_cache_ttl)


@pytest.mark.usefixtures("clean_env")
def test_no_key_and_no_base_url_means_offline(redis_client: Redis) -> None:
    assert build_llm_reader(Settings(_env_file=None), redis_client) is None


@pytest.mark.usefixtures("clean_env")
def test_a_base_url_alone_builds_a_working_reader(
    stub: StubOpenAI, redis_client: Redis, hand_a: PalmAnalysis
) -> None:
    settings = Settings(_env_file=None, openai_base_url=stub.base_url, openai_model="local-model")
    reader = build_llm_reader(settings, redis_client)
    assert isinstance(reader, LLMReader) and reader.llm.provider == "openai-compatible"
    outcome = interpret(hand_a, ["love", "love"], image_sha256=SHA, palm_crop_jpeg=None, llm=reader)
    assert outcome.engine == "llm:local-model"
    assert len(stub.requests) == 1
    again = interpret(hand_a, ["heart"], image_sha256=SHA, palm_crop_jpeg=None, llm=reader)
    assert again.usage_events[0].cache_hit and len(stub.requests) == 1


@pytest.mark.usefixtures("clean_env")
def test_an_api_key_builds_an_openai_reader() -> None:
    settings = Settings(_env_file=None, openai_api_key="sk-test")
    reader = build_llm_reader(settings, None)
    assert reader is not None and reader.llm.provider == "openai" and reader.cache is None
    assert reader.llm.model == "gpt-4o-mini"
