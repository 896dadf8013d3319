"""Sensitive fields through the REST API and the command line (PRV-7, PRV-9, PRV-11, SEC-2): problem
documents naming the field, 403 for roles that do not need the values, every read in the log, key
rotation by an administrator, and `covernote privacy rotate-keys` / `sensitive-reads`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from covernote.cli.main import app as cli_app
from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.policy.usecases import customers
from covernote.privacy.usecases import sensitive
from covernote.store.tables import sensitive_data, sensitive_reads

LICENCE = "MORGA753116SM9IJ"
BODY = {"licence_number": "morga 753116 sm9ij",
        "health": [{"condition": "Type 1 diabetes", "notified_to_dvla": True}],
        "convictions": [{"code": "SP30", "date": "2024-05-17", "points": 3}],
        "bank_details": {"sort_code": "40-47-84", "account_number": "70872490", "account_name": "Carol Customer"}}


def _put(api: Any, path: str, body: Any, token: str | None = None) -> Any:
    return api.client.put(path, json=body, headers=api.headers(token))


@pytest.fixture
def people(api):  # type: ignore[no-untyped-def]
    _, underwriter = create_user(api.ctx, "Uma Underwriter", "underwriter")
    _, dpo = create_user(api.ctx, "Dee DPO", "dpo")
    other = customers.create_customer(api.ctx, SYSTEM, name="Otto Other", email="otto@example.org",
                                      address="2 Low Road, York", postcode="YO1 7HH")["id"]
    _, other_token = create_user(api.ctx, "Otto", "customer", other)
    return {"underwriter": underwriter, "dpo": dpo, "other": other, "other_token": other_token}


def _log(api: Any) -> list[dict[str, Any]]:
    with api.ctx.uow.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(sensitive_reads)
                                              .order_by(sensitive_reads.c.at, sensitive_reads.c.id)).mappings()]


def test_prv11_customer_records_own_sensitive_data_and_it_is_stored_encrypted(api, people):
    base = f"/customers/{api.customer_id}/sensitive"
    r = _put(api, f"{base}/policyholder", BODY, api.customer)
    assert r.status_code == 200, r.json()
    assert r.json()["fields_present"] == list(sensitive.FIELDS) and "MORGA" not in r.text
    r = _put(api, f"{base}/d2", {"licence_number": "LEE99611029JB7AB"}, api.customer)
    assert r.json()["subject"] == "named_driver" and r.json()["provided_by"] == "policyholder"  # PRV-9
    with api.ctx.uow.engine.connect() as conn:
        raw = " ".join(str(v) for row in conn.execute(sa.select(sensitive_data)) for v in row)
    for plain in (LICENCE, "diabetes", "SP30", "70872490", "404784", "Carol Customer", "LEE99"):
        assert plain.lower() not in raw.lower()
    # another customer's record does not exist for this customer; staff may write
    assert _put(api, f"/customers/{people['other']}/sensitive/policyholder", BODY, api.customer).status_code == 404
    assert _put(api, f"/customers/{people['other']}/sensitive/policyholder", BODY).status_code == 200


def test_prv7_sec2_readers_get_values_and_are_logged_others_get_403(api, people):
    base = f"/customers/{api.customer_id}/sensitive"
    assert _put(api, f"{base}/policyholder", BODY).status_code == 200
    for role in ("underwriter", "dpo"):
        r = api.get(f"{base}?purpose=underwriting", people[role])
        assert r.status_code == 200, r.json()
        holder = r.json()["people"][0]
        assert holder["licence_number"] == LICENCE and holder["convictions"][0]["code"] == "SP30"
    assert [(x["role"], x["purpose"]) for x in _log(api)] == [("underwriter", "underwriting"), ("dpo", "underwriting")]
    for token in (api.staff, api.admin):
        r = api.get(f"{base}?purpose=underwriting", token)
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
        assert "PRV-7" in r.json()["detail"] and r.json()["errors"][0]["field"] == "role"
        assert api.get(f"{base}/policyholder?purpose=underwriting", token).status_code == 403
        summary = api.get(f"{base}/summary", token)
        assert summary.status_code == 200 and LICENCE not in summary.text
        assert summary.json()["people"][0]["fields_present"] == list(sensitive.FIELDS)
    r = api.get(base, people["underwriter"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "purpose"
    assert len(_log(api)) == 2  # refusals are not reads
    mine = api.get(f"{base}/policyholder", api.customer)
    assert mine.status_code == 200 and mine.json()["purpose"] == "own_data"
    assert api.get(base, people["other_token"]).status_code == 404
    assert api.get(f"{base}/d7?purpose=x", people["dpo"]).status_code == 404
    assert len(_log(api)) == 3


def test_sec2_read_log_endpoint(api, people):
    base = f"/customers/{api.customer_id}"
    _put(api, f"{base}/sensitive/policyholder", BODY)
    api.get(f"{base}/sensitive/policyholder?purpose=claim%20FNOL-123", people["underwriter"])
    for token in (people["dpo"], api.admin, api.customer):
        r = api.get(f"{base}/sensitive-reads", token)
        assert r.status_code == 200
        assert [(x["role"], x["fields"], x["purpose"]) for x in r.json()["reads"]] == [
            ("underwriter", list(sensitive.FIELDS), "claim FNOL-123")]
    assert api.get(f"{base}/sensitive-reads", api.staff).status_code == 403
    assert api.get(f"{base}/sensitive-reads", people["underwriter"]).status_code == 403
    assert api.get(f"{base}/sensitive-reads", people["other_token"]).status_code == 404
    assert api.get(f"{base}/sensitive-reads?limit=0", people["dpo"]).status_code == 422


def test_prv11_bad_input_is_a_problem_naming_the_field(api):
    base = f"/customers/{api.customer_id}/sensitive"
    r = _put(api, f"{base}/policyholder", {"convictions": [{"code": "SP30", "date": "2024-01-01", "points": 3},
                                                            {"code": "SPEEDING", "date": "2024-01-01", "points": 3}]})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["convictions[1].code"]
    r = _put(api, f"{base}/policyholder", {"convictions": [{"code": "SP30", "date": "2024-02-30", "points": "x"}],
                                           "health": [{"condition": "x"}], "iban": "GB00"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {
        "convictions[0].date", "convictions[0].points", "health[0].notified_to_dvla", "iban"}
    r = _put(api, f"{base}/policyholder", {"licence_number": "MORGA7531"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "licence_number"
    assert "16 characters" in r.json()["errors"][0]["reason"]
    r = _put(api, f"{base}/summary", {"licence_number": LICENCE})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "person_ref"
    r = _put(api, f"{base}/policyholder", {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    assert _put(api, "/customers/cus_nobody/sensitive/policyholder", BODY).status_code == 404
    assert api.get(f"{base}/summary").json()["people"] == []  # nothing was written


def test_prv11_put_null_clears_and_omitted_fields_stay(api, people):
    path = f"/customers/{api.customer_id}/sensitive/policyholder"
    _put(api, path, BODY)
    r = _put(api, path, {"bank_details": None, "health": []})
    assert r.json()["cleared"] == ["bank_details"] and r.json()["updated"] == ["health"]
    holder = api.get(f"{path}?purpose=check", people["dpo"]).json()["people"][0]
    assert holder["bank_details"] is None and holder["health"] == [] and holder["licence_number"] == LICENCE


def test_prv11_rotate_keys_endpoint_for_administrators(api, people):
    _put(api, f"/customers/{api.customer_id}/sensitive/policyholder", BODY)
    old = api.ctx.keyring.primary_key_id()
    for token in (api.staff, people["dpo"], api.customer):
        assert api.post("/privacy/keys/rotate", {}, token).status_code == 403
    r = api.post("/privacy/keys/rotate", {"retire_old": True, "batch": 100}, api.admin)
    assert r.status_code == 200, r.json()
    assert r.json()["rewrapped"] == 1 and r.json()["retired"] == [old]
    assert api.ctx.keyring.key_ids() == [r.json()["primary_master_key"]]
    r = api.post("/privacy/keys/rotate", {"new_key": False}, api.admin)
    assert r.json()["rewrapped"] == 0 and r.json()["new_master_key"] is None
    assert api.post("/privacy/keys/rotate", {"batch": 0}, api.admin).json()["errors"][0]["field"] == "batch"
    holder = api.get(f"/customers/{api.customer_id}/sensitive?purpose=check", people["dpo"]).json()["people"][0]
    assert holder["licence_number"] == LICENCE


# -- the command line ----------------------------------------------------------------------------------


def test_prv11_cli_rotate_keys_and_sensitive_reads(tmp_path: Path, monkeypatch):
    """PRV-11, SEC-2: `covernote privacy rotate-keys` re-wraps under a new master key in the keyring file
    (a running process sees it), a rerun with --rewrap-only is a no-op, --retire-old removes the unused
    key; `covernote privacy sensitive-reads` lists the reads."""
    env = {"COVERNOTE_DATA_DIR": str(tmp_path / "var"), "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "COVERNOTE_KEYRING": str(tmp_path / "secrets" / "keyring.json")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def cli(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli_app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    cli("db", "upgrade")
    from covernote.bootstrap import build

    ctx = build()  # as a running server would: its keyring is loaded before the rotation
    cid = customers.create_customer(ctx, SYSTEM, name="Cli Person", email="cli@example.org",
                                    address="3 Mill Lane, Hull", postcode="HU1 1AA")["id"]
    sensitive.record(ctx, SYSTEM, cid, "policyholder", licence_number=LICENCE)
    old = ctx.keyring.primary_key_id()
    report = json.loads(cli("privacy", "rotate-keys", "--json"))
    assert report["rewrapped"] == 1 and report["new_master_key"] != old
    saved = json.loads(Path(env["COVERNOTE_KEYRING"]).read_text())
    assert saved["primary"] == report["new_master_key"] and set(saved["master_keys"]) == {old, saved["primary"]}
    again = json.loads(cli("privacy", "rotate-keys", "--rewrap-only", "--retire-old", "--json"))
    assert again["rewrapped"] == 0 and again["new_master_key"] is None and again["retired"] == [old]
    out = cli("privacy", "rotate-keys", "--retire-old")
    assert "data keys re-wrapped: 1" in out and "retired:" in out
    dpo = Principal("usr_dpo", "dpo")
    assert sensitive.read(ctx, dpo, cid, purpose="after rotation")["people"][0]["licence_number"] == LICENCE
    reads = json.loads(cli("privacy", "sensitive-reads", cid, "--json"))["reads"]
    assert [(r["user_id"], r["purpose"], r["fields"]) for r in reads] == [("usr_dpo", "after rotation", ["licence_number"])]
    assert "usr_dpo (dpo)  policyholder: licence_number  purpose after rotation" in cli("privacy", "sensitive-reads", cid)
    out = cli("privacy", "sensitive-reads", "cus_nobody", code=2)
    assert "error: no such customer" in out and "customer_id" in out
    assert "--batch" in cli("privacy", "rotate-keys", "--batch", "0", code=2)
    ctx.uow.engine.dispose()  # type: ignore[attr-defined]
