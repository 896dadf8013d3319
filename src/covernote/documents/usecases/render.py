"""Rendering a document from its templates (DOC-1, CMP-4): HTML and plain text from Jinja2 (HTML
autoescaped: every value from a customer or a product file is text, never markup), PDF from the HTML with
WeasyPrint, and the large-print variant from a document's stored HTML with a larger stylesheet over it.

The template version recorded on each document is a SHA-256 of every template source it is rendered from,
so a document says exactly which wording made it. WeasyPrint (and its Pango libraries) is imported on the
first PDF only: nothing else in the process pays for it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment

from covernote.platform import templating

# The template files each kind is rendered from, beside its own: the shared layout, style and wording.
_SHARED = {"html": ("_base.html", "document.css", "_uses.jinja", "_labels.jinja"),
           "txt": ("_base.txt", "_uses.jinja", "_labels.jinja")}
LARGE_PRINT_CSS = "large_print.css"


def environment() -> Environment:
    """The documents' templates, in the one environment every context renders with (platform/templating.py)."""
    return templating.environment("covernote.documents")


def _source(name: str) -> str:
    return templating.source("covernote.documents", name)


@cache
def template_version(kind: str) -> str:
    """A SHA-256 of the sources the kind is rendered from (its HTML and text templates and the shared ones)."""
    digest = hashlib.sha256()
    for name in sorted({f"{kind}.html", f"{kind}.txt", *_SHARED["html"], *_SHARED["txt"]}):
        digest.update(name.encode() + b"\0" + _source(name).encode("utf-8") + b"\0")
    return digest.hexdigest()


@cache
def large_print_version(kind: str) -> str:
    """The template version of a large-print rendition: the kind's, with the large-print stylesheet."""
    return large_print_version_of(template_version(kind))


def large_print_version_of(version: str) -> str:
    """The large-print version of a document made by templates of `version` (a letter another context wrote)."""
    return hashlib.sha256((version + _source(LARGE_PRINT_CSS)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Rendered:
    html: bytes
    txt: bytes
    pdf: bytes


def render_html(kind: str, facts: dict[str, Any], title: str) -> str:
    return environment().get_template(f"{kind}.html").render(title=title, **facts)


def render_text(kind: str, facts: dict[str, Any], title: str) -> str:
    return environment().get_template(f"{kind}.txt").render(title=title, **facts)


def html_to_pdf(html: str, large_print: bool = False) -> bytes:
    """The PDF of a document's HTML (A4), optionally with the large-print stylesheet over its own."""
    from weasyprint import CSS, HTML

    sheets = [CSS(string=_source(LARGE_PRINT_CSS))] if large_print else []
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=sheets)
    return pdf


def large_print_html(html: str) -> str:
    """The stored HTML with the large-print stylesheet added after its own (CMP-4)."""
    return html.replace("</head>", f"<style>\n{_source(LARGE_PRINT_CSS)}</style>\n</head>", 1)


def render(kind: str, facts: dict[str, Any], title: str) -> Rendered:
    html = render_html(kind, facts, title)
    return Rendered(html.encode("utf-8"), render_text(kind, facts, title).encode("utf-8"), html_to_pdf(html))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
