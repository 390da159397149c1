"""The REST API (v1): an entry layer beside palm.ui, calling the same feature functions.
``create_app`` builds the FastAPI app; ``serve`` runs it under uvicorn."""

from palm.api.app import VERSION, create_app, schema_text
from palm.api.server import serve

__all__ = ["VERSION", "create_app", "schema_text", "serve"]
