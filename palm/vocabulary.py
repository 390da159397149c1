"""Palmline's shared words: line names, hands, analysis types, statuses, roles, progress.

Every layer (vision, readers, features, ui) says "heart line", "done" or "analyst" with the
names defined here, so adding a line or a status is one edit. Labels for the screen live
beside the names they label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal, Protocol

from palm.errors import PalmError

#: The principal lines first, then the minor ones, in the order readings list them.
LINE_NAMES: tuple[str, ...] = ("heart", "head", "life", "fate", "sun", "mercury")
PRINCIPAL_LINES: tuple[str, ...] = ("heart", "head", "life")

Hand = Literal["left", "right"]
HandChoice = Literal["auto", "left", "right"]
HANDS: tuple[Hand, ...] = ("left", "right")


class AnalysisType(StrEnum):
    """What a person can ask the palm about."""

    LIFE = "life"
    LOVE = "love"
    CAREER = "career"
    HEALTH = "health"
    HEAD = "head"


ANALYSIS_TYPES: tuple[str, ...] = tuple(kind.value for kind in AnalysisType)

#: Other names people (and the issues) use for the same analysis types.
TYPE_ALIASES: dict[str, AnalysisType] = {
    "heart": AnalysisType.LOVE,
    "fate": AnalysisType.CAREER,
    "mercury": AnalysisType.HEALTH,
}

#: Which palm lines each analysis type reads, most important first.
TYPE_LINES: dict[AnalysisType, tuple[str, ...]] = {
    AnalysisType.LIFE: ("life",),
    AnalysisType.LOVE: ("heart",),
    AnalysisType.CAREER: ("fate", "sun"),
    AnalysisType.HEALTH: ("mercury", "life"),
    AnalysisType.HEAD: ("head",),
}

#: A line's measurements as a person reads them, with their units.
METRIC_LABELS: dict[str, str] = {
    "length_rel": "Length (palm widths)",
    "depth": "Depth (0–1)",
    "curvature": "Curvature (0 = straight)",
    "breaks": "Breaks",
    "branches": "Branches",
    "confidence": "Confidence",
}

#: Where a line starts or ends, in words (the vision engine's zone names).
ZONE_LABELS: dict[str, str] = {
    "under_index": "under the index finger",
    "between_index_middle": "between the index and middle fingers",
    "under_middle": "under the middle finger",
    "under_ring": "under the ring finger",
    "under_little": "under the little finger",
    "palm_edge": "at the outer edge of the palm",
    "thumb_web": "at the web of the thumb",
    "thumb_mount": "on the mount of the thumb",
    "palm_centre": "in the centre of the palm",
    "lower_palm_edge": "at the lower outer edge",
    "wrist": "near the wrist",
}

#: How the analysis types are offered on the Analyze page.
TYPE_LABELS: dict[str, str] = {
    "life": "Life",
    "love": "Love (heart)",
    "career": "Career (fate)",
    "health": "Health & energy (mercury)",
    "head": "Head (mind)",
}


def expand_types(values: Iterable[str]) -> list[AnalysisType]:
    """Turn user input ("full", aliases, duplicates) into analysis types in canonical order."""
    wanted: set[AnalysisType] = set()
    for raw in values:
        value = str(raw).strip().lower()
        if value == "full":
            wanted.update(AnalysisType)
        elif value in TYPE_ALIASES:
            wanted.add(TYPE_ALIASES[value])
        else:
            try:
                wanted.add(AnalysisType(value))
            except ValueError:
                raise PalmError(
                    "UNKNOWN_ANALYSIS_TYPE", f"“{raw}” is not an analysis type."
                ) from None
    return [kind for kind in AnalysisType if kind in wanted]


class Role(StrEnum):
    """What an account may see: users their own data, analysts everyone's, admins everything."""

    USER = "user"
    ANALYST = "analyst"
    ADMIN = "admin"


class TokenScope(StrEnum):
    """What a personal access token may do in the REST API (the role still decides whose
    data): read, write (upload, delete, share, chat), admin (the analyst's and admin's views)."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class Guarded(StrEnum):
    """What a person does that is rate-limited, per client address and per account."""

    SIGN_IN = "sign_in"
    SIGN_UP = "sign_up"
    SUBMIT = "submit"
    SHARE = "share"
    EXPORT = "export"
    API_REQUEST = "api_request"  # counted per personal access token


#: How a refusal names what was counted ("Too many sign-ups from this network").
GUARDED_NOUNS: dict[Guarded, str] = {
    Guarded.SIGN_IN: "sign-in attempts",
    Guarded.SIGN_UP: "sign-ups",
    Guarded.SUBMIT: "photos sent",
    Guarded.SHARE: "shares",
    Guarded.EXPORT: "downloads",
    Guarded.API_REQUEST: "API requests",
}


class ReadingStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


READING_STATUSES: tuple[str, ...] = tuple(status.value for status in ReadingStatus)
#: A reading in one of these states will not change again on its own.
SETTLED_STATUSES = frozenset({ReadingStatus.DONE, ReadingStatus.FAILED})


class JobState(StrEnum):
    """Mirror of an RQ job's life, kept in the database so pages never poll Redis for history."""

    QUEUED = "queued"
    STARTED = "started"
    RETRYING = "retrying"
    FINISHED = "finished"
    FAILED = "failed"
    REFUSED = "refused"  # the input cannot be read (a photo of the back of a hand): not a fault


TERMINAL_JOB_STATES = frozenset({JobState.FINISHED, JobState.FAILED, JobState.REFUSED})


