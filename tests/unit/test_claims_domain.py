"""The claim rules, pure (claims/domain.py): what a first notification of loss must hold (CLM-1, CLM-3), the
statuses and what may follow what (CLM-2), reserves and payments as balanced postings (CLM-4), when the
settlement payment clock starts, and what correspondence may answer (CLM-2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from covernote.claims import domain as dc
from covernote.claims.domain import Claim, ClaimDocument, ClaimStatus, Correspondence, Notification, Party
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.kernel.journal import JournalEntry
from covernote.kernel.money import Money, sum_money
from covernote.policy.domain.claims import affects_ncd
from covernote.products.domain.claim_types import CLAIM_TYPES

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def notification(**changes: object) -> Notification:
    base = Notification("accident", NOW - timedelta(hours=3), "the front bumper and a headlamp",
                        "another car pulled out of a junction into the side of ours", False)
    return replace(base, **changes)  # type: ignore[arg-type]


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {i.field: i.reason for i in exc.value.issues}


def claim(**changes: object) -> Claim:
    base = Claim("clm_1", "pol_1", "CN000000001", "cus_1", 1, "txn_1", "accident", False, NOW - timedelta(days=2),
                 "bumper", "hit", None, False, None, None, None, "Ann Example", "1 High Street", "LS1 4AB", "ENG",
                 NOW - timedelta(days=1), "usr_1")
    return replace(base, **changes)  # type: ignore[arg-type]


# -- CLM-1, CLM-3: first notification of loss ---------------------------------------------------------------


def test_clm1_clm3_theft_is_refused_without_crime_reference_and_police_incident_number() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(claim_type="theft"), NOW)
    issues = fields(exc)
    assert set(issues) == {"crime_reference", "police_incident_number"}
    assert "CLM-1" in issues["crime_reference"] and "CLM-3" in issues["police_incident_number"]
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(claim_type="theft", crime_reference="14/1234/26"), NOW)
    assert set(fields(exc)) == {"police_incident_number"}
    ok = dc.check_notification(notification(claim_type="theft", crime_reference=" 14/1234/26 ",
                                            police_incident_number="INC-20112026-0042"), NOW)
    assert ok.crime_reference == "14/1234/26"


@pytest.mark.parametrize("claim_type", ["vandalism", "malicious_damage"])
def test_clm1_vandalism_and_malicious_damage_need_a_crime_reference_but_no_incident_number(claim_type: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(claim_type=claim_type), NOW)
    assert set(fields(exc)) == {"crime_reference"}
    assert dc.check_notification(notification(claim_type=claim_type, crime_reference="CR-1"), NOW).claim_type == claim_type


@pytest.mark.parametrize("claim_type", ["windscreen_or_glass", "accident", "fire", "other"])
def test_clm1_a_glass_or_accident_claim_is_accepted_without_a_crime_reference(claim_type: str) -> None:
    assert dc.check_notification(notification(claim_type=claim_type), NOW).crime_reference is None


def test_ncd2_ncd5_malicious_damage_is_a_claim_type_that_affects_ncd() -> None:
    assert "malicious_damage" in CLAIM_TYPES
    c = claim(claim_type="malicious_damage")
    assert affects_ncd(c.incident_event())
    assert not affects_ncd(claim(claim_type="windscreen_or_glass").incident_event())


def test_clm1_every_missing_detail_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(Notification("hail", None, " ", None, None), NOW)
    assert set(fields(exc)) == {"claim_type", "occurred_at", "loss_description", "circumstances", "anyone_injured"}


def test_clm1_injuries_need_details_and_details_need_an_injury() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(anyone_injured=True), NOW)
    assert set(fields(exc)) == {"injury_details"}
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(anyone_injured=False, injury_details="whiplash"), NOW)
    assert set(fields(exc)) == {"injury_details"}
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(parties=(Party("injured", "Pat Passenger"),)), NOW)
    assert set(fields(exc)) == {"anyone_injured"}
    ok = dc.check_notification(notification(anyone_injured=True, injury_details="the other driver: whiplash",
                                            parties=(Party("injured", "Pat Passenger"),)), NOW)
    assert ok.injury_details == "the other driver: whiplash"


def test_clm1_other_people_are_checked_field_by_field() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(parties=(
            Party("third_party"),  # neither a name nor a registration
            Party("witness", None, "3 Lane"),  # a witness needs a name
            Party("witness", "Wendy", vehicle_registration="AB12CDE"),  # only another driver has a vehicle
            Party("bystander", "Bo"),
            Party("third_party", "Bob", phone="call me"),
        )), NOW)
    assert set(fields(exc)) == {"parties[0].name", "parties[1].name", "parties[2].vehicle_registration",
                                "parties[3].role", "parties[4].phone"}
    ok = dc.check_notification(notification(parties=(
        Party("third_party", None, None, None, " xy12  abc ", "Other Insurer", "P-9"),)), NOW)
    assert ok.parties[0].vehicle_registration == "XY12 ABC"


def test_clm1_the_loss_cannot_be_in_the_future_and_a_naive_time_is_uk_time() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(occurred_at=NOW + timedelta(minutes=1)), NOW)
    assert set(fields(exc)) == {"occurred_at"}
    summer = datetime(2026, 7, 1, 14, 30)  # BST: 13:30 UTC
    ok = dc.check_notification(notification(occurred_at=summer), NOW)
    assert ok.occurred_at is not None and ok.occurred_at.astimezone(UTC) == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


def test_clm1_a_glass_claim_cannot_be_a_total_loss() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.check_notification(notification(claim_type="windscreen_or_glass", total_loss=True), NOW)
    assert set(fields(exc)) == {"total_loss"}
    assert dc.check_notification(notification(claim_type="fire", total_loss=True), NOW).total_loss


def test_fee1_ncd5_the_claim_is_recorded_on_the_policy_as_a_claim_event_with_its_id() -> None:
    event = claim(claim_type="theft", total_loss=True).incident_event()
    assert (event.kind, event.claim_type, event.total_loss, event.reference) == ("claim", "theft", True, "clm_1")
    assert event.occurred_on == date(2026, 11, 23)


# -- CLM-2: statuses ---------------------------------------------------------------------------------------


def test_clm2_statuses_move_only_as_allowed() -> None:
    c = claim()
    with pytest.raises(Conflict) as exc:
        dc.change_status(c, "settled", NOW)
    assert exc.value.issues[0].field == "status"
    with pytest.raises(ValidationFailed) as bad:
        dc.change_status(c, "lost", NOW)
    assert bad.value.issues[0].field == "status"
    assessed, _ = dc.change_status(c, "under_assessment", NOW)
    with pytest.raises(ValidationFailed) as no_amount:
        dc.change_status(assessed, "settlement_agreed", NOW)
    assert no_amount.value.issues[0].field == "amount"
    agreed, note = dc.change_status(assessed, "settlement_agreed", NOW, amount=Money.of("1250.50"))
    assert agreed.settlement_amount == Money.of("1250.50") and agreed.settlement_agreed_at == NOW
    assert note == "settlement of 1250.50 agreed"
    with pytest.raises(Conflict):  # settled is reached by paying the agreed settlement
        dc.change_status(agreed, "settled", NOW)
    back, _ = dc.change_status(agreed, "under_assessment", NOW)
    assert back.settlement_amount is None


def test_clm2_closing_needs_a_reason_and_is_final() -> None:
    with pytest.raises(ValidationFailed) as exc:
        dc.change_status(claim(), "closed", NOW)
    assert exc.value.issues[0].field == "reason"
    closed, note = dc.change_status(claim(), "closed", NOW, reason="withdrawn", note="customer paid privately")
    assert closed.status is ClaimStatus.CLOSED and note.startswith("closed: the policyholder withdrew the claim")
    for to in ("under_assessment", "closed"):
        with pytest.raises(Conflict):
            dc.change_status(closed, to, NOW, reason="declined")


# -- CLM-4: reserves and payments as postings ------------------------------------------------------------------


def _balances(entries: list[JournalEntry]) -> dict[str, Money]:
    out: dict[str, Money] = {}
    for e in entries:
        for p in e.postings:
            out[p.account] = out.get(p.account, Money.zero()) + p.amount
    return out


def test_clm4_pay5_reserve_and_payment_postings_balance_and_match_the_claim() -> None:
    c = claim(status=ClaimStatus.SETTLEMENT_AGREED, settlement_amount=Money.of("700.00"), settlement_agreed_at=NOW)
    c1, change1, _ = dc.set_reserve(c, Money.of("1000.00"), None)
    c2, change2, _ = dc.set_reserve(c1, Money.of("900.01"), "estimate revised")
    assert (change1, change2) == (Money.of("1000.00"), Money.of("-99.99"))
    with pytest.raises(ValidationFailed) as over:
        dc.pay(c2, Money.of("900.02"), "Ann", None, None, NOW)
    assert over.value.issues[0].field == "amount"
    c3, payee, _, _ = dc.pay(c2, Money.of("700.00"), " Ann Example ", "BACS-1", None, NOW)
    assert payee == "Ann Example"
    assert c3.status is ClaimStatus.SETTLED and c3.reserve == Money.of("200.01") and c3.paid == Money.of("700.00")
    entries = [JournalEntry(f"j{i}", NOW, "x", "pol_1", "txn_1", tuple(lines)) for i, lines in enumerate((
        dc.reserve_postings(change1, "clm_1"), dc.reserve_postings(change2, "clm_1"),
        dc.payment_postings(Money.of("700.00"), "clm_1")))]  # JournalEntry refuses an unbalanced entry
    assert all(sum_money([p.amount for p in e.postings]).is_zero() for e in entries)
    assert _balances(entries) == dc.expected_accounts(c3.reserve, c3.paid)


def test_clm4_amounts_are_exact_pence_and_not_negative() -> None:
    for amount, ok in ((Money.of("10.001"), False), (Money.of("-1"), False), (Money.zero(), True)):
        if ok:
            with pytest.raises(Conflict):  # already zero
                dc.set_reserve(claim(), amount, None)
        else:
            with pytest.raises(ValidationFailed):
                dc.set_reserve(claim(), amount, None)
    with pytest.raises(ValidationFailed) as exc:
        dc.pay(claim(reserve=Money.of("10")), Money.zero(), "", None, None, NOW)
    assert {i.field for i in exc.value.issues} == {"amount", "payee"}
    with pytest.raises(Conflict):
        dc.pay(claim(status=ClaimStatus.CLOSED, reserve=Money.of("10")), Money.of("1"), "Ann", None, None, NOW)


# -- CLM-2: the settlement payment clock ------------------------------------------------------------------------


def test_clm2_the_payment_clock_starts_when_the_settlement_is_agreed_and_every_document_is_in() -> None:
    agreed_at = NOW - timedelta(hours=5)
    agreed = claim(status=ClaimStatus.SETTLEMENT_AGREED, settlement_amount=Money.of("500"), settlement_agreed_at=agreed_at)
    v5c = ClaimDocument("d1", "clm_1", "V5C", NOW - timedelta(days=1), "usr_1")
    invoice = ClaimDocument("d2", "clm_1", "repair invoice", NOW - timedelta(days=1), "usr_1",
                            NOW - timedelta(hours=8), "usr_1")
    assert dc.settlement_clock_start(claim(), []) is None  # not agreed
    assert dc.settlement_clock_start(agreed, [v5c, invoice]) is None  # a document awaited
    assert dc.settlement_clock_start(agreed, [invoice]) == agreed_at  # documents in before the agreement
    late = replace(v5c, received_at=NOW - timedelta(hours=1))
    assert dc.settlement_clock_start(agreed, [invoice, late]) == NOW - timedelta(hours=1)
    assert dc.settlement_clock_start(agreed, []) == agreed_at  # nothing needed


# -- CLM-2: correspondence ---------------------------------------------------------------------------------------


def test_clm2_only_an_outbound_reply_answers_inbound_items_and_not_before_they_came_in() -> None:
    c = claim()
    letter = Correspondence("ccr_1", "clm_1", "in", "letter", "asks for an update", NOW - timedelta(hours=2), (),
                            NOW, "usr_1")
    assert letter.needs_reply
    inbound = {"ccr_1": letter}
    with pytest.raises(ValidationFailed) as exc:
        dc.check_correspondence(c, "in", "email", "x", None, None, ["ccr_1"], inbound, NOW)
    assert {i.field for i in exc.value.issues} == {"answers"}
    with pytest.raises(ValidationFailed) as exc:
        dc.check_correspondence(c, "out", "letter", "reply", None, NOW - timedelta(hours=3), ["ccr_1", "ccr_9"],
                                inbound, NOW)
    assert {i.field for i in exc.value.issues} == {"answers[0]", "answers[1]"}
    with pytest.raises(ValidationFailed) as exc:
        dc.check_correspondence(c, "out", "fax", "", NOW, None, [], inbound, NOW)
    assert {i.field for i in exc.value.issues} == {"channel", "summary", "received_at"}
    at, text, answered = dc.check_correspondence(c, "out", "email", " reply ", None, None, ["ccr_1", "ccr_1"],
                                                 inbound, NOW)
    assert (at, text, answered) == (NOW, "reply", ("ccr_1",))
    phone = replace(letter, channel="phone")
    assert not phone.needs_reply  # S1 promises replies to letters and e-mails
