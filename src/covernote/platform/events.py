"""Running the handlers of the events a unit of work collected (kernel/events.py). The registry of
handlers is built in one place, `covernote.bootstrap.EVENT_HANDLERS`, and carried by the AppContext."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from covernote.kernel.events import Event

if TYPE_CHECKING:
    from covernote.platform.context import AppContext
    from covernote.platform.uow import UnitOfWork

Handler = Callable[["AppContext", "UnitOfWork", Any], None]
Handlers = Mapping[type[Event], Sequence[Handler]]

MAX_ROUNDS = 20  # a handler may publish further events; a chain longer than this is a loop (a bug)


def handle_events(ctx: AppContext, uow: UnitOfWork) -> None:
    """Run, in `uow`'s transaction, every registered handler of each event `uow` collected, in the order
    published and registered, until no event is left. A handler's exception propagates, so the unit of
    work rolls back with everything the use case wrote."""
    for _ in range(MAX_ROUNDS):
        events = uow.collect_events()
        if not events:
            return
        for event in events:
            for handler in ctx.handlers.get(type(event), ()):
                handler(ctx, uow, event)
    raise RuntimeError(f"event handlers were still publishing events after {MAX_ROUNDS} rounds")


class DispatchingFactory:
    """The unit of work factory an AppContext hands out: each unit of work it opens runs the context's
    event handlers (with that context's clock and adapters) just before it commits."""

    def __init__(self, inner: Any, ctx: AppContext) -> None:
        self.inner = inner
        self._ctx = ctx

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        uow = self.inner(read_only=read_only)
        uow.before_commit = self._before_commit
        return uow  # type: ignore[no-any-return]

    def _before_commit(self, uow: UnitOfWork) -> None:
        handle_events(self._ctx, uow)

    def __getattr__(self, name: str) -> Any:  # the engine and the rest of the wrapped factory
        return getattr(self.inner, name)
