"""The API served by uvicorn over a real socket, on SQLite and PostgreSQL (UX-1, POL-1)."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from covernote.api.app import create_app
from covernote.identity.usecases import create_user
from tests.e2e.conftest import quote_body
from tests.support import new_customer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_quote_bind_cancel_over_a_real_socket(db_ctx):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db_ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        _, token = create_user(db_ctx, "Staff", "staff")
        cid = new_customer(db_ctx)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as http:
            q = http.post("/quotes", json=quote_body(cid)).json()
            p = http.post("/policies", json={"quote_id": q["id"], "payment": {"token": "tok_visa"}},
                          headers={"Idempotency-Key": "socket-bind-1"})
            assert p.status_code == 201
            pid = p.json()["id"]
            c = http.post(f"/policies/{pid}/cancellations", json={"effective_date": "2026-11-22", "reason": "test"}).json()
            done = http.post(f"/policies/{pid}/cancellations/{c['id']}/confirm", headers={"Idempotency-Key": "socket-c-1"})
            assert done.status_code == 200
            # Cancelled from the first day within cooling-off: everything back except the 35.00 fee (FEE-1).
            assert done.json()["refund"]["refund_total"] == f"{float(q['total_payable']) - 35:.2f}"
            assert http.get("/ledger/reconciliation").json()["ok"] is True
    finally:
        server.should_exit = True
        thread.join(timeout=10)
