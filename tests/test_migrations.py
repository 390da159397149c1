"""Alembic migrations and the models agree, and migrations go down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from palm.db import make_engine
from palm.migrate import MigrationError, alembic_config, upgrade_to_head


def test_models_match_the_migrated_schema(db_url: str) -> None:
    command.check(alembic_config(db_url))  # raises when autogenerate would find a difference


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "base")
    engine = make_engine(db_url)
    assert "users" not in inspect(engine).get_table_names()
    upgrade_to_head(db_url)
    assert {"users", "preferences", "audit_events", "jobs"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_unreachable_database_is_a_migration_error_with_the_reason() -> None:
    try:
        upgrade_to_head("postgresql://palm:secret@127.0.0.1:1/nowhere")
    except MigrationError as error:
        assert "127.0.0.1:1" in str(error)
        assert "secret" not in str(error)
    else:
        raise AssertionError("expected a MigrationError")
