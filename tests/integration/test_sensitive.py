"""Sensitive fields on SQLite and PostgreSQL (PRV-7, PRV-9, PRV-11, SEC-2): encrypted at rest, readable
only by the roles that need them, every read logged, PUT semantics per field, named fields on bad input,
crypto-shredding erasure."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from covernote.identity.usecases import Principal
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.privacy.usecases import sensitive
from covernote.store.tables import customers, sensitive_data, sensitive_reads, subject_keys
from tests.support import new_customer

UNDERWRITER = Principal("usr_underwriter", "underwriter")
DPO = Principal("usr_dpo", "dpo")
STAFF = Principal("usr_staff", "staff")
ADMIN = Principal("usr_admin", "admin")

LICENCE = "MORGA753116SM9IJ"
HEALTH = [{"condition": "Epilepsy, controlled by medication", "notified_to_dvla": True}]
CONVICTIONS = [{"code": "SP30", "date": "2024-05-17", "points": 3}, {"code": "CU80", "date": "2025-02-01", "points": 6}]
BANK = {"sort_code": "40-47-84", "account_number": "70872490", "account_name": "Ann Example"}
DRIVER_LICENCE = "LEE99611029JB7AB"
PLAINTEXTS = [LICENCE, "Epilepsy", "medication", "SP30", "CU80", "2024-05-17", "404784", "40-47-84", "70872490",
              "Ann Example", "notified_to_dvla", "sort_code", DRIVER_LICENCE, "LEE99"]


def _customer(ctx: Any, name: str = "Ann Example") -> tuple[str, Principal]:
    cid = new_customer(ctx, name)
    return cid, Principal(f"usr_{cid}", "customer", cid)


def _full(ctx: Any, cid: str, by: Principal = STAFF) -> None:
    sensitive.record(ctx, by, cid, "policyholder", licence_number=LICENCE.lower(), health=HEALTH,
                     convictions=CONVICTIONS, bank_details=BANK)
    sensitive.record(ctx, by, cid, "d2", licence_number=DRIVER_LICENCE, convictions=[])


def _rows(ctx: Any, table: sa.Table, **where: Any) -> list[dict[str, Any]]:
    with ctx.uow.engine.connect() as conn:
        q = sa.select(table)
        for name, value in where.items():
            q = q.where(table.c[name] == value)
        return [dict(r) for r in conn.execute(q).mappings()]


def _reads(ctx: Any, cid: str) -> list[dict[str, Any]]:
    return sorted(_rows(ctx, sensitive_reads, customer_id=cid), key=lambda r: (r["at"], r["id"]))


# -- PRV-11: encrypted at rest ----------------------------------------------------------------------------


def test_prv11_raw_rows_hold_no_plaintext(db_ctx):
    """PRV-11: what is stored in sensitive_data (and subject_keys) contains none of the plaintext values."""
    cid, _ = _customer(db_ctx)
    _full(db_ctx, cid)
    rows = _rows(db_ctx, sensitive_data, customer_id=cid)
    assert {r["person_ref"] for r in rows} == {"policyholder", "d2"}
    holder = next(r for r in rows if r["person_ref"] == "policyholder")
    assert all(holder[f] for f in sensitive.FIELDS)  # every field is stored, as ciphertext
    dumped = " ".join(str(v) for r in rows + _rows(db_ctx, subject_keys, customer_id=cid) for v in r.values())
    for plain in PLAINTEXTS:
        assert plain not in dumped and plain.lower() not in dumped.lower()
    # the same value for two fields or two people never gives the same ciphertext (random IV)
    sensitive.record(db_ctx, STAFF, cid, "d3", licence_number=LICENCE)
    again = _rows(db_ctx, sensitive_data, customer_id=cid, person_ref="d3")[0]
    assert again["licence_number"] != holder["licence_number"]


def test_prv11_one_data_key_per_customer_wrapped_by_the_primary_master_key(db_ctx):
    """PRV-11: the first write creates the customer's data key, stored wrapped under the primary key."""
    cid, _ = _customer(db_ctx)
    assert _rows(db_ctx, subject_keys, customer_id=cid) == []
    _full(db_ctx, cid)
    keys = _rows(db_ctx, subject_keys, customer_id=cid)
    assert len(keys) == 1 and keys[0]["master_key_id"] == db_ctx.keyring.primary_key_id()
    assert keys[0]["created_at"] == db_ctx.clock.now() and keys[0]["rotated_at"] is None
    other, _ = _customer(db_ctx, "Bob Other")
    sensitive.record(db_ctx, STAFF, other, "policyholder", licence_number=LICENCE)
    assert _rows(db_ctx, subject_keys, customer_id=other)[0]["wrapped_key"] != keys[0]["wrapped_key"]


