"""Master keys for encryption at rest (PRV-11), kept in a file outside the database.

Each person's sensitive fields are encrypted with their own data key (Fernet: AES-128-CBC with
HMAC-SHA256); the data key is stored in the database wrapped by a master key from this keyring.
Rotation adds a new primary master key; wrapped data keys are re-wrapped under it by
`covernote privacy rotate-keys`, after which an old master key can be retired. Deleting a person's
wrapped data key makes their sensitive fields unreadable for good (encrypt-then-drop-key erasure).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process lock
    fcntl = None  # type: ignore[assignment]

from cryptography.fernet import Fernet, InvalidToken


class KeyringUnsafe(Exception):
    """The keyring file can be read or changed by others than its owner (issue 13, item 15)."""


def check_private(path: Path) -> None:
    """Refuse a keyring file that group or others may read or change: it holds the master keys of every
    sensitive field. Names the path, its mode and the fix."""
    if os.name != "posix":  # pragma: no cover - no POSIX modes
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyringUnsafe(f"the keyring {path} can be read or changed by others than its owner (mode {mode:04o}); "
                            f"it holds the master keys of every sensitive field: make it private with "
                            f"'chmod 600 {path}'")


def _new_key_id() -> str:
    return "mk_" + secrets.token_hex(6)


class InMemoryKeyring:
    """The keyring's behaviour, with keys held in memory (tests and the file keyring's core)."""

    def __init__(self, master_keys: dict[str, str] | None = None, primary: str | None = None,
                 hash_secret: str | None = None) -> None:
        self._keys: dict[str, str] = dict(master_keys or {})
        if not self._keys:
            kid = _new_key_id()
            self._keys[kid] = Fernet.generate_key().decode()
            primary = kid
        self._primary = primary or next(iter(self._keys))
        if self._primary not in self._keys:
            raise ValueError(f"the primary key {self._primary} is not in the keyring")
        self._hash_secret = hash_secret or secrets.token_hex(32)

    def primary_key_id(self) -> str:
        return self._primary

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def new_data_key(self) -> bytes:
        return Fernet.generate_key()

    def wrap(self, data_key: bytes) -> tuple[str, str]:
        return self._primary, Fernet(self._keys[self._primary].encode()).encrypt(data_key).decode()

    def unwrap(self, master_key_id: str, wrapped: str) -> bytes:
        key = self._keys[master_key_id]  # KeyError: the master key was retired before re-wrapping
        return Fernet(key.encode()).decrypt(wrapped.encode())

    def encrypt(self, data_key: bytes, plaintext: str) -> str:
        return Fernet(data_key).encrypt(plaintext.encode("utf-8")).decode()

    def decrypt(self, data_key: bytes, token: str) -> str:
        return Fernet(data_key).decrypt(token.encode()).decode("utf-8")

    def keyed_hash(self, value: str) -> str:
        return hmac.digest(self._hash_secret.encode(), value.encode("utf-8"), "sha256").hex()

    def rotate(self) -> str:
        kid = _new_key_id()
        self._keys[kid] = Fernet.generate_key().decode()
        self._primary = kid
        self._saved()
        return kid

    def retire(self, key_id: str) -> None:
        """Remove a master key that no wrapped data key uses any more."""
        if key_id == self._primary:
            raise ValueError("the primary key cannot be retired; rotate first")
        self._keys.pop(key_id)
        self._saved()

    def _saved(self) -> None:
        """Persist after a change (nothing to do in memory)."""

    def as_dict(self) -> dict[str, Any]:
        return {"primary": self._primary, "master_keys": self._keys, "hash_secret": self._hash_secret}


class FileKeyring(InMemoryKeyring):
    """A keyring kept in a JSON file readable only by its owner (created 0600 on first use; an existing file
    that group or others may read is refused, KeyringUnsafe). In production,
    point COVERNOTE_KEYRING at a file provisioned from a secrets manager, not next to the database.

    Several processes share the file (the API server, the CLI, the jobs): each notices when the file
    changed (a rotation or retirement by `covernote privacy rotate-keys`) and reloads it before using a
    key, so a running server wraps new data keys under the new primary key at once and can open keys
    re-wrapped by another process. Changes are made under an exclusive lock on a `.lock` file, reading
    the file afresh first, so two rotations at once cannot lose a key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        with self._locked():
            if path.exists():
                check_private(path)
                data = json.loads(path.read_text())
                super().__init__(data["master_keys"], data["primary"], data["hash_secret"])
                self._stamp = self._file_stamp()
            else:
                super().__init__()
                self._saved()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_ino, st.st_size

    def _reload_if_changed(self) -> None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return
        data = json.loads(self.path.read_text())
        self._keys = dict(data["master_keys"])
        self._primary = data["primary"]
        self._hash_secret = data["hash_secret"]
        self._stamp = stamp

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def primary_key_id(self) -> str:
        self._reload_if_changed()
        return super().primary_key_id()

    def key_ids(self) -> list[str]:
        self._reload_if_changed()
        return super().key_ids()

    def wrap(self, data_key: bytes) -> tuple[str, str]:
        self._reload_if_changed()
        return super().wrap(data_key)

    def unwrap(self, master_key_id: str, wrapped: str) -> bytes:
        self._reload_if_changed()
        return super().unwrap(master_key_id, wrapped)

    def rotate(self) -> str:
        with self._locked():
            self._stamp = None  # read the file afresh: another process may have changed it
            self._reload_if_changed()
            return super().rotate()

    def retire(self, key_id: str) -> None:
        with self._locked():
            self._stamp = None
            self._reload_if_changed()
            super().retire(key_id)

    def _saved(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # a left-over .tmp keeps its mode through O_CREAT
        with os.fdopen(fd, "w") as f:
            json.dump(self.as_dict(), f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._stamp = self._file_stamp()


__all__ = ["FileKeyring", "InMemoryKeyring", "InvalidToken", "KeyringUnsafe", "check_private"]
