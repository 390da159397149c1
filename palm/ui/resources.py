"""The UI's view of the process runtime (palm.runtime): the clients pages hand to features,
and the banner shown when Redis is missing or down."""

from __future__ import annotations

import streamlit as st

from palm.db import SessionFactory
from palm.infra import BlobStore, RedisUnavailableError, check_reachable
from palm.runtime import Runtime, get_runtime
from palm.settings import Settings


def runtime() -> Runtime:
    return get_runtime()


def settings() -> Settings:
    return runtime().settings


def session_factory() -> SessionFactory:
    return runtime().session_factory


def blob_store() -> BlobStore:
    return runtime().blob_store


@st.cache_data(ttl=10, show_spinner=False)
def redis_problem() -> str | None:
    """A sentence for the banner when Redis is missing or down; checked at most every 10 s."""
    url = settings().redis_url
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
