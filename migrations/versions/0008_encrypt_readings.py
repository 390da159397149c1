"""Seal what describes a person: reading filenames, summaries and full results (landmarks,
line courses), line polylines, and the reader's texts become Fernet tokens in TEXT columns;
and the checkpoint table of `python -m palm rotate-keys` (key_rotations).

Existing rows are encrypted here with the installation's keys (PALM_ENCRYPTION_KEYS, else the
development key in the data directory; a caller may pass a cipher in the Alembic config's
``attributes["cipher"]``). Each column is converted portably: add a TEXT column, fill it in
batches, drop the old column, rename the new one. SQLite cannot change a column's type in
place, and rebuilding ``readings`` would cascade-delete its children (foreign keys are on),
whereas ADD / DROP / RENAME COLUMN are native there as on PostgreSQL. Downgrade decrypts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import MultiFernet

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


class Column:
    """One column to convert: its table, name, whether it holds JSON, its plain type."""

    def __init__(self, table: str, name: str, plain: sa.types.TypeEngine[Any], nullable: bool):
        self.table, self.name, self.plain, self.nullable = table, name, plain, nullable
        self.is_json = isinstance(plain, sa.JSON)


COLUMNS = (
    Column("readings", "filename", sa.String(length=255), nullable=False),
    Column("readings", "summary", sa.Text(), nullable=True),
    Column("readings", "analysis", sa.JSON(), nullable=True),
    Column("line_results", "polyline", sa.JSON(), nullable=False),
    Column("interpretations", "text", sa.Text(), nullable=False),
    Column("interpretations", "per_line", sa.JSON(), nullable=False),
)


class Keys:
    """The installation's keys, loaded when the first row needs them (an empty database, as
    in the tests' template, never touches the key file)."""

    def __init__(self) -> None:
        self._cipher: MultiFernet | None = None

    def __call__(self) -> MultiFernet:
        if self._cipher is None:
            config = op.get_context().config
            given = config.attributes.get("cipher") if config is not None else None
            if given is None:
                from palm.infra import load_cipher
                from palm.settings import get_settings

                given = load_cipher(get_settings())
            self._cipher = given
        return self._cipher

    def seal(self, column: Column, value: Any) -> str | None:
        if value is None:
            return None
        text = (
            json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            if column.is_json
            else value
        )
        return self().encrypt(text.encode("utf-8")).decode("ascii")

    def unseal(self, column: Column, token: str | None) -> Any:
        if token is None:
            return None
        text = self().decrypt(token.encode("ascii")).decode("utf-8")
        return json.loads(text) if column.is_json else text


def _default(column: Column, sealed: bool) -> str | None:
    """A NOT NULL column added to a table with rows needs a default (SQLite insists)."""
    if column.nullable:
        return None
    if sealed or not column.is_json:
        return ""
    return "{}" if column.name == "per_line" else "[]"


def _convert(
    column: Column,
    new_type: sa.types.TypeEngine[Any],
    old_type: sa.types.TypeEngine[Any],
    transform: Callable[[Column, Any], Any],
    sealed: bool,
) -> None:
    """Add ``<name>_new`` of ``new_type``, fill it from ``<name>`` through ``transform`` in
    id order, drop ``<name>``, rename ``<name>_new`` to ``<name>``."""
    temporary = f"{column.name}_new"
    default = _default(column, sealed)
    op.add_column(
        column.table,
        sa.Column(temporary, new_type, nullable=column.nullable, server_default=default),
    )
    table = sa.table(
        column.table,
        sa.column("id", sa.Integer()),
        sa.column(column.name, old_type),
        sa.column(temporary, new_type),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c[column.name])
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values({temporary: sa.bindparam("value", type_=new_type)}),
            [{"row_id": row_id, "value": transform(column, value)} for row_id, value in rows],
        )
        last = rows[-1][0]
    op.drop_column(column.table, column.name)
    op.execute(
        sa.text(f'ALTER TABLE {column.table} RENAME COLUMN "{temporary}" TO "{column.name}"')
    )
    if default is not None and connection.dialect.name == "postgresql":
        op.alter_column(column.table, column.name, server_default=None)


def upgrade() -> None:
    keys = Keys()
    for column in COLUMNS:
        _convert(column, sa.Text(), column.plain, keys.seal, sealed=True)
    op.create_table(
        "key_rotations",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("key_rotations")
    keys = Keys()
    for column in reversed(COLUMNS):
        _convert(column, column.plain, sa.Text(), keys.unseal, sealed=False)
