"""The export zip of one person: everything Palmline keeps about them, readable without
Palmline (JSON, CSV, Markdown, the original photos decrypted, the overlays as PNG)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import asdict
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from palm import accounts, chat, explore
from palm.errors import PalmError
from palm.infra import BlobStore
from palm.models import AuditEvent, Image, Interpretation, LineResult, Reading
from palm.readings import overlay_png
from palm.vocabulary import Progress

LINE_FIELDS: tuple[str, ...] = ("line", "found", "length_rel", "depth", "curvature")
LINE_FIELDS += ("breaks", "branches", "start_zone", "end_zone", "confidence")
READING_FIELDS: tuple[str, ...] = ("id", "created_at", "finished_at", "filename", "hand")
READING_FIELDS += ("hand_requested", "analysis_types", "status", "engine", "summary")
READING_FIELDS += ("hand_shape", "error_code")
README = """Your Palmline data, exported {when} (UTC).

readings.json    every reading: its fields, each line's metrics, and the interpretations
readings.csv     one row per reading and line: the reading's fields and that line's metrics
photos/          the original photos you uploaded, decrypted (<reading id>-<file name>)
overlays/        each reading's photo with the lines drawn on it (PNG)
chat/            each conversation as Markdown (<thread id>.md) and JSON (<thread id>.json)
profile.json     your e-mail, display name, dominant hand and preferences
shares.json      readings you shared and readings shared with you
activity.json    your account's events from the audit log (sign-ins, changes, shares…)

Palm reading is for entertainment only.
"""


def _safe(name: str) -> str:
    """A file name that stays inside its folder of the zip."""
    return re.sub(r"[^\w.-]+", "_", name).strip("._")[:80] or "photo"


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _reading_rows(session: Session, user_id: int) -> list[dict[str, Any]]:
    readings = session.scalars(
        select(Reading).where(Reading.user_id == user_id).order_by(Reading.created_at, Reading.id)
    )
    rows = []
    for reading in readings:
        row = {field: _plain(getattr(reading, field)) for field in READING_FIELDS}
        lines = session.scalars(select(LineResult).where(LineResult.reading_id == reading.id))
        row["lines"] = [{f: getattr(line, f) for f in LINE_FIELDS} for line in lines]
        texts = session.scalars(
            select(Interpretation).where(Interpretation.reading_id == reading.id)
        )
        row["interpretations"] = [
            {
                "analysis_type": item.analysis_type,
                "title": item.title,
                "text": item.text,
                "per_line": item.per_line,
                "engine": item.engine,
                "confidence": item.confidence,
            }
            for item in texts
        ]
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*READING_FIELDS, *LINE_FIELDS])
    for row in rows:
        base = [json.dumps(v) if isinstance(v, list) else v for v in map(row.get, READING_FIELDS)]
        for line in row["lines"] or [{}]:
            writer.writerow([*base, *(line.get(field, "") for field in LINE_FIELDS)])
    return buffer.getvalue()


def _files(session: Session, blobs: BlobStore, user_id: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    query = (
        select(Reading, Image)
        .outerjoin(Image, Image.id == Reading.image_id)
        .where(Reading.user_id == user_id)
    )
    for reading, image in session.execute(query):
        try:
            if image is not None:
                files[f"photos/{reading.id}-{_safe(reading.filename)}"] = blobs.get(
                    image.storage_key
                )
            if reading.overlay_key:
                files[f"overlays/{reading.id}.png"] = overlay_png(blobs, reading.overlay_key)
        except PalmError:
            continue  # a file gone missing is left out, not the whole export
    return files


def _activity(session: Session, user_id: int) -> list[dict[str, Any]]:
    names = accounts.addresses_of(session, user_id) | {f"user:{user_id}"}
    query = (
        select(AuditEvent)
        .where(or_(AuditEvent.actor.in_(names), AuditEvent.target.in_(names)))
        .order_by(AuditEvent.ts, AuditEvent.id)
    )
    return [
        {
            "ts": event.ts.isoformat(),
            "action": event.action,
            "outcome": event.outcome,
            "detail": event.detail,
        }
        for event in session.scalars(query)
    ]


def _profile(session: Session, user_id: int) -> dict[str, Any]:
    profile = accounts.get_profile(session, user_id)
    prefs = accounts.load_preferences(session, user_id)
    return {
        "email": profile.email,
        "display_name": profile.display_name,
        "dominant_hand": profile.dominant_hand,
        "created_at": profile.created_at.isoformat(),
        "preferences": {k: _plain(v) for k, v in asdict(prefs).items()},
    }


def _shares(session: Session, user_id: int) -> dict[str, Any]:
    def rows(shares: list[explore.ShareRow]) -> list[dict[str, Any]]:
        return [{k: _plain(v) for k, v in asdict(share).items()} for share in shares]

    return {
        "shared_by_me": rows(explore.shares_by(session, user_id)),
        "shared_with_me": rows(explore.shared_with(session, user_id)),
    }


def build_archive(
    session: Session,
    blobs: BlobStore,
    cipher: MultiFernet,
    user_id: int,
    *,
    when: str,
    progress: Progress | None = None,
) -> bytes:
    """The person's zip, built in memory."""
    say = progress or (lambda _stage, _fraction: None)
    say("readings", 0.1)
    readings = _reading_rows(session, user_id)
    documents: dict[str, str] = {
        "README.txt": README.format(when=when),
        "readings.json": json.dumps(readings, ensure_ascii=False, indent=2),
        "readings.csv": _csv(readings),
        "profile.json": json.dumps(_profile(session, user_id), ensure_ascii=False, indent=2),
        "shares.json": json.dumps(_shares(session, user_id), ensure_ascii=False, indent=2),
        "activity.json": json.dumps(_activity(session, user_id), ensure_ascii=False, indent=2),
    }
    say("chats", 0.3)
    for thread in chat.collect(session, cipher, user_id):
        documents[f"chat/{thread.id}.md"] = chat.to_markdown([thread])
        documents[f"chat/{thread.id}.json"] = chat.to_json([thread])
    say("photos", 0.5)
    files = _files(session, blobs, user_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in documents.items():
            archive.writestr(name, text)
        for name, data in files.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    say("packed", 0.9)
    return buffer.getvalue()
