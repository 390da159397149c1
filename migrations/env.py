"""Alembic environment: the URL comes from the caller's config or from palm settings."""

from __future__ import annotations

from typing import Any

from alembic import context

import palm.models  # noqa: F401  (registers every table on Base.metadata)
from palm.db import Base, make_engine
from palm.settings import get_settings

config = context.config
target_metadata = Base.metadata


def made_here(dialect: str) -> Any:
    """Autogenerate's filter: a model object declared for another dialect only
    (``.ddl_if(dialect=...)``, e.g. a SQLite-only index) is not expected in this schema."""

    def include(item: Any, _name: Any, _kind: str, _reflected: bool, _compare_to: Any) -> bool:
        condition = getattr(item, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    return include


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=made_here(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
