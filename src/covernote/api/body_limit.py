"""The request body limit (issue 13, item 8): a body larger than `Settings.max_body_bytes`
(COVERNOTE_MAX_BODY_BYTES, default 1 MiB) is answered 413 with a problem document before it is read.

A pure ASGI middleware, cheap per request: a declared Content-Length is judged at once, from the headers,
and the body is never read; a chunked body (no Content-Length) is counted as it arrives, and the request
is stopped at the first chunk that takes it over the limit, whatever the application had started to do
with it. Requests with a Content-Length within the limit pass untouched (the server holds them to it)."""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covernote.api.problems import problem


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int | None = None) -> None:
        if max_bytes is None:
            from covernote.settings import Settings

            max_bytes = Settings.from_env().max_body_bytes
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_bytes:
                    await self._refuse(scope, receive, send)
                    return
                await self.app(scope, receive, send)  # within the limit (the server refuses a malformed one)
                return
            if name == b"transfer-encoding":
                chunked = True
        if not chunked:  # no body
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        seen = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:  # whatever the application answers to a body cut short is replaced by the 413
                return
            started = True
            await send(message)

        with contextlib.suppress(_TooLarge):  # the application may also have turned it into an answer, dropped
            await self.app(scope, counting_receive, guarded_send)
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Connection: close, as the rest of the body is not read.
        response = problem(413, "body-too-large", f"the request body may be at most {self.max_bytes} bytes",
                           [{"field": "body", "reason": f"larger than {self.max_bytes} bytes"}],
                           {"Connection": "close"})
        await response(scope, receive, send)
