"""Issue 14, item 5 (UX-1): the API's documentation pages work on a machine without the internet. `/docs` and
`/redoc` load every script, style and icon from this server (the installed package's files), and their
content security policy lets the browser load nothing from elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest

from covernote.api import docs

# Every URL an HTML page makes the browser load: <script src>, <link href>, <img src>, ReDoc's spec-url, and
# the URLs in the inline script that starts Swagger UI.
_LOADED = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|\burl:\s*'([^']+)'|\b\w+Url:\s*'([^']+)'""")


def _loaded_urls(page: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _LOADED.finditer(page)]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_issue14_item5_docs_pages_load_nothing_from_another_host(api: Any, path: str) -> None:
    page = api.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = _loaded_urls(page.text)
    assert urls, page.text  # the page loads its scripts: found and checked below
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), f"{path} loads {url} from another host"
    assert "fonts.googleapis" not in page.text and "cdn.jsdelivr" not in page.text
    csp = page.headers["content-security-policy"]
    assert "https:" not in csp and "http:" not in csp, csp
    for url in urls:
        if url.startswith(docs.STATIC_PREFIX):
            asset = api.client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 1000, url
            assert "no-store" not in asset.headers.get("cache-control", ""), url  # cacheable: no personal data


def test_issue14_item5_swagger_ui_loads_its_bundle_the_openapi_document_and_no_validator(api: Any) -> None:
    urls = _loaded_urls(api.client.get("/docs").text)
    assert f"{docs.STATIC_PREFIX}/{docs.SWAGGER_JS}" in urls
    assert f"{docs.STATIC_PREFIX}/{docs.SWAGGER_CSS}" in urls
    assert "/openapi.json" in urls
    assert '"validatorUrl": null' in api.client.get("/docs").text  # no badge fetched from validator.swagger.io
    assert f"{docs.STATIC_PREFIX}/{docs.REDOC_JS}" in _loaded_urls(api.client.get("/redoc").text)
    assert api.client.get("/docs/oauth2-redirect").status_code == 200


def test_issue14_item5_the_docs_assets_are_not_in_the_api_contract(api: Any) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/docs") or p == "/redoc"]
    assert api.client.get(f"{docs.STATIC_PREFIX}/no-such-file.js").status_code == 404
