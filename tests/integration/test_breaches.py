"""The breach register (PRV-8; UK GDPR arts. 33 and 34): people affected found from the data map, the
72-hour deadline, the risk decision, the report to the ICO and notifications, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.identity.usecases import Principal
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.privacy.ports import Breach
from covernote.privacy.usecases import breaches, registers
from covernote.privacy.usecases.breaches import ico_due_at, is_overdue
from covernote.store.tables import customers
from tests.support import bind, new_customer

STAFF = Principal("usr_staff", "staff")
DPO = Principal("usr_dpo", "dpo")
AWARE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the clock stands at 2026-11-22 10:00 UTC: 49 hours later


def _fields(exc: pytest.ExceptionInfo[Exception]) -> set[str]:
    return {i.field for i in exc.value.issues}  # type: ignore[attr-defined]


def _record(ctx, categories=("contact",), aware_at=AWARE, **scope):  # type: ignore[no-untyped-def]
    return breaches.record_breach(ctx, STAFF, title="Mailing list sent to wrong address",
                                  description="A spreadsheet of renewal contacts was e-mailed to a supplier in error",
                                  aware_at=aware_at, categories=list(categories), **scope)


def _ids(view) -> set[str]:  # type: ignore[no-untyped-def]
    return {a["customer_id"] for a in view["affected"]}


# -- people affected, from the data map ---------------------------------------------------------------


def test_prv8_contact_breach_finds_exactly_the_customers_with_contact_data_narrowed_by_product(db_ctx):
    eco = bind(db_ctx, "ECO")
    warranty = bind(db_ctx, "WARRANTY")
    erased = new_customer(db_ctx, "Erased Person")
    with db_ctx.uow.engine.begin() as conn:  # as erasure leaves it: keyed hashes and nulls, no contact data
        conn.execute(customers.update().where(customers.c.id == erased).values(
            email="h:1a2b", address="h:3c4d", postcode="h:5e6f", phone=None))
    everyone = _record(db_ctx)
    assert _ids(everyone) == {eco["customer_id"], warranty["customer_id"]}
    assert everyone["affected_count"] == 2
    only_eco = _record(db_ctx, product_codes=["ECO"])
    assert _ids(only_eco) == {eco["customer_id"]} and only_eco["scope"]["product_codes"] == ["ECO"]
    [person] = only_eco["affected"]
    assert {"customers.email", "customers.address", "customers.postcode"} <= set(person["found_via"])
    assert "policy_transactions.details:risk.postcode" in person["found_via"]
    assert all(loc in only_eco["scope"]["locations"] for loc in person["found_via"])
    assert "customers.name" not in only_eco["scope"]["locations"]  # identity is not in scope
    with db_ctx.uow(read_only=True) as uow:
        stored = uow.breaches.affected(only_eco["id"], 10, 0)
    assert [a.customer_id for a in stored] == [eco["customer_id"]] and stored[0].notified_at is None


def test_prv8_a_category_only_some_people_have_finds_only_them(db_ctx):
    marked = bind(db_ctx)
    bind(db_ctx)
    registers.record_marker(db_ctx, STAFF, marked["customer_id"], reason="Suspected ghost broking", source="cue")
    fraud = _record(db_ctx, categories=["fraud"])
    assert _ids(fraud) == {marked["customer_id"]}
    assert fraud["affected"][0]["found_via"] == ["fraud_markers.reason"]
    assert _record(db_ctx, categories=["health"])["affected_count"] == 0


def test_prv8_scope_narrowed_by_customer_ids_and_record_creation_window(db_ctx, clock):
    first = new_customer(db_ctx, "First")
    clock.advance(timedelta(days=1))
    second = new_customer(db_ctx, "Second")
    third = new_customer(db_ctx, "Third")
    named = _record(db_ctx, customer_ids=[first, third])
    assert _ids(named) == {first, third}
    window = _record(db_ctx, created_from=clock.now() - timedelta(hours=1), created_to=clock.now() + timedelta(hours=1))
    assert _ids(window) == {second, third}
    before = _record(db_ctx, created_to=clock.now() - timedelta(hours=1))
    assert _ids(before) == {first}
    with pytest.raises(NotFound) as nf:
        _record(db_ctx, customer_ids=[first, "cus_missing"])
    assert _fields(nf) == {"scope.customer_ids[1]"}


def test_prv8_fields_not_tied_to_a_customer_are_listed_to_check_by_hand(db_ctx):
    bind(db_ctx)
    contract = _record(db_ctx, categories=["contract"])
    assert {"field": "idempotency_keys.response", "reason": "its rows are not tied to a customer"} in \
        contract["scope"]["unmapped"]
    assert contract["affected_count"] == 1


def test_prv8_record_validation_names_each_field(db_ctx):
    now = db_ctx.clock.now()
    with pytest.raises(ValidationFailed) as exc:
        breaches.record_breach(db_ctx, STAFF, title=" ", description="", aware_at=now + timedelta(minutes=1),
                               categories=["contact", "gossip"], product_codes=["NOPE"],
                               created_from=now, created_to=now - timedelta(days=1))
    assert _fields(exc) == {"title", "description", "aware_at", "categories[1]", "scope.product_codes[0]",
                            "scope.created_to"}
    with pytest.raises(ValidationFailed) as exc:
        breaches.record_breach(db_ctx, STAFF, title="t", description="d", aware_at=AWARE,
                               occurred_at=AWARE + timedelta(seconds=1), categories=[])
    assert _fields(exc) == {"occurred_at", "categories"}
    with pytest.raises(ValidationFailed) as exc:
        breaches.record_breach(db_ctx, STAFF, title="t", description="d", aware_at=AWARE.replace(tzinfo=None),
                               categories=["contact"])
    assert _fields(exc) == {"aware_at"}
    with pytest.raises(Forbidden):
        breaches.record_breach(db_ctx, Principal("usr_c", "customer", "cus_x"), title="t", description="d",
                               aware_at=AWARE, categories=["contact"])
    with db_ctx.uow(read_only=True) as uow:
        assert uow.breaches.page(10, 0) == []


# -- the 72-hour deadline ----------------------------------------------------------------------------


def test_prv8_deadline_is_72_elapsed_hours_across_the_start_of_british_summer_time():
    aware = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # BST starts 2026-03-29 01:00 UTC
    due = ico_due_at(aware)
    assert due == datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert due.astimezone(LONDON).isoformat() == "2026-04-01T00:30:00+01:00"
    assert (due - aware).total_seconds() == 72 * 3600
    # the same instant given in London time gives the same deadline (wall-clock arithmetic would give 71 hours)
    in_london = aware.astimezone(LONDON)
    assert ico_due_at(in_london) == due
    assert (in_london + timedelta(hours=72)).astimezone(UTC) != due


def test_prv8_deadline_is_72_elapsed_hours_across_the_end_of_british_summer_time():
    aware = datetime(2026, 10, 24, 12, 0, tzinfo=LONDON)  # BST ends 2026-10-25 01:00 UTC
    due = ico_due_at(aware)
    assert (due - aware).total_seconds() == 72 * 3600
    assert due.astimezone(LONDON).isoformat() == "2026-10-27T11:00:00+00:00"


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(LONDON)))
def test_prv8_deadline_property_always_exactly_72_hours_in_utc(aware: datetime) -> None:
    due = ico_due_at(aware)
    assert due.tzinfo == UTC
    assert (due - aware.astimezone(UTC)) == timedelta(hours=72)


def _breach(risk: str = "unassessed", reported: datetime | None = None) -> Breach:
    return Breach("brc_1", "t", "d", None, AWARE, ("contact",), {}, AWARE, "u", risk, ico_reported_at=reported)


def test_prv8_overdue_when_no_report_by_the_deadline_unless_judged_unlikely():
    due = AWARE + timedelta(hours=72)
    just_after = due + timedelta(seconds=1)
    assert not is_overdue(_breach(), due)  # 72 hours exactly: still in time
    assert is_overdue(_breach(), just_after)  # unassessed past the deadline
    assert is_overdue(_breach("risk"), just_after) and is_overdue(_breach("high"), just_after)
    assert not is_overdue(_breach("unlikely"), just_after)
    assert not is_overdue(_breach("risk", reported=due - timedelta(hours=1)), just_after)
    assert not is_overdue(_breach("high", reported=due + timedelta(hours=5)), due + timedelta(days=3))
    view = breaches.breach_view(_breach("high", reported=due + timedelta(hours=5)), due + timedelta(days=3), 0, 0)
    assert view["reported_late"] and not view["overdue"] and view["hours_left"] is None


def test_prv8_views_show_deadline_hours_left_and_overdue_as_time_passes(db_ctx, clock):
    b = _record(db_ctx)
    assert b["ico_due_at"] == "2026-11-23T09:00:00+00:00" and b["hours_left"] == 23.0 and not b["overdue"]
    assert b["risk"] == "unassessed" and b["ico_report_required"] is None
    clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    listed = breaches.list_breaches(db_ctx, STAFF)
    assert listed["overdue"] == 1 and listed["breaches"][0]["hours_left"] == -0.5
    unlikely = breaches.assess_breach(db_ctx, DPO, b["id"], risk="unlikely", reason="Encrypted file, key not sent")
    assert not unlikely["overdue"] and unlikely["hours_left"] is None and unlikely["ico_report_required"] is False
    risk = breaches.assess_breach(db_ctx, DPO, b["id"], risk="risk", reason="The key was sent too")
    assert risk["overdue"] and risk["ico_report_required"] is True and risk["assessed_by"] == DPO.user_id
    reported = breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-123456")
    assert not reported["overdue"] and reported["reported_late"] and reported["ico_reference"] == "ICO-123456"


# -- the decision, the report, the notifications -----------------------------------------------------


def test_prv8_unlikely_needs_a_reason_and_refuses_an_ico_report(db_ctx):
    b = _record(db_ctx)
    with pytest.raises(Forbidden):
        breaches.assess_breach(db_ctx, STAFF, b["id"], risk="risk")
    with pytest.raises(ValidationFailed) as exc:
        breaches.assess_breach(db_ctx, DPO, b["id"], risk="unlikely", reason=" ")
    assert _fields(exc) == {"reason"}
    with pytest.raises(ValidationFailed) as exc:
        breaches.assess_breach(db_ctx, DPO, b["id"], risk="medium")
    assert _fields(exc) == {"risk"}
    with pytest.raises(Conflict):  # no decision yet
        breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-1")
    breaches.assess_breach(db_ctx, DPO, b["id"], risk="unlikely", reason="Sent to a processor under contract")
    with pytest.raises(Conflict) as exc:
        breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-1")
    assert _fields(exc) == {"risk"}
    assert breaches.get_breach(db_ctx, STAFF, b["id"])["ico_reported_at"] is None


def test_prv8_ico_report_once_within_sensible_times_and_then_never_unlikely(db_ctx):
    b = _record(db_ctx)
    breaches.assess_breach(db_ctx, DPO, b["id"], risk="risk")
    with pytest.raises(ValidationFailed) as exc:
        breaches.report_to_ico(db_ctx, DPO, b["id"], reference=" ", reported_at=AWARE - timedelta(minutes=1))
    assert _fields(exc) == {"reference", "reported_at"}
    with pytest.raises(ValidationFailed) as exc:
        breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-9",
                               reported_at=db_ctx.clock.now() + timedelta(hours=1))
    assert _fields(exc) == {"reported_at"}
    done = breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-9", reported_at=AWARE + timedelta(hours=30))
    assert done["ico_reported_at"] == "2026-11-21T15:00:00+00:00" and not done["reported_late"]
    with pytest.raises(Conflict):
        breaches.report_to_ico(db_ctx, DPO, b["id"], reference="ICO-10")
    with pytest.raises(Conflict):
        breaches.assess_breach(db_ctx, DPO, b["id"], risk="unlikely", reason="changed our mind")
    assert breaches.assess_breach(db_ctx, DPO, b["id"], risk="high")["must_tell_people"]
    with pytest.raises(NotFound):
        breaches.assess_breach(db_ctx, DPO, "brc_missing", risk="high")


def test_prv8_notifications_are_counted_and_people_still_to_tell_shown(db_ctx):
    a, b, c = (bind(db_ctx)["customer_id"] for _ in range(3))
    breach = _record(db_ctx)
    assert breach["still_to_tell"] == 0  # nobody must be told until the risk is judged high
    breach = breaches.assess_breach(db_ctx, DPO, breach["id"], risk="high", reason="Home addresses with keys")
    assert (breach["affected_count"], breach["notified_count"], breach["still_to_tell"]) == (3, 0, 3)
    with pytest.raises(ValidationFailed) as exc:
        breaches.record_notifications(db_ctx, DPO, breach["id"], channel="pigeon", customer_ids=[])
    assert _fields(exc) == {"channel", "customer_ids"}
    with pytest.raises(NotFound) as nf:
        breaches.record_notifications(db_ctx, DPO, breach["id"], channel="email", customer_ids=[a, "cus_nobody"])
    assert _fields(nf) == {"customer_ids[1]"}
    with pytest.raises(Forbidden):
        breaches.record_notifications(db_ctx, STAFF, breach["id"], channel="email")
    one = breaches.record_notifications(db_ctx, DPO, breach["id"], channel="email", customer_ids=[a])
    assert (one["newly_notified"], one["already_notified"]) == (1, 0)
    assert (one["breach"]["notified_count"], one["breach"]["still_to_tell"]) == (1, 2)
    again = breaches.record_notifications(db_ctx, DPO, breach["id"], channel="post", customer_ids=[a, b],
                                          notified_at=db_ctx.clock.now() - timedelta(hours=2))
    assert (again["newly_notified"], again["already_notified"]) == (1, 1)
    rest = breaches.record_notifications(db_ctx, DPO, breach["id"], channel="phone")
    assert (rest["newly_notified"], rest["already_notified"]) == (1, 2)
    view = breaches.get_breach(db_ctx, STAFF, breach["id"])
    assert (view["notified_count"], view["still_to_tell"]) == (3, 0)
    channels = {x["customer_id"]: x["notified_channel"] for x in view["affected"]}
    assert channels == {a: "email", b: "post", c: "phone"}  # the first notification is kept
    assert not any(x["to_tell"] for x in view["affected"])


def test_prv8_notified_at_before_awareness_is_refused(db_ctx):
    bind(db_ctx)
    b = _record(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        breaches.record_notifications(db_ctx, DPO, b["id"], channel="email", notified_at=AWARE - timedelta(days=1))
    assert _fields(exc) == {"notified_at"}
    assert breaches.get_breach(db_ctx, STAFF, b["id"])["notified_count"] == 0


def test_prv8_register_is_read_by_staff_not_customers(db_ctx):
    b = _record(db_ctx)
    customer = Principal("usr_c", "customer", "cus_x")
    with pytest.raises(Forbidden):
        breaches.list_breaches(db_ctx, customer)
    with pytest.raises(Forbidden):
        breaches.get_breach(db_ctx, customer, b["id"])
    with pytest.raises(NotFound):
        breaches.get_breach(db_ctx, STAFF, "brc_missing")
    assert breaches.get_breach(db_ctx, Principal("usr_uw", "underwriter"), b["id"])["id"] == b["id"]



# -- closing a breach ----------------------------------------------------------------------------------


def test_prv8_close_waits_for_the_decision_the_ico_report_and_the_notifications(db_ctx, clock):
    """PRV-8 (UK GDPR arts. 33(5), 34): the DPO closes a breach with a summary only once a decision is
    recorded, the report it calls for is made and, for a high risk, everyone affected is recorded as told;
    each refusal (409) names everything still outstanding."""
    bind(db_ctx)
    bind(db_ctx)
    b = _record(db_ctx)
    bid = b["id"]
    assert (b["closed"], b["closed_at"], b["closed_by"], b["closure_note"]) == (False, None, None, None)
    with pytest.raises(Forbidden):
        breaches.close_breach(db_ctx, STAFF, bid, note="done")
    with pytest.raises(Forbidden):
        breaches.close_breach(db_ctx, Principal("usr_c", "customer", "cus_x"), bid, note="done")
    for bad in ("", "  ", "x" * 10_001):
        with pytest.raises(ValidationFailed) as exc:
            breaches.close_breach(db_ctx, DPO, bid, note=bad)
        assert _fields(exc) == {"note"}
    with pytest.raises(NotFound):
        breaches.close_breach(db_ctx, DPO, "brc_missing", note="done")
    with pytest.raises(Conflict) as exc:
        breaches.close_breach(db_ctx, DPO, bid, note="done")
    assert _fields(exc) == {"risk"}
    breaches.assess_breach(db_ctx, DPO, bid, risk="high", reason="Home addresses with renewal dates")
    with pytest.raises(Conflict) as exc:
        breaches.close_breach(db_ctx, DPO, bid, note="done")
    assert _fields(exc) == {"ico_reported_at", "still_to_tell"}
    assert "2 of the 2 people" in {i.field: i.reason for i in exc.value.issues}["still_to_tell"]  # type: ignore[attr-defined]
    breaches.report_to_ico(db_ctx, DPO, bid, reference="ICO-555")
    first = breaches.get_breach(db_ctx, STAFF, bid)["affected"][0]["customer_id"]
    breaches.record_notifications(db_ctx, DPO, bid, channel="email", customer_ids=[first])
    with pytest.raises(Conflict) as exc:
        breaches.close_breach(db_ctx, DPO, bid, note="done")
    assert _fields(exc) == {"still_to_tell"}
    breaches.record_notifications(db_ctx, DPO, bid, channel="post")
    assert not breaches.get_breach(db_ctx, STAFF, bid)["closed"]  # every refusal changed nothing
    clock.advance(timedelta(hours=1))
    closed = breaches.close_breach(db_ctx, DPO, bid, note="  Supplier confirmed deletion; everyone told  ")
    assert closed["closed"] and closed["closed_by"] == DPO.user_id
    assert closed["closed_at"] == clock.now().isoformat()
    assert closed["closure_note"] == "Supplier confirmed deletion; everyone told"
    assert (closed["notified_count"], closed["still_to_tell"], closed["overdue"]) == (2, 0, False)


def test_prv8_a_closed_breach_is_not_changed_afterwards(db_ctx):
    """PRV-8: once closed, the record kept for the ICO is final: a new decision, a report, notifications
    and a second closing are all refused (409) and nothing changes."""
    bind(db_ctx)
    b = _record(db_ctx)
    bid = b["id"]
    breaches.assess_breach(db_ctx, DPO, bid, risk="unlikely", reason="The recipient is a processor under contract")
    closed = breaches.close_breach(db_ctx, DPO, bid, note="Processor confirmed deletion in writing")
    assert closed["closed"] and closed["ico_report_required"] is False  # unlikely: no report, nobody to tell
    with pytest.raises(Conflict) as exc:
        breaches.assess_breach(db_ctx, DPO, bid, risk="high", reason="second thoughts")
    assert _fields(exc) == {"closed_at"}
    with pytest.raises(Conflict) as exc:
        breaches.report_to_ico(db_ctx, DPO, bid, reference="ICO-1")
    assert _fields(exc) == {"closed_at"}
    with pytest.raises(Conflict) as exc:
        breaches.record_notifications(db_ctx, DPO, bid, channel="email")
    assert _fields(exc) == {"closed_at"}
    with pytest.raises(Conflict) as exc:
        breaches.close_breach(db_ctx, DPO, bid, note="again")
    assert _fields(exc) == {"closed_at"}
    after = breaches.get_breach(db_ctx, STAFF, bid)
    assert after == {**closed, "affected_page": after["affected_page"]}
    assert (after["risk"], after["notified_count"], after["closure_note"]) == (
        "unlikely", 0, "Processor confirmed deletion in writing")
    with db_ctx.uow() as uow:  # the repository refuses too, whatever the caller checked
        with pytest.raises(Conflict):
            uow.breaches.assess(bid, "risk", None, db_ctx.clock.now(), DPO.user_id)
        with pytest.raises(Conflict):
            uow.breaches.close(bid, db_ctx.clock.now(), DPO.user_id, "x")


def test_prv8_risk_without_high_closes_after_the_report_and_the_list_filters_open_and_closed(db_ctx):
    """PRV-8: a breach judged a risk (not high) needs only the ICO report to close; the register shows the
    closed state and lists every breach, the open ones or the closed ones."""
    bind(db_ctx)
    old = _record(db_ctx, aware_at=AWARE - timedelta(days=1))
    new = _record(db_ctx)
    breaches.assess_breach(db_ctx, DPO, old["id"], risk="risk", reason="Names and e-mails only")
    with pytest.raises(Conflict) as exc:
        breaches.close_breach(db_ctx, DPO, old["id"], note="done")
    assert _fields(exc) == {"ico_reported_at"}
    breaches.report_to_ico(db_ctx, DPO, old["id"], reference="ICO-42")
    breaches.close_breach(db_ctx, Principal("usr_admin", "admin"), old["id"], note="Reported; supplier deleted it")
    everything = breaches.list_breaches(db_ctx, STAFF)
    assert [(v["id"], v["closed"]) for v in everything["breaches"]] == [(new["id"], False), (old["id"], True)]
    assert (everything["count"], everything["open"], everything["closed_filter"]) == (2, 1, None)
    assert [v["id"] for v in breaches.list_breaches(db_ctx, STAFF, closed=False)["breaches"]] == [new["id"]]
    closed = breaches.list_breaches(db_ctx, STAFF, closed=True)
    assert [v["id"] for v in closed["breaches"]] == [old["id"]] and closed["open"] == 0
    assert closed["breaches"][0]["closed_by"] == "usr_admin"
