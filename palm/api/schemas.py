"""The API's response bodies (OpenAPI components), built from what the features return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Refused(BaseModel):
    filename: str = Field(examples=["notes.txt"])
    code: str = Field(examples=["UNSUPPORTED_FORMAT"])
    message: str = Field(examples=["This is not a JPEG, PNG, WebP, HEIC or BMP photo."])


class BatchItemOut(BaseModel):
    reading_id: int = Field(examples=[42])
    job_id: str | None = Field(default=None, examples=["3f1c…"])
    filename: str = Field(examples=["left-palm.jpg"])
    status: str = Field(examples=["queued"])
    stage: str = Field(examples=["landmarks"])
    progress: float = Field(ge=0, le=1, examples=[0.3])
    error_code: str | None = None
    message: str | None = None


class BatchOut(BaseModel):
    """A batch of photos: one reading per accepted photo, refusals per file."""

    batch_id: str = Field(examples=["9b2e0c6d1f7a4e8b9c0d1e2f3a4b5c6d"])
    items: list[BatchItemOut]
    refused: list[Refused] = []
    events: str = Field(examples=["/api/v1/batches/9b2e…/events"])


class ReadingSummaryOut(BaseModel):
    id: int = Field(examples=[42])
    created_at: datetime
    owner: str = Field(examples=["you"])
    filename: str = Field(examples=["left-palm.jpg"])
    hand: str | None = Field(examples=["left"])
    hand_shape: str | None = Field(examples=["fire"])
    status: str = Field(examples=["done"])
    engine: str | None = Field(examples=["offline"])
    analysis_types: list[str] = Field(examples=[["life", "heart"]])
    lines_found: int = Field(examples=[4])
    mean_confidence: float | None = Field(examples=[0.72])
    summary: str | None = None
    url: str = Field(examples=["/api/v1/readings/42"])


class ReadingPage(BaseModel):
    """One page, newest first; ``next`` is the URL of the following page (null: the last)."""

    items: list[ReadingSummaryOut]
    next_cursor: str | None = None
    next: str | None = Field(default=None, examples=["/api/v1/readings?cursor=…&limit=50"])


class LineOut(BaseModel):
    name: str = Field(examples=["heart"])
    found: bool
    faint: bool = Field(
        default=False,
        description="Found on thin evidence (a confidence under the engine's faint mark, 0.7)",
    )
    length_rel: float | None = None
    depth: float | None = None
    curvature: float | None = None
    breaks: int | None = None
    branches: int | None = None
    confidence: float | None = None


class InterpretationOut(BaseModel):
    analysis_type: str = Field(examples=["heart"])
    title: str
    text: str
    per_line: dict[str, str] = {}
    confidence: float
    engine: str = Field(examples=["offline"])
    fallback_reason: str | None = None


class ReadingOut(BaseModel):
    id: int = Field(examples=[42])
    batch_id: str
    filename: str
    created_at: datetime
    finished_at: datetime | None = None
    status: str = Field(examples=["done"])
    engine: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    hand: str | None = None
    hand_shape: str | None = None
    analysis_types: list[str]
    summary: str | None = None
    lines: list[LineOut]
    interpretations: list[InterpretationOut]
    overlay_url: str | None = Field(default=None, examples=["/api/v1/readings/42/overlay.png"])


class JobOut(BaseModel):
    id: str
    kind: str = Field(examples=["analysis"])
    state: str = Field(examples=["started"])
    stage: str = Field(examples=["lines"])
    progress: float = Field(ge=0, le=1)
    attempts: int
    error_code: str | None = None
    error: str | None = None
    reading_id: int | None = None
    batch_id: str | None = None
    enqueued_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    events: str = Field(examples=["/api/v1/jobs/3f1c…/events"])


class ExportOut(BaseModel):
    state: str = Field(examples=["started"])
    progress: float = 0.0
    stage: str = ""
    ready_until: datetime | None = None
    error: str | None = None
    job_id: str | None = None
    download: str | None = Field(default=None, examples=["/api/v1/account/export/download"])


class AccountDeletion(BaseModel):
    password: str = Field(min_length=1, max_length=1024)
    confirmation: str = Field(max_length=64, examples=["delete my account"])