# -- PRV-7: only the roles that need them read them -------------------------------------------------------


@pytest.mark.parametrize("reader", [UNDERWRITER, DPO], ids=["underwriter", "dpo"])
def test_prv7_underwriter_and_dpo_read_decrypted_values_and_each_read_is_logged(db_ctx, reader):
    """PRV-7, SEC-2: an underwriter or the DPO reads the values; one log row per person read."""
    cid, _ = _customer(db_ctx)
    _full(db_ctx, cid)
    out = sensitive.read(db_ctx, reader, cid, purpose="underwriting")
    holder, driver = out["people"]
    assert holder["person_ref"] == "policyholder" and holder["subject"] == "customer"
    assert holder["licence_number"] == LICENCE
    assert holder["health"] == HEALTH and holder["convictions"] == CONVICTIONS
    assert holder["bank_details"] == {"sort_code": "404784", "account_number": "70872490", "account_name": "Ann Example"}
    # PRV-9: the named driver's data is flagged as given by the policyholder
    assert driver["subject"] == "named_driver" and driver["provided_by"] == "policyholder"
    assert driver["licence_number"] == DRIVER_LICENCE and driver["convictions"] == [] and driver["health"] is None
    log = _reads(db_ctx, cid)
    assert [(r["user_id"], r["role"], r["person_ref"], r["fields"], r["purpose"]) for r in log] == [
        (reader.user_id, reader.role, "policyholder", list(sensitive.FIELDS), "underwriting"),
        (reader.user_id, reader.role, "d2", ["licence_number", "convictions"], "underwriting")]
    assert all(r["at"] == db_ctx.clock.now() for r in log)
    sensitive.read(db_ctx, reader, cid, "d2", purpose="claim")
    assert [(r["person_ref"], r["purpose"]) for r in _reads(db_ctx, cid)][2:] == [("d2", "claim")]


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_prv7_staff_and_admin_are_refused_and_nothing_is_logged(db_ctx, role):
    """PRV-7: administrators and staff do not need the values: 403 naming why, no log row; the summary
    tells them which fields are held, without values."""
    cid, _ = _customer(db_ctx)
    _full(db_ctx, cid)
    who = Principal(f"usr_{role}", role)  # type: ignore[arg-type]
    with pytest.raises(Forbidden) as refused:
        sensitive.read(db_ctx, who, cid, purpose="underwriting")
    assert "PRV-7" in refused.value.message and refused.value.issues[0].field == "role"
    with pytest.raises(Forbidden):
        sensitive.read(db_ctx, who, cid, "policyholder", purpose="underwriting")
    assert _reads(db_ctx, cid) == []
    summary = sensitive.summary(db_ctx, who, cid)
    assert [(p["person_ref"], p["fields_present"]) for p in summary["people"]] == [
        ("policyholder", list(sensitive.FIELDS)), ("d2", ["licence_number", "convictions"])]
    assert LICENCE not in str(summary) and "Epilepsy" not in str(summary)
    assert _reads(db_ctx, cid) == []


def test_prv7_customer_reads_their_own_and_not_another_customers(db_ctx):
    """PRV-7, SEC-1: the customer reads their own (logged as own_data); another customer's is a 404."""
    cid, me = _customer(db_ctx)
    other, them = _customer(db_ctx, "Bob Other")
    sensitive.record(db_ctx, me, cid, "policyholder", licence_number=LICENCE, health=[])
    _full(db_ctx, other)
    mine = sensitive.read(db_ctx, me, cid)
    assert [p["licence_number"] for p in mine["people"]] == [LICENCE]
    assert mine["people"][0]["health"] == [] and mine["purpose"] == "own_data"
    assert [(r["role"], r["purpose"]) for r in _reads(db_ctx, cid)] == [("customer", "own_data")]
    for call in (lambda: sensitive.read(db_ctx, me, other),
                 lambda: sensitive.summary(db_ctx, me, other),
                 lambda: sensitive.reads_log(db_ctx, me, other),
                 lambda: sensitive.record(db_ctx, me, other, "policyholder", licence_number=LICENCE)):
        with pytest.raises(NotFound):
            call()
    assert _reads(db_ctx, other) == []
    assert sensitive.read(db_ctx, them, other)["people"][0]["licence_number"] == LICENCE


