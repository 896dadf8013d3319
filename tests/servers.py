"""Starting a real server in a test: a free port on the loopback, and waiting for `/health` to answer while the
server process is still alive (its log shown when it died or never answered)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_health(proc: subprocess.Popen[bytes], port: int, log: Path, seconds: float = 60,
                    every: float = 0.1) -> None:
    """Return once `GET /health` answers 200; fail with the server's log if it exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(every)
