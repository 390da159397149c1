"""The LLM reader against a local OpenAI-compatible stub: success, retries, every fallback,
usage and cost, the cache, and the token budget."""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from cryptography.fernet import MultiFernet
from redis import Redis
from rq.timeouts import JobTimeoutException

from palm.llm import LLM, Deadline, PriceTable, make_openai_client
from palm.readers.cache import ResponseCache
from palm.readers.llm import MAX_TEXT_CHARS, LLMReader
from palm.readers.offline import read_type
from palm.readers.prompts import PROMPT_VERSION
from palm.readers.types import ReaderOutcome
from palm.vision.result import PalmAnalysis
from palm.vocabulary import AnalysisType
from tests.support.stub_openai import Step, StubOpenAI, valid_content

MODEL = "gpt-4o-mini"
SHA = "c" * 64
LOVE = [AnalysisType.LOVE]
FAST_RETRY = {"retry-after-ms": "10"}


def reader_for(
    stub_url: str,
    *,
    timeout: float = 5.0,
    max_retries: int = 0,
    cache: ResponseCache | None = None,
    model: str = MODEL,
) -> LLMReader:
    client = make_openai_client("test-key", stub_url, timeout=timeout)
    return LLMReader(LLM(client, model, prices=PriceTable(), max_retries=max_retries), cache=cache)


def read_love(reader: LLMReader, hand: PalmAnalysis, crop: bytes | None = None) -> ReaderOutcome:
    return reader.read(hand, LOVE, image_sha256=SHA, palm_crop_jpeg=crop, seed=SHA)


def test_success_records_usage_and_cost(
    stub: StubOpenAI, hand_a: PalmAnalysis, palm_crop_jpeg: bytes
) -> None:
    stub.then(Step(content=valid_content("Warm and open.", 0.95), cached_tokens=64))
    outcome = read_love(reader_for(stub.base_url), hand_a, palm_crop_jpeg)

    reading, event = outcome.interpretations[0], outcome.usage_events[0]
    assert reading.engine == f"llm:{MODEL}" and outcome.engine == f"llm:{MODEL}"
    assert reading.text == "Warm and open."
    assert reading.prompt_version == PROMPT_VERSION
    assert reading.confidence == 0.91  # capped by the heart line's measured confidence
    assert outcome.fallbacks == {}
    usage = stub.usages[0]
    assert (event.input_tokens, event.output_tokens, event.cached_tokens) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
        64,
    )
    expected = PriceTable().cost(MODEL, usage["prompt_tokens"], 64, usage["completion_tokens"])
    assert event.cost_usd == expected.usd > 0
    assert event.outcome == "ok" and event.error_code is None and not event.cache_hit
    assert event.purpose == "reading:love" and event.price_known
    assert event.latency_ms >= 0


def test_the_request_is_json_mode_with_metrics_and_a_low_detail_image(
    stub: StubOpenAI, hand_a: PalmAnalysis, palm_crop_jpeg: bytes
) -> None:
    read_love(reader_for(stub.base_url), hand_a, palm_crop_jpeg)
    body = stub.requests[0]
    assert body["model"] == MODEL
    assert body["response_format"] == {"type": "json_object"}
    user_parts = body["messages"][1]["content"]
    assert "heart: found" in user_parts[0]["text"]
    image = user_parts[1]["image_url"]
    assert image["detail"] == "low" and image["url"].startswith("data:image/jpeg;base64,")
    assert len(image["url"]) < len(palm_crop_jpeg)  # downscaled before sending


