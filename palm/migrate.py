"""Apply Alembic migrations from code (the launcher, the CLI and the tests use this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from cryptography.fernet import MultiFernet

from palm.db import normalise_url
from palm.settings import PROJECT_ROOT


class MigrationError(RuntimeError):
    """A migration could not apply; the message says which database and why."""


def alembic_config(url: str, cipher: MultiFernet | None = None) -> Config:
    """An Alembic config pointing at this project's migrations and the given database.

    ``cipher`` is what migrations that encrypt (or decrypt) existing rows use; without one
    they load the keys from the settings, when a row needs them."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if cipher is not None:
        config.attributes["cipher"] = cipher
    return config


def upgrade_to_head(url: str, cipher: MultiFernet | None = None) -> None:
    """Bring the database to the newest schema, or raise MigrationError with the reason."""
    config = alembic_config(url, cipher)
    try:
        command.upgrade(config, "head")
    except Exception as exc:  # any driver or script error stops the launcher with its reason
        raise MigrationError(f"migrations failed on {redact_url(url)}: {exc}") from exc


def redact_url(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"
