"""The photo store on local disk (TEL-1): installation photos as files under a folder of the data directory,
behind telematics/ports/devices.py PhotoStore (an object store could replace it behind the same port).

Keys are relative paths of safe segments (letters, digits, `.`, `_`, `-`), so a key can never reach outside
the folder. Each file is written under a hidden temporary name, flushed and renamed into place, so a reader
never sees half a photo; files are created 0600 as they show the inside of a customer's vehicle.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")


class LocalPhotoStore:
    """Photos as files under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not parts or any(not _SEGMENT.match(p) or p in (".", "..") for p in parts):
            raise ValueError(f"not a usable photo key: {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return hashlib.sha256(data).hexdigest()

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise KeyError(key) from exc
