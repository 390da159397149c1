"""Deleting an account: the audit log's append-only triggers allow one change, replacing a
person's name (actor, target, or inside detail) with their ``erased-…`` pseudonym.

Revision ID: 0010_account
Revises: 0009_ops
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_account"
down_revision: str | None = "0009_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: An update that only replaces names by pseudonyms: everything else stays as written.
ONLY_PSEUDONYMS = """NEW.id = OLD.id AND NEW.ts = OLD.ts AND NEW.action = OLD.action
       AND NEW.outcome = OLD.outcome AND NEW.session_ref = OLD.session_ref
       AND (NEW.actor = OLD.actor OR NEW.actor LIKE 'erased-%')
       AND (NEW.target = OLD.target OR NEW.target LIKE 'erased-%')
       AND (NEW.detail = OLD.detail OR NEW.detail LIKE '%erased-%')"""

SQLITE_OLD = """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
SQLITE_NEW = f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       WHEN NOT ({ONLY_PSEUDONYMS})
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"""
POSTGRES_OLD = """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql"""
POSTGRES_NEW = f"""CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND {ONLY_PSEUDONYMS} THEN RETURN NEW; END IF;
         RAISE EXCEPTION 'audit_events is append-only';
       END; $$ LANGUAGE plpgsql"""


def _replace(sqlite: str, postgres: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute(sqlite)
    else:
        op.execute(postgres)


def upgrade() -> None:
    _replace(SQLITE_NEW, POSTGRES_NEW)


def downgrade() -> None:
    _replace(SQLITE_OLD, POSTGRES_OLD)
