"""Process-wide clients for the Streamlit app, created once and injected into services."""

from __future__ import annotations

import streamlit as st
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from palm.db import make_engine, make_session_factory
from palm.infra.redis import RedisUnavailableError, check_reachable, connect
from palm.infra.storage import BlobStore
from palm.infra.storage import blob_store as storage_for
from palm.settings import Settings, get_settings


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    current = get_settings()
    return make_engine(current.resolved_database_url, current)


def session_factory() -> sessionmaker[Session]:
    return _session_factory(engine())


@st.cache_resource(show_spinner=False)
def _session_factory(_engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(_engine)


@st.cache_resource(show_spinner=False)
def redis_client() -> Redis | None:
    """None when REDIS_URL is unset (the app was started without the launcher)."""
    url = get_settings().redis_url
    return connect(url, timeout=2.0) if url else None


@st.cache_data(ttl=10, show_spinner=False)
def redis_problem() -> str | None:
    """A sentence for the banner when Redis is missing or down; checked at most every 10 s."""
    url = get_settings().redis_url
    if not url:
        return "REDIS_URL is not set: start Palmline with `make run` so queues and limits work."
    try:
        check_reachable(url, timeout=1.0)
    except RedisUnavailableError as exc:
        return f"{exc}. Analyses and rate limits are paused until it is back."
    return None


def show_service_banner() -> None:
    """A warning at the top of every page instead of a traceback deeper down."""
    problem = redis_problem()
    if problem:
        st.warning(problem, icon="⚠️")


@st.cache_resource(show_spinner=False)
def blob_store() -> BlobStore:
    return storage_for(get_settings())