def test_rate_limit_then_success_within_retries(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(Step(status=429, headers=FAST_RETRY))
    outcome = read_love(reader_for(stub.base_url, max_retries=2), hand_a)
    assert len(stub.requests) == 2
    assert outcome.usage_events[0].outcome == "ok"
    assert outcome.interpretations[0].engine == f"llm:{MODEL}"


def test_rate_limit_beyond_retries_falls_back(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(*[Step(status=429, headers=FAST_RETRY)] * 2)
    outcome = read_love(reader_for(stub.base_url, max_retries=1), hand_a)
    assert len(stub.requests) == 2
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_RATE_LIMITED"}
    assert outcome.engine == "offline"
    assert outcome.interpretations[0] == read_type(hand_a, AnalysisType.LOVE, seed=SHA)


def test_timeout_falls_back_to_offline(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(Step(hang=True))
    outcome = read_love(reader_for(stub.base_url, timeout=0.3), hand_a)
    event = outcome.usage_events[0]
    assert (event.outcome, event.error_code) == ("fallback", "LLM_TIMEOUT")
    assert (event.input_tokens, event.output_tokens, event.cost_usd) == (0, 0, 0.0)
    assert outcome.interpretations[0].engine == "offline"
    assert outcome.fallback_reasons == ["LLM_TIMEOUT"]


def test_server_error_falls_back(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(*[Step(status=503, headers=FAST_RETRY)] * 2)
    outcome = read_love(reader_for(stub.base_url, max_retries=1), hand_a)
    assert len(stub.requests) == 2  # the SDK retried once
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_SERVER_ERROR"}


def test_unreachable_server_falls_back(hand_a: PalmAnalysis) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome = read_love(reader_for(f"http://127.0.0.1:{port}/v1"), hand_a)
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_UNAVAILABLE"}


def test_invalid_json_is_repaired_once(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(Step(content="Sure! Here is your reading: warm heart."), Step())
    outcome = read_love(reader_for(stub.base_url), hand_a)
    assert len(stub.requests) == 2
    repair = stub.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "Sure! Here is your reading: warm heart."}
    assert "JSON" in repair[-1]["content"]
    event = outcome.usage_events[0]
    assert event.outcome == "ok"
    assert event.input_tokens == sum(usage["prompt_tokens"] for usage in stub.usages)
    assert event.output_tokens == sum(usage["completion_tokens"] for usage in stub.usages)


def test_invalid_json_after_repair_falls_back(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(Step(content="not json"), Step(content='{"overall": ""}'))
    outcome = read_love(reader_for(stub.base_url), hand_a)
    assert len(stub.requests) == 2
    event = outcome.usage_events[0]
    assert (event.outcome, event.error_code) == ("fallback", "LLM_BAD_JSON")
    assert event.input_tokens > 0 and event.cost_usd > 0  # the failed calls still cost money
    assert outcome.interpretations[0].engine == "offline"


def test_unsafe_words_are_rejected(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    unsafe = valid_content("This line predicts a long life free of disease.")
    stub.then(Step(content=unsafe), Step(content=unsafe))
    outcome = read_love(reader_for(stub.base_url), hand_a)
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_UNSAFE_CONTENT"}
    assert "disease" in stub.requests[1]["messages"][-1]["content"]


def test_a_line_not_found_keeps_the_honest_text(stub: StubOpenAI, hand_b: PalmAnalysis) -> None:
    outcome = reader_for(stub.base_url).read(
        hand_b, [AnalysisType.CAREER], image_sha256=SHA, palm_crop_jpeg=None, seed=SHA
    )
    career = outcome.interpretations[0]
    assert career.engine == f"llm:{MODEL}"
    offline = read_type(hand_b, AnalysisType.CAREER, seed=SHA)
    assert career.per_line == offline.per_line  # the stub's fate/sun texts were dropped
    assert career.confidence == 0.0
    assert "fate: NOT FOUND" in stub.requests[0]["messages"][1]["content"][0]["text"]


def test_one_type_falls_back_alone(stub: StubOpenAI, hand_a: PalmAnalysis) -> None:
    stub.then(Step(status=500), Step(), Step())
    kinds = [AnalysisType.LIFE, AnalysisType.LOVE, AnalysisType.HEAD]
    outcome = reader_for(stub.base_url).read(
        hand_a, kinds, image_sha256=SHA, palm_crop_jpeg=None, seed=SHA
    )
    assert outcome.fallbacks == {AnalysisType.LIFE: "LLM_SERVER_ERROR"}
    assert [item.engine for item in outcome.interpretations] == [
        "offline",
        f"llm:{MODEL}",
        f"llm:{MODEL}",
    ]
    assert outcome.engine == f"llm:{MODEL}+offline"


def test_second_identical_request_is_a_cache_hit(
    stub: StubOpenAI, hand_a: PalmAnalysis, redis_client: Redis, cipher: MultiFernet
) -> None:
    cache = ResponseCache(redis_client, cipher)
    first = read_love(reader_for(stub.base_url, cache=cache), hand_a)
    second = read_love(reader_for(stub.base_url, cache=cache), hand_a)
    assert len(stub.requests) == 1
    assert second.interpretations == first.interpretations
    event = second.usage_events[0]
    assert event.cache_hit and event.outcome == "ok"
    assert (event.input_tokens, event.output_tokens, event.cached_tokens, event.cost_usd) == (
        0,
        0,
        0,
        0.0,
    )
    assert cache.stats() == {"hits": 1, "misses": 1}


def test_fallbacks_are_not_cached(
    stub: StubOpenAI, hand_a: PalmAnalysis, redis_client: Redis, cipher: MultiFernet
) -> None:
    cache = ResponseCache(redis_client, cipher)
    stub.then(Step(status=500))
    assert read_love(reader_for(stub.base_url, cache=cache), hand_a).fallbacks
    assert not read_love(reader_for(stub.base_url, cache=cache), hand_a).fallbacks
    assert len(stub.requests) == 2


def test_another_model_misses_the_cache(
    stub: StubOpenAI, hand_a: PalmAnalysis, redis_client: Redis, cipher: MultiFernet
) -> None:
    cache = ResponseCache(redis_client, cipher)
    read_love(reader_for(stub.base_url, cache=cache), hand_a)
    outcome = read_love(reader_for(stub.base_url, cache=cache, model="local-llama"), hand_a)
    assert len(stub.requests) == 2
    assert not outcome.usage_events[0].price_known  # unknown model: cost 0, flagged
    assert outcome.usage_events[0].cost_usd == 0.0


@pytest.mark.parametrize("kind", list(AnalysisType))
def test_input_tokens_per_type_stay_under_budget(
    stub: StubOpenAI, hand_a: PalmAnalysis, palm_crop_jpeg: bytes, kind: AnalysisType
) -> None:
    outcome = reader_for(stub.base_url).read(
        hand_a, [kind], image_sha256=SHA, palm_crop_jpeg=palm_crop_jpeg, seed=SHA
    )
    tokens = outcome.usage_events[0].input_tokens
    print(f"input tokens ({kind.value}, text + low-detail image): {tokens}")
    assert 0 < tokens <= 1000


def test_mock_transport_client_works(hand_a: PalmAnalysis) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": valid_content()},
                    }
                ],
                "usage": {"prompt_tokens": 300, "completion_tokens": 120, "total_tokens": 420},
            },
        )

    with httpx.Client(transport=httpx.MockTransport(handler)) as http_client:
        client = make_openai_client(
            None, "http://llm.test/v1", timeout=2.0, http_client=http_client
        )
        reader = LLMReader(LLM(client, MODEL, prices=PriceTable(), max_retries=0), cache=None)
        outcome = read_love(reader, hand_a)
    assert str(seen[0].url) == "http://llm.test/v1/chat/completions"
    assert json.loads(seen[0].content)["model"] == MODEL
    assert seen[0].headers["authorization"] == "Bearer not-needed"
    assert outcome.usage_events[0].input_tokens == 300
    assert outcome.usage_events[0].outcome == "ok"


def test_the_job_timeout_is_not_turned_into_an_offline_reading(hand_a: PalmAnalysis) -> None:
    def interrupted(_request: httpx.Request) -> httpx.Response:
        raise JobTimeoutException("Task exceeded maximum timeout value (40 seconds)")

    client = make_openai_client(
        "k",
        "http://llm.invalid/v1",
        timeout=5,
        http_client=httpx.Client(transport=httpx.MockTransport(interrupted)),
    )
    reader = LLMReader(LLM(client, MODEL, prices=PriceTable()), cache=None)
    with pytest.raises(JobTimeoutException):
        read_love(reader, hand_a)


def test_an_oversized_reply_is_refused_unparsed_and_not_repaired(
    stub: StubOpenAI, hand_a: PalmAnalysis
) -> None:
    huge = valid_content("x" * 3_000_000)
    stub.then(Step(content=huge))
    outcome = read_love(reader_for(stub.base_url), hand_a)
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_TOO_LONG"}
    assert len(stub.requests) == 1  # a repair would have sent the 3 MB back
    assert outcome.interpretations[0] == read_type(hand_a, AnalysisType.LOVE, seed=SHA)


def test_a_reply_within_size_but_with_an_endless_text_is_refused(
    stub: StubOpenAI, hand_a: PalmAnalysis
) -> None:
    stub.then(*[Step(content=valid_content("y" * (MAX_TEXT_CHARS + 1)))] * 2)
    outcome = read_love(reader_for(stub.base_url), hand_a)
    assert outcome.engine == "offline"
    assert all(len(i.text) <= MAX_TEXT_CHARS for i in outcome.interpretations)


def test_once_the_budget_is_spent_the_other_types_fall_back_without_asking(
    stub: StubOpenAI, hand_a: PalmAnalysis
) -> None:
    stub.then(Step(hang=True))
    outcome = reader_for(stub.base_url, timeout=30).read(
        hand_a,
        [AnalysisType.LOVE, AnalysisType.CAREER, AnalysisType.HEAD],
        image_sha256=SHA,
        palm_crop_jpeg=None,
        seed=SHA,
        deadline=Deadline.within(2.5),
    )
    assert len(stub.requests) == 1
    assert outcome.engine == "offline"
    assert outcome.fallbacks[AnalysisType.CAREER] == "LLM_DEADLINE"
    assert outcome.fallbacks[AnalysisType.HEAD] == "LLM_DEADLINE"
