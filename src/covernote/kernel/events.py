"""Domain events: facts one context announces so that others can act on them without the first
importing the second (a bind makes a Motor Insurance Database update, a claim goes to the claims
exchange). A use case publishes an event on its unit of work; the handlers registered in
`covernote.bootstrap` run when that unit of work commits, inside the same transaction, so the change and
everything that follows from it are stored together or not at all. Pure: stdlib only."""

from __future__ import annotations


class Event:
    """Base of every domain event. Subclasses are frozen dataclasses named in the past tense."""

    __slots__ = ()
