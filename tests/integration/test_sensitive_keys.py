"""Master key rotation on SQLite and PostgreSQL (PRV-11): every data key re-wrapped in batches, values
still decrypt, a rerun is a no-op, an interrupted run is finished (not restarted), old master keys are
retired only when no data key uses them; and the file keyring shared by several processes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from covernote.identity.usecases import SYSTEM, Principal
from covernote.kernel.errors import Forbidden, ServiceUnavailable, ValidationFailed
from covernote.privacy.adapters.keyring import FileKeyring, InMemoryKeyring
from covernote.privacy.usecases import sensitive
from covernote.store.tables import sensitive_data, subject_keys
from tests.support import new_customer

DPO = Principal("usr_dpo", "dpo")
LICENCES = ["MORGA753116SM9IJ", "SMITH802155JA9AB", "LEE99611029JB7AB", "JONES560020AB1CD", "BROWN905309DE2EF"]


def _keys(ctx: Any) -> dict[str, dict[str, Any]]:
    with ctx.uow.engine.connect() as conn:
        return {r["customer_id"]: dict(r) for r in conn.execute(sa.select(subject_keys)).mappings()}


def _ciphertexts(ctx: Any) -> dict[str, str]:
    with ctx.uow.engine.connect() as conn:
        return {r.id: r.licence_number for r in conn.execute(sa.select(sensitive_data))}


def _seed(ctx: Any, n: int = 5) -> list[str]:
    ids = []
    for i in range(n):
        cid = new_customer(ctx, f"Person {i}")
        sensitive.record(ctx, SYSTEM, cid, "policyholder", licence_number=LICENCES[i],
                         convictions=[{"code": "SP30", "date": "2024-01-01", "points": 3}])
        ids.append(cid)
    return ids


def _licences(ctx: Any, ids: list[str]) -> list[str]:
    return [sensitive.read(ctx, DPO, cid, purpose="key check")["people"][0]["licence_number"] for cid in ids]


def test_prv11_rotation_rewraps_every_key_in_batches_and_values_still_decrypt(db_ctx, clock):
    ids = _seed(db_ctx)
    old = db_ctx.keyring.primary_key_id()
    before, cipher_before = _keys(db_ctx), _ciphertexts(db_ctx)
    clock.advance(timedelta(hours=1))
    report = sensitive.rotate_keys(db_ctx, SYSTEM, batch=2)
    new = db_ctx.keyring.primary_key_id()
    assert new != old and report["new_master_key"] == new and report["primary_master_key"] == new
    assert report["rewrapped"] == 5 and report["batches"] == 3 and report["failed"] == []
    assert report["resumed"] is False and report["data_keys_by_master_key"] == {new: 5}
    assert report["old_keys_kept"] == {old: 0} and report["retired"] == []
    after = _keys(db_ctx)
    assert all(k["master_key_id"] == new and k["rotated_at"] == clock.now() for k in after.values())
    assert all(after[c]["wrapped_key"] != before[c]["wrapped_key"] for c in ids)
    assert _ciphertexts(db_ctx) == cipher_before  # the values are not re-encrypted: their data keys are the same
    assert _licences(db_ctx, ids) == LICENCES
    # a rerun that only finishes re-wrapping has nothing to do
    again = sensitive.rotate_keys(db_ctx, SYSTEM, new_key=False)
    assert (again["rewrapped"], again["batches"], again["new_master_key"]) == (0, 0, None)
    assert db_ctx.keyring.primary_key_id() == new and _keys(db_ctx) == after


def test_prv11_only_an_administrator_rotates(db_ctx):
    _seed(db_ctx, 1)
    for role in ("dpo", "staff", "underwriter", "customer"):
        with pytest.raises(Forbidden):
            sensitive.rotate_keys(db_ctx, Principal("u", role))  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as err:
        sensitive.rotate_keys(db_ctx, SYSTEM, batch=0)
    assert err.value.issues[0].field == "batch"
    assert len(db_ctx.keyring.key_ids()) == 1


class _Crashing:
    """Delegates to a keyring, and fails on the n-th wrap: the process was killed part-way."""

    def __init__(self, inner: InMemoryKeyring, fail_on_wrap: int) -> None:
        self.inner = inner
        self.wraps = 0
        self.fail_on_wrap = fail_on_wrap

    def wrap(self, data_key: bytes) -> tuple[str, str]:
        self.wraps += 1
        if self.wraps == self.fail_on_wrap:
            raise KeyboardInterrupt("killed")
        return self.inner.wrap(data_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_prv11_a_killed_rotation_is_finished_by_the_rerun_without_another_key(db_ctx, monkeypatch):
    ids = _seed(db_ctx)
    keyring = db_ctx.keyring
    old = keyring.primary_key_id()
    monkeypatch.setattr(db_ctx, "keyring", _Crashing(keyring, fail_on_wrap=3))
    with pytest.raises(KeyboardInterrupt):
        sensitive.rotate_keys(db_ctx, SYSTEM, batch=2)
    new = keyring.primary_key_id()
    counts: dict[str, int] = {}
    for k in _keys(db_ctx).values():
        counts[k["master_key_id"]] = counts.get(k["master_key_id"], 0) + 1
    assert counts == {new: 2, old: 3}  # the first batch was committed, the second rolled back
    assert _licences(db_ctx, ids) == LICENCES  # both generations still open
    monkeypatch.setattr(db_ctx, "keyring", keyring)
    report = sensitive.rotate_keys(db_ctx, SYSTEM, batch=2, retire_old=True)
    assert report["resumed"] is True and report["new_master_key"] is None
    assert report["rewrapped"] == 3 and report["retired"] == [old]
    assert keyring.key_ids() == [new] and {k["master_key_id"] for k in _keys(db_ctx).values()} == {new}
    assert _licences(db_ctx, ids) == LICENCES


def test_prv11_retire_removes_an_old_master_key_only_when_no_data_key_uses_it(db_ctx):
    ids = _seed(db_ctx, 3)
    first = db_ctx.keyring.primary_key_id()
    sensitive.rotate_keys(db_ctx, SYSTEM)
    second = db_ctx.keyring.primary_key_id()
    # one customer's wrapped key is damaged: it cannot be re-wrapped, so its master key stays in use
    with db_ctx.uow.engine.begin() as conn:
        conn.execute(subject_keys.update().where(subject_keys.c.customer_id == ids[0])
                     .values(wrapped_key=_keys(db_ctx)[ids[1]]["wrapped_key"][:-8] + "AAAAAAAA"))
    report = sensitive.rotate_keys(db_ctx, SYSTEM, retire_old=True)
    third = db_ctx.keyring.primary_key_id()
    assert report["rewrapped"] == 2
    assert report["failed"] == [{"customer_id": ids[0], "master_key_id": second,
                                 "reason": "the wrapped key does not open with that master key"}]
    assert report["retired"] == [first] and report["old_keys_kept"] == {second: 1}
    assert sorted(db_ctx.keyring.key_ids()) == sorted([second, third])
    assert _licences(db_ctx, ids[1:]) == LICENCES[1:3]
    with pytest.raises(ServiceUnavailable):
        _licences(db_ctx, ids[:1])


def test_prv11_keys_under_a_missing_master_key_are_reported_and_the_run_ends(db_ctx, monkeypatch):
    ids = _seed(db_ctx, 3)
    monkeypatch.setattr(db_ctx, "keyring", InMemoryKeyring())  # the keyring file was replaced by mistake
    report = sensitive.rotate_keys(db_ctx, SYSTEM, batch=1, retire_old=True)
    assert report["rewrapped"] == 0 and len(report["failed"]) == 3 and report["batches"] == 3
    assert {f["reason"] for f in report["failed"]} == {"that master key is not in the keyring"}
    with pytest.raises(ServiceUnavailable) as err:
        sensitive.read(db_ctx, DPO, ids[0], purpose="audit")
    assert "not in the keyring" in err.value.message


# -- the file keyring, shared by processes --------------------------------------------------------------


def test_prv11_file_keyring_sees_a_rotation_made_by_another_process(tmp_path: Path):
    path = tmp_path / "keys" / "keyring.json"
    server, cli = FileKeyring(path), FileKeyring(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    old = server.primary_key_id()
    data_key = server.new_data_key()
    old_wrap = server.wrap(data_key)
    new = cli.rotate()
    assert server.primary_key_id() == new  # the server reloads the changed file
    new_wrap = cli.wrap(data_key)
    assert server.wrap(data_key)[0] == new and server.unwrap(*new_wrap) == data_key
    cli.retire(old)
    assert server.key_ids() == [new]
    with pytest.raises(KeyError):
        server.unwrap(*old_wrap)
    assert server.keyed_hash("x") == cli.keyed_hash("x")


def test_prv11_two_rotations_at_once_lose_no_key(tmp_path: Path):
    path = tmp_path / "keyring.json"
    a, b = FileKeyring(path), FileKeyring(path)
    first = a.primary_key_id()
    ka = a.rotate()
    kb = b.rotate()  # b had not looked at the file since a's rotation
    saved = json.loads(path.read_text())
    assert set(saved["master_keys"]) == {first, ka, kb} and saved["primary"] == kb
    assert set(a.key_ids()) == {first, ka, kb}
