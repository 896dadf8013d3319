"""Data subject request cases (PRV-3): identity, pauses, extension, refusal, and the due dates they give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covernote.kernel.calendar import Nation
from covernote.kernel.errors import Conflict, ValidationFailed
from covernote.privacy.domain.requests import RequestStatus, SubjectRequest

NOW = datetime(2026, 1, 31, 9, tzinfo=UTC)


def receive(kind: str = "access", channel: str = "post", received: date = date(2026, 1, 31),
            identity: str | None = None, details: dict | None = None, today: date = date(2026, 1, 31)) -> SubjectRequest:
    return SubjectRequest.receive("dsr_1", "cus_1", kind, channel, received, Nation.ENGLAND_AND_WALES,
                                  details or {}, NOW, "usr_staff", today, identity)


def test_prv3_request_through_own_login_is_verified_and_due_in_one_calendar_month() -> None:
    q = receive(channel="api")
    assert q.status is RequestStatus.IN_PROGRESS and q.identity_method == "authenticated login"
    # 31 January -> no 31 February -> 28 February 2026 (a Saturday) -> Monday 2 March
    assert q.timing(date(2026, 2, 1))["due_on"] == "2026-03-02"


def test_prv3_post_request_waits_for_identity_with_the_clock_stopped() -> None:
    q = receive(channel="post", received=date(2026, 1, 5), today=date(2026, 1, 5))
    assert q.status is RequestStatus.AWAITING_IDENTITY
    # identity proved on 15 January: 10 days paused, due 5 Feb + 10 = 15 Feb (a Sunday) -> 16 Feb
    q = q.verify_identity("passport seen in branch", NOW, date(2026, 1, 15))
    t = q.timing(date(2026, 1, 20))
    assert t["days_paused"] == 10 and t["due_on"] == "2026-02-16"
    assert q.status is RequestStatus.IN_PROGRESS


def test_prv3_clarification_pauses_and_resumes_the_clock() -> None:
    q = receive(channel="api", received=date(2026, 3, 2), today=date(2026, 3, 2))
    q = q.ask_clarification("which policy?", date(2026, 3, 10))
    assert q.status is RequestStatus.AWAITING_CLARIFICATION
    q = q.clarification_received(date(2026, 3, 17))
    assert q.timing(date(2026, 3, 20))["days_paused"] == 7
    assert q.timing(date(2026, 3, 20))["due_on"] == "2026-04-09"  # 2 April + 7 days


def test_prv3_extension_only_within_the_first_month_and_with_a_reason() -> None:
    q = receive(channel="api", received=date(2026, 3, 2), today=date(2026, 3, 2))
    with pytest.raises(ValidationFailed) as err:
        q.extend(date(2026, 3, 10), "  ", date(2026, 3, 10))
    assert err.value.issues[0].field == "reason"
    late = date(2026, 4, 3)
    with pytest.raises(ValidationFailed) as err:
        q.extend(late, "complex", late)
    assert err.value.issues[0].field == "extension_notified_on"
    q = q.extend(date(2026, 3, 20), "many policies over ten years", date(2026, 3, 20))
    assert q.timing(date(2026, 3, 20))["effective_due_on"] == "2026-06-02"


def test_prv3_closed_request_cannot_change() -> None:
    q = receive(channel="api").complete({"package": {}}, NOW)
    with pytest.raises(Conflict):
        q.withdraw(NOW, date(2026, 2, 1))
    refused = receive(channel="api").refuse("manifestly excessive: the fifth identical request this month", NOW,
                                           date(2026, 2, 1))
    assert refused.status is RequestStatus.REFUSED and "ico" in refused.outcome["right_to_complain"].lower()


@pytest.mark.parametrize(("kind", "details", "field"), [
    ("rectification", {}, "details.corrections"),
    ("rectification", {"corrections": {"shoe_size": "9"}}, "details.corrections.shoe_size"),
    ("objection", {"to": ["spam"]}, "details.to"),
    ("restriction", {"ground": "because"}, "details.ground"),
    ("death_directive", {"directive": "transfer"}, "details.trusted_person"),
    ("consent_withdrawal", {"channels": ["pigeon"]}, "details.channels"),
    ("nonsense", {}, "kind"),
])
def test_prv3_bad_request_names_the_field(kind: str, details: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        receive(kind=kind, channel="email", details=details)
    assert field in [i.field for i in err.value.issues]


def test_prv3_request_received_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        receive(received=date(2026, 2, 1), today=date(2026, 1, 31))
    assert err.value.issues[0].field == "received_on"


@given(st.dates(date(2024, 1, 1), date(2028, 12, 31)), st.integers(0, 40))
def test_prv3_identity_wait_moves_the_due_date_by_exactly_the_days_waited(received: date, waited: int) -> None:
    q = receive(channel="post", received=received, today=received)
    verified_on = received + timedelta(days=waited)
    q = q.verify_identity("letter with ID", NOW, verified_on)
    clock = q.clock(verified_on)
    assert clock.days_paused() == waited
    unpaused = SubjectRequest.receive("x", "c", "access", "api", received, Nation.ENGLAND_AND_WALES, {}, NOW, "u",
                                      received).clock(received)
    assert clock.due_date() >= unpaused.due_date()
    assert (clock.due_date() - unpaused.due_date()).days <= waited + 4  # at most Easter or Christmas with a weekend
