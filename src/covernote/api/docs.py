"""The API's documentation pages, served whole from the installed packages (issue 14, item 5).

FastAPI's own `/docs` and `/redoc` load Swagger UI and ReDoc from a public CDN (and ReDoc its fonts from
Google), so on a machine without the internet they show a blank page. Here both pages load their scripts,
styles and icon from `/docs/static/`, the files the pinned `fastapi-offline` package ships, and nothing from
elsewhere: the pages' Content-Security-Policy (`api/security.py`) names no other host. Swagger UI's online
validator badge is switched off for the same reason."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_PREFIX = "/docs/static"
# The assets each page loads, all under STATIC_PREFIX.
SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js",
                                              "favicon.png")
# Swagger UI asks validator.swagger.io for a badge unless told not to.
SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None}


def assets_directory() -> str:
    """Where the installed `fastapi-offline` keeps Swagger UI's and ReDoc's files."""
    return str(resources.files("fastapi_offline").joinpath("static"))


def install(app: FastAPI) -> None:
    """Serve `/docs`, `/docs/oauth2-redirect`, `/redoc` and their assets from the package. The app must be made
    with `docs_url=None, redoc_url=None` so that FastAPI's CDN pages are not served instead."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("make the app with docs_url=None and redoc_url=None: these pages replace FastAPI's own")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    app.mount(STATIC_PREFIX, StaticFiles(directory=assets_directory()), name="docs-static")

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{STATIC_PREFIX}/{name}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(openapi_url=f"{root}{openapi_url}", title=f"{app.title} - Swagger UI",
                                   oauth2_redirect_url=f"{root}{redirect_url}",
                                   swagger_js_url=asset(request, SWAGGER_JS), swagger_css_url=asset(request, SWAGGER_CSS),
                                   swagger_favicon_url=asset(request, FAVICON), swagger_ui_parameters=SWAGGER_PARAMETERS)

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(openapi_url=f"{root}{openapi_url}", title=f"{app.title} - ReDoc",
                              redoc_js_url=asset(request, REDOC_JS), redoc_favicon_url=asset(request, FAVICON),
                              with_google_fonts=False)
