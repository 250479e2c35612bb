"""The seller API (FastAPI): signed webhooks in, runs and listings out; OpenAPI at `/docs`."""

from __future__ import annotations
