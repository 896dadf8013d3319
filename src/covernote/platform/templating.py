"""The one way Covernote renders wording from templates (issue 14, DOC-1, DOC-2, CMP-4): a Jinja2
environment per context's `templates/` folder, all made here with the same settings, so every document and
letter is escaped and filled in the same way.

- HTML templates (`*.html`, and every template given as a string) are autoescaped: each value from a
  customer, a member of staff or a product file is text, never markup. Plain-text templates (`*.txt`,
  `*.jinja` fragments) are not escaped.
- An undefined name fails the render (StrictUndefined) rather than printing nothing.
- A template's final newline is kept, so a plain-text letter ends as its file does.
- The filters every letter shares: `long_date` (7 December 2026); the test `list` (a list or tuple).

It lives in `platform/` because every context renders with it, from privacy's access package near the
bottom to the lifecycle's documents near the top (docs/architecture.md); the documents context builds its
environment here too. Jinja2 is imported by this module only: the domain and kernel stay free of it."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def long_date(day: date) -> str:
    """A day as a letter writes it: `7 December 2026`."""
    return f"{day.day} {day:%B %Y}"


def is_list(value: object) -> bool:
    """The `list` test: a list or tuple (a string, a mapping or bytes is not)."""
    return isinstance(value, list | tuple)


FILTERS = {"long_date": long_date}
TESTS = {"list": is_list}


@cache
def environment(package: str, folder: str = "templates") -> Environment:
    """The environment over `package`'s template folder (`covernote.complaints` -> its `templates/`)."""
    env = Environment(loader=PackageLoader(package, folder),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    env.tests.update(TESTS)
    return env


def render(package: str, name: str, /, **values: Any) -> str:
    """Template `name` of `package`'s templates, filled with `values`."""
    return environment(package).get_template(name).render(**values)


def source(package: str, name: str, folder: str = "templates") -> str:
    """A template file's source text (to hash it as the version of what it renders)."""
    return resources.files(package).joinpath(folder, name).read_text(encoding="utf-8")


def version(package: str, *names: str) -> str:
    """A SHA-256 of the named templates' sources: the version of the wording they render, recorded with a
    letter issued as a document."""
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + source(package, name).encode("utf-8") + b"\0")
    return digest.hexdigest()
