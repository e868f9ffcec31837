"""The public REST API (FastAPI), mounted into the Reflex backend under /api/v1."""

API_VERSION = "1"