def test_sec2_purpose_is_required_for_staff_and_checked(db_ctx):
    """SEC-2: staff say why they read; a refused read (no purpose, bad purpose) logs nothing."""
    cid, _ = _customer(db_ctx)
    _full(db_ctx, cid)
    for bad in (None, "  ", "x" * 61, "under\nwriting"):
        with pytest.raises(ValidationFailed) as err:
            sensitive.read(db_ctx, UNDERWRITER, cid, purpose=bad)
        assert err.value.issues[0].field == "purpose"
    assert _reads(db_ctx, cid) == []
    assert sensitive.read(db_ctx, UNDERWRITER, cid, purpose=" fraud review ")["purpose"] == "fraud review"


def test_sec2_read_of_unknown_customer_or_person_is_404_and_not_logged(db_ctx):
    cid, _ = _customer(db_ctx)
    with pytest.raises(NotFound):
        sensitive.read(db_ctx, DPO, "cus_nobody", purpose="audit")
    with pytest.raises(NotFound) as err:
        sensitive.read(db_ctx, DPO, cid, "d9", purpose="audit")
    assert err.value.issues[0].field == "person_ref"
    assert sensitive.read(db_ctx, DPO, cid, purpose="audit")["people"] == []  # nothing held, nothing logged
    assert _reads(db_ctx, cid) == []


def test_sec2_the_log_is_committed_before_the_values_are_returned(db_ctx, monkeypatch):
    """SEC-2: if the log row cannot be committed, the values are not returned."""
    cid, _ = _customer(db_ctx)
    _full(db_ctx, cid)
    real = db_ctx.uow

    class FailingCommit:
        def __init__(self, *, read_only: bool = False) -> None:
            self.inner = real(read_only=read_only)

        def __enter__(self) -> Any:
            uow = self.inner.__enter__()
            uow.commit = self.fail  # type: ignore[method-assign]
            return uow

        def __exit__(self, *exc: Any) -> None:
            self.inner.__exit__(*exc)

        def fail(self) -> None:
            raise Conflict("the database refused the change; retry")

    monkeypatch.setattr(db_ctx, "uow", FailingCommit)
    with pytest.raises(Conflict):
        sensitive.read(db_ctx, UNDERWRITER, cid, purpose="underwriting")
    monkeypatch.setattr(db_ctx, "uow", real)
    assert _reads(db_ctx, cid) == []


def test_sec2_reads_log_for_dpo_admin_and_the_customer_only(db_ctx):
    """SEC-2: the read log of one customer, to the DPO, an administrator and the customer themselves."""
    cid, me = _customer(db_ctx)
    _full(db_ctx, cid)
    sensitive.read(db_ctx, UNDERWRITER, cid, "policyholder", purpose="underwriting")
    sensitive.read(db_ctx, me, cid, "d2")
    for who in (DPO, ADMIN, me):
        log = sensitive.reads_log(db_ctx, who, cid)["reads"]
        assert [(r["user_id"], r["person_ref"], r["purpose"]) for r in log] == [
            (UNDERWRITER.user_id, "policyholder", "underwriting"), (me.user_id, "d2", "own_data")]
    for who in (STAFF, UNDERWRITER):
        with pytest.raises(Forbidden):
            sensitive.reads_log(db_ctx, who, cid)
    assert len(sensitive.reads_log(db_ctx, DPO, cid, limit=1, offset=1)["reads"]) == 1
    with pytest.raises(ValidationFailed):
        sensitive.reads_log(db_ctx, DPO, cid, limit=0)
    with pytest.raises(NotFound):
        sensitive.reads_log(db_ctx, DPO, "cus_nobody")


# -- PUT semantics and validation ---------------------------------------------------------------------------


def test_prv11_put_per_field_given_replace_omitted_stay_null_clears(db_ctx):
    cid, me = _customer(db_ctx)
    _full(db_ctx, cid)
    before = _rows(db_ctx, sensitive_data, customer_id=cid, person_ref="policyholder")[0]
    out = sensitive.record(db_ctx, me, cid, "policyholder", convictions=[], bank_details=None)
    assert out["updated"] == ["convictions"] and out["cleared"] == ["bank_details"]
    assert out["fields_present"] == ["licence_number", "health", "convictions"] and out["updated_by"] == me.user_id
    after = _rows(db_ctx, sensitive_data, customer_id=cid, person_ref="policyholder")[0]
    assert after["licence_number"] == before["licence_number"] and after["health"] == before["health"]
    assert after["bank_details"] is None and after["updated_by"] == me.user_id
    holder = sensitive.read(db_ctx, DPO, cid, "policyholder", purpose="check")["people"][0]
    assert holder["licence_number"] == LICENCE and holder["health"] == HEALTH
    assert holder["convictions"] == [] and holder["bank_details"] is None
    assert _reads(db_ctx, cid)[-1]["fields"] == ["licence_number", "health", "convictions"]
    assert len(_rows(db_ctx, subject_keys, customer_id=cid)) == 1  # the same data key throughout


