"""Price table: arithmetic, snapshots, unknown models, overrides."""

from __future__ import annotations

import json

import pytest

from palm.errors import PalmError
from palm.llm import PRICE_TABLE_VERSION, PriceTable


def test_cost_bills_input_cached_and_output_at_their_rates() -> None:
    cost = PriceTable().cost(
        "gpt-4o-mini", input_tokens=1_000_000, cached_tokens=200_000, output_tokens=100_000
    )
    assert cost.known
    assert cost.usd == pytest.approx(0.8 * 0.15 + 0.2 * 0.075 + 0.1 * 0.60)


def test_dated_snapshots_use_the_longest_known_prefix() -> None:
    table = PriceTable()
    assert table.price_for("gpt-4o-mini-2024-07-18") == table.price_for("gpt-4o-mini")
    assert table.price_for("gpt-4o-2024-08-06") == table.price_for("gpt-4o")


def test_unknown_model_costs_nothing_and_is_flagged() -> None:
    cost = PriceTable().cost("llama-3-local", 500, 0, 200)
    assert (cost.usd, cost.known) == (0.0, False)


def test_overrides_from_json_add_and_replace_models() -> None:
    overrides = json.dumps(
        {
            "llama-3-local": {"input": 1.0, "cached_input": 0.5, "output": 2.0},
            "gpt-4o-mini": {"input": 10.0, "cached_input": 10.0, "output": 10.0},
        }
    )
    table = PriceTable(overrides)
    assert table.cost("llama-3-local", 1_000_000, 0, 1_000_000).usd == pytest.approx(3.0)
    assert table.cost("gpt-4o-mini", 100_000, 0, 0).usd == pytest.approx(1.0)
    assert table.version == PRICE_TABLE_VERSION + "+overrides"
    assert PriceTable().version == PRICE_TABLE_VERSION


def test_overrides_as_a_mapping() -> None:
    table = PriceTable({"m": {"input": 2, "cached_input": 1, "output": 4}})
    assert table.cost("m", 1000, 1000, 0).usd == pytest.approx(0.001)


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"m": {"input": -1, "cached_input": 0, "output": 0}}', '{"m": 3}', "[1, 2]"],
)
def test_bad_overrides_are_a_configuration_error(raw: str) -> None:
    with pytest.raises(PalmError) as error:
        PriceTable(raw)
    assert error.value.code == "PRICE_OVERRIDES_INVALID"


def test_cached_tokens_never_exceed_input() -> None:
    table = PriceTable()
    assert table.cost("gpt-4o", 100, 500, 0).usd == table.cost("gpt-4o", 100, 100, 0).usd
