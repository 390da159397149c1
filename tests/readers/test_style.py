"""Both readers follow the person's style: tone, length, language and the dominant hand; the
LLM is told them and its reply cache keys on them."""

from __future__ import annotations

import pytest
from cryptography.fernet import MultiFernet
from redis import Redis

from palm.llm import LLM, PriceTable, forbidden_words, make_openai_client
from palm.readers import ReaderStyle, one_line_summary, preview_reading, read_offline
from palm.readers.cache import ResponseCache
from palm.readers.llm import LLMReader
from palm.readers.phrasebook import load_phrasebook
from palm.readers.prompts import SYSTEM_PROMPT, build_messages
from palm.vision.result import PalmAnalysis
from palm.vocabulary import AnalysisType, Language, ReadingLength, Tone
from tests.support.analyses import make_analysis, make_line
from tests.support.stub_openai import StubOpenAI

SEED = "a" * 64
ALL = list(AnalysisType)


def words(text: str) -> int:
    return len(text.split())


def test_the_default_style_reads_as_the_table_always_did(hand_a: PalmAnalysis) -> None:
    assert read_offline(hand_a, ALL, seed=SEED) == read_offline(
        hand_a, ALL, seed=SEED, style=ReaderStyle()
    )
    assert build_messages(hand_a, AnalysisType.LOVE, None)[0]["content"] == SYSTEM_PROMPT


def test_short_readings_are_shorter_than_full_ones_in_every_tone(hand_a: PalmAnalysis) -> None:
    for tone in Tone:
        full = read_offline(hand_a, ALL, seed=SEED, style=ReaderStyle(tone=tone))
        short = read_offline(
            hand_a, ALL, seed=SEED, style=ReaderStyle(tone=tone, length=ReadingLength.SHORT)
        )
        for long_one, short_one in zip(full, short, strict=True):
            long_words = words(long_one.text) + sum(map(words, long_one.per_line.values()))
            short_words = words(short_one.text) + sum(map(words, short_one.per_line.values()))
            assert short_words < long_words, (tone, long_one.analysis_type)


def test_matter_of_fact_states_the_bands_and_playful_adds_asides(hand_a: PalmAnalysis) -> None:
    fact = read_offline(
        hand_a, [AnalysisType.LOVE], seed=SEED, style=ReaderStyle(tone=Tone.MATTER_OF_FACT)
    )[0]
    assert fact.per_line["heart"].startswith("Heart line: ")
    assert "hand shape;" in fact.text
    playful = read_offline(
        hand_a, [AnalysisType.LOVE], seed=SEED, style=ReaderStyle(tone=Tone.PLAYFUL)
    )[0]
    english = load_phrasebook().languages[Language.ENGLISH]
    assert any(playful.text.startswith(opening) for opening in english.playful_open)
    assert any(playful.text.endswith(closing) for closing in english.playful_close)


@pytest.mark.parametrize("language", [Language.SPANISH, Language.FRENCH])
def test_spanish_and_french_readings_use_their_own_words(
    hand_a: PalmAnalysis, language: Language
) -> None:
    english = read_offline(hand_a, ALL, seed=SEED)
    for tone in Tone:
        local = read_offline(hand_a, ALL, seed=SEED, style=ReaderStyle(tone, language=language))
        book = load_phrasebook().languages[language]
        for theirs, ours in zip(english, local, strict=True):
            assert ours.title == book.titles[ours.analysis_type.value] != theirs.title
            assert ours.text != theirs.text
            assert set(ours.per_line) == set(theirs.per_line)
            for name, text in ours.per_line.items():
                assert book.labels[name].split()[0].lower() in text.lower(), (tone, name)


def test_a_missing_line_is_said_honestly_in_the_persons_language() -> None:
    hand = make_analysis([make_line("heart", found=False)])
    spanish = ReaderStyle(language=Language.SPANISH)
    reading = read_offline(hand, [AnalysisType.LOVE], seed=SEED, style=spanish)[0]
    assert "no se veía con claridad" in reading.per_line["heart"]
    assert "no se veía" in reading.text or "Ninguna" in reading.text


def test_the_dominant_hand_is_read_as_the_present_and_the_other_as_potential() -> None:
    right = make_analysis([make_line("heart")], hand="right")
    present = ReaderStyle(dominant_hand="right")
    potential = ReaderStyle(dominant_hand="left")
    assert "present" in read_offline(right, [AnalysisType.LOVE], seed=SEED, style=present)[0].text
    assert (
        "potential" in read_offline(right, [AnalysisType.LOVE], seed=SEED, style=potential)[0].text
    )
    assert "present" not in read_offline(right, [AnalysisType.LOVE], seed=SEED)[0].text