@pytest.mark.parametrize(("fields", "expected"), [
    ({"licence_number": "MORGA753116SM9I"}, "licence_number"),
    ({"licence_number": "MORG1753116SM9IJ"}, "licence_number"),
    ({"licence_number": "MORGA713116SM9IJ"}, "licence_number"),  # month 13
    ({"licence_number": 1234}, "licence_number"),
    ({"health": {"condition": "x"}}, "health"),
    ({"health": [{"condition": "Diabetes", "notified_to_dvla": "yes"}]}, "health[0].notified_to_dvla"),
    ({"health": [{"condition": " ", "notified_to_dvla": True}]}, "health[0].condition"),
    ({"health": [{"condition": "Diabetes", "notified_to_dvla": True, "since": "2020"}]}, "health[0].since"),
    ({"convictions": [{"code": "SP30", "date": "2024-01-01", "points": 3},
                      {"code": "SPEED", "date": "2024-01-01", "points": 3}]}, "convictions[1].code"),
    ({"convictions": [{"code": "DR10", "date": "2026-11-23", "points": 3}]}, "convictions[0].date"),
    ({"convictions": [{"code": "DR10", "date": "23/11/2020", "points": 3}]}, "convictions[0].date"),
    ({"convictions": [{"code": "DR10", "date": "2020-11-23", "points": 12}]}, "convictions[0].points"),
    ({"convictions": [{"code": "DR10", "date": "2020-11-23", "points": True}]}, "convictions[0].points"),
    ({"convictions": ["DR10"]}, "convictions[0]"),
    ({"bank_details": {"sort_code": "12-34-5", "account_number": "12345678", "account_name": "A"}},
     "bank_details.sort_code"),
    ({"bank_details": {"sort_code": "123456", "account_number": "1234567", "account_name": "A"}},
     "bank_details.account_number"),
    ({"bank_details": {"sort_code": "123456", "account_number": "12345678"}}, "bank_details.account_name"),
    ({"passport": "123"}, "passport"),
    ({}, "body"),
])
def test_prv11_validation_names_the_field_and_writes_nothing(db_ctx, fields, expected):
    """Bad input names each field and the reason; nothing is written (not even a data key)."""
    cid, _ = _customer(db_ctx)
    with pytest.raises(ValidationFailed) as err:
        sensitive.record(db_ctx, STAFF, cid, "policyholder", **fields)
    assert expected in [i.field for i in err.value.issues], err.value.issues
    assert _rows(db_ctx, sensitive_data, customer_id=cid) == []
    assert _rows(db_ctx, subject_keys, customer_id=cid) == []


def test_prv11_validation_names_every_field_at_once(db_ctx):
    cid, _ = _customer(db_ctx)
    with pytest.raises(ValidationFailed) as err:
        sensitive.record(db_ctx, STAFF, cid, "policyholder", licence_number="NOPE",
                         convictions=[{"code": "SP30", "date": "2024-01-01", "points": 3},
                                      {"code": "S30", "date": "2099-01-01", "points": -1}],
                         bank_details={"sort_code": "12-34-56", "account_number": "x", "account_name": "A"})
    assert [i.field for i in err.value.issues] == [
        "licence_number", "convictions[1].code", "convictions[1].date", "convictions[1].points",
        "bank_details.account_number"]


@pytest.mark.parametrize("ref", ["summary", "", "a b", "x" * 61, "../etc"])
def test_prv9_person_ref_is_policyholder_or_a_driver_label(db_ctx, ref):
    cid, _ = _customer(db_ctx)
    with pytest.raises(ValidationFailed) as err:
        sensitive.record(db_ctx, STAFF, cid, ref, licence_number=LICENCE)
    assert err.value.issues[0].field == "person_ref"


def test_prv11_record_for_unknown_customer_is_404(db_ctx):
    with pytest.raises(NotFound):
        sensitive.record(db_ctx, STAFF, "cus_nobody", "policyholder", licence_number=LICENCE)


