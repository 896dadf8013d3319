"""Issue 13, item 7: after a bad request, and after a server error, the same keep-alive connection still
answers, on a real uvicorn server (the stack `covernote serve` runs) over SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from covernote.api.app import create_app
from covernote.cli.main import server_stack
from covernote.identity.usecases import create_user
from tests.servers import free_port


@pytest.fixture
def served(db_ctx: Any) -> Iterator[tuple[Any, str]]:
    """The app over a real socket, with a route that fails as a bug would."""
    app = create_app(db_ctx)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test-only/broken", broken)
    port = free_port()
    loop, http_parser = server_stack()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", loop=loop,
                                           http=http_parser))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        yield db_ctx, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _peer(r: httpx.Response) -> Any:
    """The client end of the connection the answer came on."""
    return r.extensions["network_stream"].get_extra_info("client_addr")


def test_issue13_item7_the_keep_alive_connection_answers_after_a_bad_page_and_after_a_500(served):
    ctx, url = served
    _, token = create_user(ctx, "Staff", "staff")
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)) as http:
        first = http.get("/claims")
        assert first.status_code == 200
        for path in ("/claims?offset=9223372036854775808", "/mid/updates?offset=9223372036854775808",
                     "/cue/reports?offset=9223372036854775808", "/fraud/referrals?offset=9223372036854775808"):
            bad = http.get(path)
            assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "offset", bad.text
            after = http.get("/claims")
            assert after.status_code == 200 and _peer(after) == _peer(first)  # the same connection
        bug = http.get("/test-only/broken")
        assert bug.status_code == 500 and bug.headers["content-type"] == "application/problem+json"
        # Starlette re-raised the error to uvicorn after answering, and uvicorn dropped the connection: the
        # next request on it was reset. Now the connection stays open and answers.
        after = http.get("/claims")
        assert after.status_code == 200 and _peer(after) == _peer(first)
