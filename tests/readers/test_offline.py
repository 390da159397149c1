"""The offline reader: deterministic, seed-dependent, honest about missing lines, safe words."""

from __future__ import annotations

import itertools

import pytest

from palm.errors import PalmError
from palm.llm import forbidden_words
from palm.readers.offline import read_offline, read_type
from palm.readers.table import line_bands, load_table
from palm.readers.types import OFFLINE_ENGINE, Interpretation
from palm.vision.result import PalmAnalysis
from palm.vocabulary import TYPE_LINES, AnalysisType, expand_types
from tests.support.analyses import make_analysis, make_line

ALL = list(AnalysisType)
SEED_A = "a" * 64
SEED_B = "b" * 64


def texts(interpretations: list[Interpretation]) -> list[str]:
    return [item.text + " " + " ".join(item.per_line.values()) for item in interpretations]


def table_strings() -> list[str]:
    """Every phrase in the palmistry table."""
    table = load_table()
    found = [*table.missing, *table.nothing_found]
    for phrases in table.types.values():
        found += [phrases.title, *phrases.closing]
        found += [s for bands in phrases.features.values() for opts in bands.values() for s in opts]
        found += [s for opts in phrases.elements.values() for s in opts]
        for line in phrases.lines.values():
            for group in (line.length, line.curvature, line.zones):
                found += [s for opts in group.values() for s in opts]
    return found


def test_same_seed_reads_identically(hand_a: PalmAnalysis) -> None:
    first = read_offline(hand_a, ALL, seed=SEED_A)
    again = read_offline(hand_a, ALL, seed=SEED_A)
    assert [item.to_dict() for item in first] == [item.to_dict() for item in again]


def test_another_seed_reads_differently(hand_a: PalmAnalysis) -> None:
    assert texts(read_offline(hand_a, ALL, seed=SEED_A)) != texts(
        read_offline(hand_a, ALL, seed=SEED_B)
    )


def test_different_hands_read_differently(hand_a: PalmAnalysis, hand_b: PalmAnalysis) -> None:
    a_texts = texts(read_offline(hand_a, ALL, seed=SEED_A))
    b_texts = texts(read_offline(hand_b, ALL, seed=SEED_B))
    assert all(a != b for a, b in zip(a_texts, b_texts, strict=True))


def test_every_type_produces_text(hand_a: PalmAnalysis) -> None:
    readings = read_offline(hand_a, ALL, seed=SEED_A)
    assert [item.analysis_type for item in readings] == ALL
    for item in readings:
        assert item.engine == OFFLINE_ENGINE
        assert item.table_version == load_table().version
        assert len(item.text) > 40 and item.title
        assert list(item.per_line) == list(TYPE_LINES[item.analysis_type])
        assert all(len(text) > 40 for text in item.per_line.values())


def test_a_line_not_found_is_never_interpreted(hand_b: PalmAnalysis) -> None:
    table = load_table()
    career = read_type(hand_b, AnalysisType.CAREER, seed=SEED_A)
    honest = {
        text.format(label=label) for text in table.missing for label in ("fate line", "sun line")
    }
    assert career.per_line["fate"] in honest
    assert career.per_line["sun"] in honest
    fate_phrases = table.types[AnalysisType.CAREER].lines["fate"]
    band_texts = [
        s
        for group in (fate_phrases.length, fate_phrases.curvature, fate_phrases.zones)
        for opts in group.values()
        for s in opts
    ]
    whole = career.text + " ".join(career.per_line.values())
    assert not [text for text in band_texts if text in whole]
    assert any(text in career.text for text in table.nothing_found)
    assert career.confidence == 0.0


def test_health_reads_the_life_line_when_mercury_is_missing(hand_b: PalmAnalysis) -> None:
    health = read_type(hand_b, AnalysisType.HEALTH, seed=SEED_A)
    assert "wasn't clear" in health.per_line["mercury"] or "couldn't" in health.per_line["mercury"]
    assert "energy" in health.per_line["life"].lower()
    assert health.confidence == pytest.approx(0.74 / 2, abs=1e-3)


def test_confidence_comes_from_the_lines(hand_a: PalmAnalysis) -> None:
    assert read_type(hand_a, AnalysisType.LOVE, seed=SEED_A).confidence == 0.91
    assert read_type(hand_a, AnalysisType.CAREER, seed=SEED_A).confidence == pytest.approx(0.585)


def test_zone_phrases_are_used(hand_a: PalmAnalysis) -> None:
    love = read_type(hand_a, AnalysisType.LOVE, seed=SEED_A)
    zone_options = load_table().types[AnalysisType.LOVE].lines["heart"].zones["end:under_index"]
    assert any(option in love.per_line["heart"] for option in zone_options)


def test_no_table_phrase_speaks_of_disease_or_lifespan() -> None:
    offenders = {text: forbidden_words(text) for text in table_strings() if forbidden_words(text)}
    assert offenders == {}


def test_the_guard_catches_forbidden_words() -> None:
    assert forbidden_words("You will die young of a Heart Attack") == ["die", "Heart Attack"]
    assert forbidden_words("Your skills will shine; a lively spirit") == []
    assert forbidden_words("a long life line") == []
    assert forbidden_words("you will have a long life.") == ["long life"]


LENGTHS, DEPTHS, CURVES = (0.3, 0.9, 1.6), (0.1, 0.3, 0.6), (0.02, 0.1, 0.3)
ZONES = ("wrist", "palm_centre", "under_index", "thumb_web", "palm_edge", "")


def synthetic_hands() -> list[PalmAnalysis]:
    """Hands spanning every band of every feature, with every element."""
    hands = []
    elements = itertools.cycle(("earth", "air", "fire", "water"))
    for index, (length, depth, curve) in enumerate(itertools.product(LENGTHS, DEPTHS, CURVES)):
        zone = ZONES[index % len(ZONES)]
        lines = [
            make_line(
                name,
                length_rel=length,
                depth=depth,
                curvature=curve,
                breaks=index % 3,
                branches=index % 5,
                start_zone=zone,
                end_zone=zone,
            )
            for name in ("heart", "head", "life", "fate", "sun", "mercury")
        ]
        hands.append(make_analysis(lines, element=next(elements)))
    return hands


def test_no_generated_reading_speaks_of_disease_or_lifespan() -> None:
    seen_bands: set[tuple[str, str]] = set()
    for index, hand in enumerate(synthetic_hands()):
        for line in hand.lines.values():
            seen_bands.update(line_bands(line).items())
        for seed in (f"{index:064x}", f"seed-{index}", SEED_A):
            for text in texts(read_offline(hand, ALL, seed=seed)):
                assert forbidden_words(text) == [], text
    assert len(seen_bands) == 15  # every band of every feature was exercised


def test_expand_types_handles_full_aliases_and_duplicates() -> None:
    assert expand_types(["full"]) == ALL
    assert expand_types(["heart", "love", "fate", "head"]) == [
        AnalysisType.LOVE,
        AnalysisType.CAREER,
        AnalysisType.HEAD,
    ]
    with pytest.raises(PalmError) as error:
        expand_types(["wealth"])
    assert error.value.code == "UNKNOWN_ANALYSIS_TYPE"


def test_interpretation_round_trips_through_json(hand_a: PalmAnalysis) -> None:
    item = read_type(hand_a, AnalysisType.HEAD, seed=SEED_A)
    assert Interpretation.from_dict(item.to_dict()) == item
    assert item.to_dict()["analysis_type"] == "head"
