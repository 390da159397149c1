"""Input and output tokens per LLM reading, per analysis type, against the local stub server.

    .venv/bin/python bench/llm_tokens.py

The stub counts tokens with the readers' own estimator (about 4 characters a token, 85 for a
low-detail image); no real tokenizer ships offline. Target: ≤ 1,000 input tokens per type.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from palm.llm import LLM, PriceTable, make_openai_client
from palm.readers.llm import LLMReader
from palm.readings.analysis import palm_crop
from palm.settings import PROJECT_ROOT
from palm.vision.pipeline import analyze_bytes_with_image
from palm.vocabulary import AnalysisType
from tests.support.stub_openai import StubOpenAI

SAMPLES = ["palm_f_hanging.jpg", "palm_m_hanging.jpg", "palm_left_dark_sideways.jpg"]


def main() -> None:
    stub = StubOpenAI()
    stub.start()
    try:
        client = make_openai_client("test-key", stub.base_url, timeout=10)
        reader = LLMReader(
            LLM(client, "gpt-4o-mini", prices=PriceTable(), max_retries=0), cache=None
        )
        print(f"{'sample':30} {'type':8} {'input':>6} {'output':>6} {'cost USD':>10}")
        for name in SAMPLES:
            data = (PROJECT_ROOT / "tests" / "data" / "palms" / name).read_bytes()
            analysis, loaded = analyze_bytes_with_image(data)
            crop = palm_crop(loaded.rgb, analysis, loaded.scale)
            outcome = reader.read(
                analysis, list(AnalysisType), image_sha256=name, palm_crop_jpeg=crop, seed=name
            )
            for kind, event in zip(AnalysisType, outcome.usage_events, strict=True):
                print(
                    f"{name:30} {kind.value:8} {event.input_tokens:6} {event.output_tokens:6} "
                    f"{event.cost_usd:10.6f}"
                )
    finally:
        stub.stop()


if __name__ == "__main__":
    main()
