"""What each server worker process runs when `covernote serve --workers N` starts several (uvicorn
imports it by name in a fresh interpreter): JSON-lines logging set up in that process, then the app
(issue 13 item 23: the access log is the app's own, in every worker)."""

from __future__ import annotations

from fastapi import FastAPI

from covernote.api.app import create_app_from_env
from covernote.platform.observability import configure_logging


def create_worker_app() -> FastAPI:
    configure_logging()
    return create_app_from_env()