#: Why the AI reader did not write a reading (palm.llm's codes), as a person would say it.
FALLBACK_REASONS: dict[str, str] = {
    "LLM_TIMEOUT": "took too long to answer",
    "LLM_DEADLINE": "ran out of time",
    "LLM_UNAVAILABLE": "could not be reached",
    "LLM_RATE_LIMITED": "was busy",
    "LLM_SERVER_ERROR": "had a problem on its side",
    "LLM_REJECTED": "turned the request down",
    "LLM_BAD_JSON": "sent an answer that could not be used",
    "LLM_UNSAFE_CONTENT": "strayed into medical or lifespan talk",
    "LLM_TOO_LONG": "sent an answer far longer than asked",
    "LLM_EMPTY": "sent no answer",
    "LLM_BUDGET": "has used up this month's budget",
}


def fallback_explanation(code: str) -> str:
    """E.g. "The AI reader was busy, so the built-in reader wrote this one (LLM_RATE_LIMITED)."""
    why = FALLBACK_REASONS.get(code, "failed")
    return f"The AI reader {why}, so the built-in reader wrote this one ({code})."


class JobFailure(StrEnum):
    """Why a job failed when the reason is not the input's: what its row and reading record."""

    WORKER_DIED = "WORKER_DIED"  # its worker was killed; RQ's abandoned-job handling found it
    SERVICE_ERROR = "SERVICE_ERROR"  # the database, Redis or the disk failed under it
    QUEUE_UNAVAILABLE = "QUEUE_UNAVAILABLE"  # it could not be enqueued
    JOB_LOST = "JOB_LOST"  # Redis lost it and it could not be enqueued again
    JOB_ERROR = "JOB_ERROR"  # anything else (a bug)
    QUEUE_EMPTIED = "QUEUE_EMPTIED"  # an admin emptied its queue before it started


#: How finely trends are bucketed in time.
Granularity = Literal["day", "month"]

#: The stages an analysis reports, with how far along each one is (0–1).
STAGE_PROGRESS: dict[str, float] = {
    "validating": 0.05,
    "landmarks": 0.2,
    "lines": 0.4,
    "metrics": 0.6,
    "interpreting": 0.7,
    "saving": 0.9,
}


#: What a person reads for each stage of their photo's journey.
STAGE_LABELS: dict[str, str] = {
    "queued": "Waiting for a reader",
    "started": "Starting",
    "validating": "Checking the photo",
    "landmarks": "Finding your hand",
    "lines": "Tracing the lines",
    "metrics": "Measuring the lines",
    "interpreting": "Writing your reading",
    "saving": "Saving",
    "retrying": "Trying again",
    "running": "Working",
    "done": "Ready",
    "failed": "Could not be read",
}


class Progress(Protocol):
    """Where long work reports its stage: the vision engine, the analysis, any job."""

    def __call__(self, stage: str, fraction: float, /) -> None: ...


def report(progress: Progress | None, stage: str) -> None:
    """Report one of the analysis stages (STAGE_PROGRESS) if anyone is listening."""
    if progress is not None:
        progress(stage, STAGE_PROGRESS.get(stage, 0.5))


class Tone(StrEnum):
    """How the reader speaks (a preference; offline table and LLM prompt both follow it)."""

    WARM = "warm"
    MATTER_OF_FACT = "matter_of_fact"
    PLAYFUL = "playful"


class ReadingLength(StrEnum):
    SHORT = "short"
    FULL = "full"


class Language(StrEnum):
    """Languages of readings: the offline table speaks each, the LLM reader is told it."""

    ENGLISH = "en"
    SPANISH = "es"
    FRENCH = "fr"


class ChartTheme(StrEnum):
    LIGHT = "light"
    DARK = "dark"
    COLOUR_BLIND = "colour_blind"


TONE_LABELS: dict[str, str] = {
    "warm": "Warm",
    "matter_of_fact": "Matter-of-fact",
    "playful": "Playful",
}
LENGTH_LABELS: dict[str, str] = {"short": "Short", "full": "Full"}
LANGUAGE_LABELS: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français"}
CHART_THEME_LABELS: dict[str, str] = {
    "light": "Light",
    "dark": "Dark",
    "colour_blind": "Colour-blind safe",
}
#: Date formats a person can pick (strftime patterns), with how each looks.
DATE_FORMATS: dict[str, str] = {
    "%Y-%m-%d %H:%M": "2026-03-31 14:05",
    "%d/%m/%Y %H:%M": "31/03/2026 14:05",
    "%m/%d/%Y %I:%M %p": "03/31/2026 02:05 PM",
    "%d %b %Y, %H:%M": "31 Mar 2026, 14:05",
}
#: The day alone in each date format: what compact labels (a reading in a picker, a share,
#: a chat thread) show.
DAY_FORMATS: dict[str, str] = {
    "%Y-%m-%d %H:%M": "%Y-%m-%d",
    "%d/%m/%Y %H:%M": "%d/%m/%Y",
    "%m/%d/%Y %I:%M %p": "%m/%d/%Y",
    "%d %b %Y, %H:%M": "%d %b %Y",
}
#: How a label names a moment's day: a person's ``ReadingPreferences.day``, else ``utc_day``.
DayLabel = Callable[[datetime], str]


def utc_day(moment: datetime) -> str:
    """The day in UTC ("31 Mar 2026"): labels that no one person reads (prompts, reports)."""
    return moment.astimezone(UTC).strftime("%d %b %Y")