# -- erasure by destroying the data key ---------------------------------------------------------------------


def test_prv4_erase_keys_makes_values_unreadable_and_leaves_ciphertext(db_ctx):
    """PRV-4, PRV-11: crypto-shredding deletes the data key only; the ciphertext is untouched and now
    reads as erased, for the DPO and in an access package; idempotent."""
    cid, me = _customer(db_ctx)
    other, _ = _customer(db_ctx, "Bob Other")
    _full(db_ctx, cid)
    _full(db_ctx, other)
    before = sorted(_rows(db_ctx, sensitive_data, customer_id=cid), key=lambda r: r["id"])
    with db_ctx.uow() as uow:
        assert sensitive.erase_keys(uow, cid) == {"subject_keys_deleted": 1, "sensitive_rows_unreadable": 2}
        uow.commit()
    with db_ctx.uow() as uow:
        assert sensitive.erase_keys(uow, cid) == {"subject_keys_deleted": 0, "sensitive_rows_unreadable": 2}
        uow.commit()
    assert sorted(_rows(db_ctx, sensitive_data, customer_id=cid), key=lambda r: r["id"]) == before
    assert _rows(db_ctx, subject_keys, customer_id=cid) == []
    assert len(_rows(db_ctx, subject_keys, customer_id=other)) == 1  # nobody else's key
    people = sensitive.read(db_ctx, DPO, cid, purpose="audit")["people"]
    assert people[0]["erased"] and people[0]["licence_number"] == {"erased": True}
    assert all(people[0][f] == {"erased": True} for f in sensitive.FIELDS)
    assert people[1]["health"] is None and people[1]["convictions"] == {"erased": True}
    assert _reads(db_ctx, cid) == []  # nothing was decrypted, so nothing to log
    with db_ctx.uow() as uow:
        view = sensitive.subject_access_view(uow, db_ctx.keyring, cid, DPO, db_ctx.clock.now())
        uow.commit()
    assert [p["licence_number"] for p in view] == [{"erased": True}, {"erased": True}]
    assert sensitive.summary(db_ctx, STAFF, cid)["people"][0]["erased"] is True
    with pytest.raises(Conflict):
        sensitive.record(db_ctx, me, cid, "policyholder", licence_number=LICENCE)
    assert sensitive.read(db_ctx, DPO, other, purpose="audit")["people"][0]["licence_number"] == LICENCE


def test_prv4_an_erased_customer_gets_no_new_sensitive_data(db_ctx):
    cid, _ = _customer(db_ctx)
    with db_ctx.uow.engine.begin() as conn:
        conn.execute(customers.update().where(customers.c.id == cid).values(erased_at=db_ctx.clock.now()))
    with pytest.raises(Conflict):
        sensitive.record(db_ctx, STAFF, cid, "policyholder", licence_number=LICENCE)
    assert _rows(db_ctx, subject_keys, customer_id=cid) == []


def test_prv3_subject_access_view_decrypts_everything_and_logs_in_the_callers_unit_of_work(db_ctx):
    """PRV-3, SEC-2: the access package gets every person's values; the read is logged with the purpose
    subject_access_request in the caller's unit of work (not written if the caller does not commit)."""
    cid, _ = _customer(db_ctx)
    other, _ = _customer(db_ctx, "Bob Other")
    _full(db_ctx, cid)
    _full(db_ctx, other)
    with db_ctx.uow() as uow:
        sensitive.subject_access_view(uow, db_ctx.keyring, cid, DPO, db_ctx.clock.now())
        # no commit: rolled back
    assert _reads(db_ctx, cid) == []
    with db_ctx.uow() as uow:
        view = sensitive.subject_access_view(uow, db_ctx.keyring, cid, DPO, db_ctx.clock.now())
        uow.commit()
    assert [p["person_ref"] for p in view] == ["policyholder", "d2"]
    assert view[0]["licence_number"] == LICENCE and view[0]["health"] == HEALTH
    assert view[0]["updated_at"] == db_ctx.clock.now().isoformat() and view[1]["subject"] == "named_driver"
    assert {r["purpose"] for r in _reads(db_ctx, cid)} == {"subject_access_request"}
    assert len(_reads(db_ctx, cid)) == 2 and _reads(db_ctx, other) == []
    with db_ctx.uow() as uow:
        assert sensitive.subject_access_view(uow, db_ctx.keyring, "cus_nobody", DPO, db_ctx.clock.now()) == []