def test_no_phrase_in_any_language_uses_a_forbidden_word() -> None:
    for language, book in load_phrasebook().languages.items():
        texts = [*book.closing, *book.missing, *book.nothing_found, *book.playful_open]
        texts += [*book.playful_close, *book.hand_role.values()]
        texts += [s for bands in book.warm.values() for opts in bands.values() for s in opts]
        texts += [s for opts in book.elements.values() for s in opts]
        assert not [t for t in texts if forbidden_words(t)], language


def test_the_preview_reads_the_sample_palm_in_the_chosen_style() -> None:
    warm = preview_reading(AnalysisType.LIFE, ReaderStyle())
    french = preview_reading(AnalysisType.LIFE, ReaderStyle(language=Language.FRENCH))
    assert warm.title == "Life path (life line)"
    assert french.title == "Chemin de vie (ligne de vie)"


def test_the_llm_is_told_the_tone_length_language_and_hand(hand_a: PalmAnalysis) -> None:
    style = ReaderStyle(Tone.PLAYFUL, ReadingLength.SHORT, Language.FRENCH, hand_a.hand)
    system, user = build_messages(hand_a, AnalysisType.LOVE, None, style)
    assert "playful" in str(system["content"])
    assert "Write every text in French" in str(system["content"])
    assert '"<1 sentence>"' in str(system["content"])
    assert "dominant hand: read it as the present" in str(user["content"])


def test_a_changed_style_misses_the_llm_cache_and_the_same_one_hits(
    stub: StubOpenAI, hand_a: PalmAnalysis, redis_client: Redis, cipher: MultiFernet
) -> None:
    client = make_openai_client("test-key", stub.base_url, timeout=5.0)
    reader = LLMReader(
        LLM(client, "gpt-4o-mini", prices=PriceTable(), max_retries=0),
        cache=ResponseCache(redis_client, cipher),
    )
    styles = [
        ReaderStyle(),
        ReaderStyle(tone=Tone.PLAYFUL),
        ReaderStyle(length=ReadingLength.SHORT),
        ReaderStyle(language=Language.SPANISH),
        ReaderStyle(dominant_hand="left"),
        ReaderStyle(),
    ]
    hits = [
        reader.read(
            hand_a,
            [AnalysisType.LOVE],
            image_sha256="c" * 64,
            palm_crop_jpeg=None,
            seed="c" * 64,
            style=style,
        )
        .usage_events[0]
        .cache_hit
        for style in styles
    ]
    assert hits == [False, False, False, False, False, True]
    assert len(stub.requests) == 5
    assert "Spanish" in stub.requests[3]["messages"][0]["content"]


def test_a_fallback_reads_offline_in_the_same_style(hand_a: PalmAnalysis) -> None:
    client = make_openai_client("test-key", "http://127.0.0.1:1/v1", timeout=0.5)
    reader = LLMReader(LLM(client, "m", prices=PriceTable(), max_retries=0), cache=None)
    outcome = reader.read(
        hand_a,
        [AnalysisType.LOVE],
        image_sha256="c" * 64,
        palm_crop_jpeg=None,
        seed="c" * 64,
        style=ReaderStyle(language=Language.SPANISH),
    )
    assert outcome.fallbacks
    assert outcome.interpretations[0].title == "Amor y emociones (línea del corazón)"


@pytest.mark.parametrize(
    "text", ["Veo una enfermedad en tu futuro.", "Vous allez mourir vieux.", "Il y a une maladie."]
)
def test_a_reply_in_spanish_or_french_is_held_to_the_same_guardrails(text: str) -> None:
    assert forbidden_words(text)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (Language.ENGLISH, "Right hand, water shape; lines: heart, fate."),
        (Language.SPANISH, "Mano derecha, forma agua; líneas: corazón, destino."),
        (Language.FRENCH, "Main droite, forme eau ; lignes : cœur, destinée."),
    ],
)
def test_a_readings_one_line_summary_is_said_in_the_persons_language(
    language: Language, expected: str
) -> None:
    assert one_line_summary(language, "right", "water", ["heart", "fate"]) == expected


def test_a_summary_without_lines_says_so_in_every_language() -> None:
    said = {one_line_summary(language, "left", "air", []) for language in Language}
    assert said == {
        "Left hand, air shape; lines: no clear lines.",
        "Mano izquierda, forma aire; líneas: ninguna línea clara.",
        "Main gauche, forme air ; lignes : aucune ligne nette.",
    }
