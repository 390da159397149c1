"""`python -m palm api`: the API alone under uvicorn (what `serve` starts beside Streamlit)."""

from __future__ import annotations

import uvicorn

from palm.settings import Settings


def serve(settings: Settings, host: str = "0.0.0.0") -> int:
    """Run until SIGINT/SIGTERM; the clients are built on the first request."""
    from palm.api.app import create_app

    uvicorn.run(
        create_app(),
        host=host,
        port=settings.palm_api_port,
        log_config=None,  # the process's JSON logging (palm.infra.configure_logging)
        proxy_headers=False,  # PALM_TRUSTED_PROXIES decides, as for the pages
        access_log=False,
    )
    return 0
