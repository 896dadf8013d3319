"""Data subject request cases through the use cases, stored on SQLite and PostgreSQL (PRV-3): the
case and its clock survive the database; restriction and objection are obeyed by quoting, renewal and
marketing; consent withdrawal, rectification and death directives are carried out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from covernote.lifecycle.usecases import quotes, renewals
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change
from covernote.policy.usecases import customers
from covernote.privacy.domain.consent import Channel, ConsentPurpose
from covernote.privacy.usecases import consent, requests
from tests.support import adjust, bind, motor_risk, new_customer

WORDING = "Yes, send me offers about Covernote products"


def customer_principal(ctx: AppContext, customer_id: str) -> Principal:
    user, _ = create_user(ctx, "Cust", "customer", customer_id)
    return Principal(user.user_id, "customer", customer_id)


def grant_marketing(ctx: AppContext, customer_id: str, *channels: str) -> None:
    for channel in channels or ("email", "sms", "phone"):
        consent.record_decision(ctx, SYSTEM, customer_id, channel=channel, purpose="marketing", granted=True,
                                wording=WORDING, source="web")


def staff_case(ctx: AppContext, customer_id: str, kind: str, details: dict[str, object] | None = None) -> str:
    view = requests.start(ctx, SYSTEM, customer_id, kind=kind, channel="phone", details=details or {},
                          identity_method="security questions")
    assert view["status"] == "in_progress"
    return str(view["id"])


def advance(ctx: AppContext, days: int) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=days))


# -- the case and its clock, stored ----------------------------------------------------------------------


def test_prv3_postal_case_round_trips_with_its_pauses_extension_and_events(db_ctx: AppContext) -> None:
    """PRV-3: a postal request waits for identity with the clock stopped; identity, clarification and
    extension move the due date; everything survives a reload from the database, with the event log."""
    ctx = db_ctx
    cid = new_customer(ctx)
    today = ctx.today()  # Sunday 22 November 2026
    view = requests.start(ctx, SYSTEM, cid, kind="access", channel="post", received_on=today - timedelta(days=2),
                          details={"description": "copy of my data"})
    rid = view["id"]
    assert view["status"] == "awaiting_identity" and view["identity"]["verified"] is False
    assert view["pauses"] == [{"start": "2026-11-20", "end": None, "reason": "awaiting proof of identity"}]
    advance(ctx, 3)  # 25 November: identity proved; 5 days paused
    requests.verify_identity(ctx, SYSTEM, rid, "passport copy checked")
    advance(ctx, 2)
    requests.ask_clarification(ctx, SYSTEM, rid, "Which of your policies do you mean?")
    advance(ctx, 4)
    requests.clarification_received(ctx, SYSTEM, rid)
    got = requests.get(ctx, SYSTEM, rid)
    assert got["status"] == "in_progress" and got["identity"]["method"] == "passport copy checked"
    assert got["pauses"] == [
        {"start": "2026-11-20", "end": "2026-11-25", "reason": "awaiting proof of identity"},
        {"start": "2026-11-27", "end": "2026-12-01", "reason": "awaiting clarification"}]
    # 20 Dec + 5 + 4 paused days = 29 December 2026 (a Tuesday, after the Christmas bank holidays)
    assert got["timing"]["days_paused"] == 9 and got["timing"]["due_on"] == "2026-12-29"
    assert [e["kind"] for e in got["events"]] == ["received", "identity_verified", "clarification_asked",
                                                  "clarification_received"]
    assert got["events"][2]["note"] == "Which of your policies do you mean?"
    extended = requests.extend(ctx, SYSTEM, rid, ctx.today(), "records span three products and ten years")
    assert extended["timing"]["extended_due_on"] == "2027-03-01"  # 20 February 2027 + 9 paused days
    assert extended["timing"]["effective_due_on"] == extended["timing"]["extended_due_on"]
    with pytest.raises(ValidationFailed) as twice:
        requests.extend(ctx, SYSTEM, rid, ctx.today(), "again")
    assert twice.value.issues[0].field == "notified_on"
    refused = requests.refuse(ctx, SYSTEM, rid, "the same request was answered last week")
    assert refused["status"] == "refused" and "Information Commissioner" in refused["outcome"]["right_to_complain"]
    with pytest.raises(Conflict, match="refused"):
        requests.withdraw(ctx, SYSTEM, rid)
    assert requests.get(ctx, SYSTEM, rid)["version"] == refused["version"]


def test_prv3_customer_starts_own_access_portability_erasure_only(db_ctx: AppContext) -> None:
    """PRV-3: a customer starts access, portability and erasure with their own login (received today,
    identity verified); other kinds are recorded by staff (403 naming kind); another customer's case
    does not exist for them; staff must say how a request arrived."""
    ctx = db_ctx
    cid, other = new_customer(ctx, "Cat One"), new_customer(ctx, "Dan Two")
    me, them = customer_principal(ctx, cid), customer_principal(ctx, other)
    for kind in ("access", "portability", "erasure"):
        view = requests.start(ctx, me, cid, kind=kind, channel="post", received_on=date(2026, 1, 1))
        assert view["channel"] == "api" and view["timing"]["received_on"] == "2026-11-22"
        assert view["identity"]["method"] == "authenticated login"
        assert view["timing"]["due_on"] == "2026-12-22"
    with pytest.raises(Forbidden) as no:
        requests.start(ctx, me, cid, kind="rectification", details={"corrections": {"name": "X"}})
    assert no.value.issues[0].field == "kind"
    with pytest.raises(NotFound):
        requests.start(ctx, me, other, kind="access")
    mine = requests.list_requests(ctx, me)["requests"]
    assert len(mine) == 3
    with pytest.raises(NotFound):
        requests.get(ctx, them, mine[0]["id"])
    assert requests.list_requests(ctx, them, customer_id=cid)["requests"] == []
    with pytest.raises(Forbidden):
        requests.verify_identity(ctx, me, mine[0]["id"], "selfie")
    requests.withdraw(ctx, me, mine[0]["id"])  # the person may withdraw their own request
    with pytest.raises(ValidationFailed) as how:
        requests.start(ctx, SYSTEM, cid, kind="access")
    assert how.value.issues[0].field == "channel"
    with pytest.raises(ValidationFailed) as bad:
        requests.start(ctx, SYSTEM, cid, kind="teleport", channel="pigeon", received_on=date(2027, 1, 1))
    assert {i.field for i in bad.value.issues} == {"kind", "channel", "received_on"}
    with pytest.raises(NotFound) as nobody:
        requests.start(ctx, SYSTEM, "cus_nobody", kind="access", channel="email")
    assert nobody.value.issues[0].field == "customer_id"


def test_prv3_overdue_queue_follows_the_clock(db_ctx: AppContext) -> None:
    """PRV-3: the DPO's queue lists open cases past their due date once the clock passes it; an answered
    case leaves the open queue."""
    ctx = db_ctx
    cid = new_customer(ctx)
    late = staff_case(ctx, cid, "access")
    answered = staff_case(ctx, cid, "death_directive", {"directive": "erase"})
    assert requests.list_requests(ctx, SYSTEM, overdue_only=True)["requests"] == []
    requests.fulfil(ctx, SYSTEM, answered)
    advance(ctx, 31)  # due Tuesday 22 December; today 23 December
    queue = requests.list_requests(ctx, SYSTEM, overdue_only=True)
    assert [v["id"] for v in queue["requests"]] == [late] and queue["today"] == "2026-12-23"
    assert queue["requests"][0]["timing"]["overdue"] is True
    assert [v["id"] for v in requests.list_requests(ctx, SYSTEM, open_only=True)["requests"]] == [late]
    assert len(requests.list_requests(ctx, SYSTEM)["requests"]) == 2


def test_prv3_stale_case_is_not_overwritten(db_ctx: AppContext) -> None:
    """PRV-3: two handlers changing one case at once: the second save is a conflict, not a lost update."""
    ctx = db_ctx
    rid = requests.start(ctx, SYSTEM, new_customer(ctx), kind="access", channel="post")["id"]
    with ctx.uow() as uow:
        first = uow.requests.get(rid)
    assert first is not None
    requests.verify_identity(ctx, SYSTEM, rid, "passport")
    with ctx.uow() as uow, pytest.raises(Conflict):
        uow.requests.save(first.refuse("duplicate", ctx.clock.now(), ctx.today()), "usr_x", ctx.clock.now())
    assert requests.get(ctx, SYSTEM, rid)["status"] == "in_progress"



def test_issue12_a_rerun_loads_no_invited_policy_and_counts_them_as_before(db_ctx: AppContext) -> None:
    """Issue 12 (the renewal batch): a run reads only the customers of policies already holding an open
    invitation, never the policies and their transactions, and answers as looking at them did: skipped, or
    refused when their customer's processing is now restricted (PRV-3)."""
    from tests.integration.test_statement_counts import counting

    ctx = db_ctx
    kept, restricted = bind(ctx), bind(ctx, risk=motor_risk(postcode="LS2 7HX"))
    advance(ctx, 350)  # within the 28-day invitation window of both
    first = renewals.run_renewal_invitations(ctx, batch_size=1)
    assert (first["invited"], first["skipped"], first["not_invited"]) == (2, 0, 0)
    rid = staff_case(ctx, restricted["customer_id"], "restriction", {"ground": "accuracy_contested"})
    requests.fulfil(ctx, SYSTEM, rid, acknowledge_cover_effects=True)
    with counting(ctx) as seen:
        again = renewals.run_renewal_invitations(ctx, batch_size=1)
    assert (again["invited"], again["skipped"], again["not_invited"]) == (0, 1, 1)
    assert again["not_invited_reasons"] == {renewals.RESTRICTED_REASON: 1}
    assert not [s for s in seen if "policy_transactions" in s], "an invited policy was loaded"
    with ctx.uow(read_only=True) as uow:  # both invitations are still the one each
        assert [len(uow.pending.open_for(p["id"], "renewal")) for p in (kept, restricted)] == [1, 1]

# -- restriction and objection --------------------------------------------------------------------------


def test_prv3_restriction_with_live_cover_needs_acknowledgement_then_stops_quotes_renewals_marketing(
        db_ctx: AppContext) -> None:
    """PRV-3 (UK GDPR art. 18): restricting a customer with a live policy is refused until the effect on
    their cover is acknowledged (409 naming acknowledge_cover_effects); once in force, no new quote,
    no renewal invitation (skipped with the reason) and no marketing even with consent; lifting it
    restores all three."""
    ctx = db_ctx
    policy = bind(ctx)
    cid = policy["customer_id"]
    bystander = bind(ctx, risk=motor_risk(postcode="LS2 7HX"))
    grant_marketing(ctx, cid)
    assert consent.marketing_permitted(ctx, cid, Channel.EMAIL)
    rid = staff_case(ctx, cid, "restriction", {"ground": "accuracy_contested"})
    with pytest.raises(Conflict) as unacknowledged:
        requests.fulfil(ctx, SYSTEM, rid)
    issue = unacknowledged.value.issues[0]
    assert issue.field == "acknowledge_cover_effects" and policy["number"] in issue.reason
    assert requests.flags(ctx, SYSTEM, cid)["in_force"] == []
    assert requests.get(ctx, SYSTEM, rid)["status"] == "in_progress"

    done = requests.fulfil(ctx, SYSTEM, rid, acknowledge_cover_effects=True)
    assert done["status"] == "completed" and done["outcome"]["flags_set"] == ["restriction"]
    assert policy["number"] in done["outcome"]["cover_effects"][0]
    assert requests.flags(ctx, SYSTEM, cid)["in_force"] == ["restriction"]
    with pytest.raises(Conflict) as no_quote:
        quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    assert no_quote.value.issues[0].field == "customer_id"
    assert not consent.marketing_permitted(ctx, cid, Channel.EMAIL)
    with pytest.raises(Conflict) as no_change:  # nor a mid-term change
        adjust(ctx, policy["id"], ctx.today() + timedelta(days=5), Change("set_postcode", postcode="LS2 7HX"))
    assert "restricted" in no_change.value.message

    advance(ctx, 350)  # within the 28-day invitation window of both policies
    run = renewals.run_renewal_invitations(ctx)
    assert run["invited"] == 1 and run["not_invited"] == 1
    assert run["not_invited_reasons"] == {renewals.RESTRICTED_REASON: 1}
    with ctx.uow(read_only=True) as uow:
        assert uow.pending.open_for(policy["id"], "renewal") == []
        assert len(uow.pending.open_for(bystander["id"], "renewal")) == 1
    with pytest.raises(Conflict, match="restricted"):
        renewals.invite_renewal(ctx, SYSTEM, policy["id"])

    requests.lift_flag(ctx, SYSTEM, cid, "restriction")
    assert requests.flags(ctx, SYSTEM, cid)["in_force"] == []
    assert consent.marketing_permitted(ctx, cid, Channel.EMAIL)
    quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    assert renewals.run_renewal_invitations(ctx)["invited"] == 1
    with pytest.raises(Conflict) as not_in_force:
        requests.lift_flag(ctx, SYSTEM, cid, "restriction")
    assert not_in_force.value.issues[0].field == "flag"
    with pytest.raises(ValidationFailed):
        requests.lift_flag(ctx, SYSTEM, cid, "everything")


def test_prv3_restriction_after_the_invitation_stops_the_renewal(db_ctx: AppContext) -> None:
    """PRV-3: an invitation sent before the restriction cannot be accepted while it is in force, and the
    automatic renewal at expiry fails with the reason; the cover is not renewed."""
    ctx = db_ctx
    policy = bind(ctx)
    cid = policy["customer_id"]
    advance(ctx, 350)
    invitation = renewals.invite_renewal(ctx, SYSTEM, policy["id"])
    rid = staff_case(ctx, cid, "restriction", {"ground": "objection_pending"})
    requests.fulfil(ctx, SYSTEM, rid, acknowledge_cover_effects=True)
    with pytest.raises(Conflict) as refused:
        renewals.confirm_renewal(ctx, SYSTEM, policy["id"], invitation["id"], "renew-key-0001")
    assert refused.value.issues[0].field == "customer_id"
    advance(ctx, 13)  # the term ends on 22 November 2027
    run = renewals.run_auto_renewals(ctx)
    assert run["renewed"] == 0
    assert [f["policy_id"] for f in run["failed"]] == [policy["id"]]
    assert "restricted" in run["failed"][0]["reason"]
    with ctx.uow(read_only=True) as uow:
        stored = uow.policies.get(policy["id"])
    assert stored is not None and len(stored.terms()) == 1


def test_prv3_restriction_without_live_cover_needs_no_acknowledgement(db_ctx: AppContext) -> None:
    """PRV-3: with no live policy the restriction takes effect at once."""
    ctx = db_ctx
    cid = new_customer(ctx)
    with pytest.raises(ValidationFailed) as bad:
        staff_case(ctx, cid, "restriction", {"ground": "because"})
    assert bad.value.issues[0].field == "details.ground"
    rid = staff_case(ctx, cid, "restriction", {"ground": "unlawful_processing"})
    assert requests.fulfil(ctx, SYSTEM, rid)["outcome"]["cover_effects"] == []
    with pytest.raises(Conflict):
        quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))


def test_prv3_objection_to_marketing_blocks_marketing_but_not_the_contract(db_ctx: AppContext) -> None:
    """PRV-3 (UK GDPR art. 21(3)): an objection to marketing stops marketing on every channel whatever the
    consent; quoting goes on; other customers are not affected."""
    ctx = db_ctx
    cid, other = new_customer(ctx, "Obi Jector"), new_customer(ctx, "Con Senter")
    grant_marketing(ctx, cid)
    grant_marketing(ctx, other)
    with pytest.raises(ValidationFailed) as bad:
        staff_case(ctx, cid, "objection", {"to": ["telemarketing"]})
    assert bad.value.issues[0].field == "details.to"
    rid = staff_case(ctx, cid, "objection", {"to": ["marketing", "profiling"]})
    done = requests.fulfil(ctx, SYSTEM, rid)
    assert done["outcome"]["flags_set"] == ["marketing_objection", "profiling_objection"]
    for channel in Channel:
        assert not consent.marketing_permitted(ctx, cid, channel)
    assert consent.marketing_permitted(ctx, other, Channel.EMAIL)
    quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), motor_risk(), cid))
    requests.lift_flag(ctx, SYSTEM, cid, "marketing_objection")
    assert consent.marketing_permitted(ctx, cid, Channel.EMAIL)
    assert requests.flags(ctx, SYSTEM, cid)["in_force"] == ["profiling_objection"]


def test_prv3_consent_withdrawal_records_a_withdrawal_per_channel(db_ctx: AppContext) -> None:
    """PRV-2, PRV-3: a consent withdrawal request records a withdrawal for each channel named and every
    purpose, with the request in its wording; channels not named are unchanged."""
    ctx = db_ctx
    cid = new_customer(ctx)
    grant_marketing(ctx, cid, "email", "sms", "phone")
    advance(ctx, 1)
    rid = staff_case(ctx, cid, "consent_withdrawal", {"channels": ["email", "sms"]})
    done = requests.fulfil(ctx, SYSTEM, rid)
    assert done["outcome"] == {"consents_withdrawn": ["email", "sms"]}
    assert done["version"] == requests.get(ctx, SYSTEM, rid)["version"] == 2
    state = consent.consents(ctx, SYSTEM, cid)
    granted = {(c["channel"], c["purpose"]): c["granted"] for c in state["current"]}
    assert granted[("phone", "marketing")] is True
    assert not any(granted[(ch, p.value)] for ch in ("email", "sms") for p in ConsentPurpose)
    withdrawals = [h for h in state["history"] if not h["granted"]]
    assert len(withdrawals) == 2 * len(ConsentPurpose)
    assert all(rid in h["wording"] and h["source"] == "phone" for h in withdrawals)
    assert not consent.marketing_permitted(ctx, cid, Channel.SMS)
    assert consent.marketing_permitted(ctx, cid, Channel.PHONE)


# -- rectification and death directives ---------------------------------------------------------------------


def test_prv3_rectification_corrects_the_customer_and_lists_recipients_to_tell(db_ctx: AppContext) -> None:
    """PRV-3 (UK GDPR arts. 16, 19): a correction is checked like any customer detail (a bad e-mail names
    `email`, and changes nothing); a good one corrects the record and lists who received the data."""
    ctx = db_ctx
    policy = bind(ctx)
    cid = policy["customer_id"]
    with pytest.raises(ValidationFailed) as err:  # refused before a case opens: nothing is recorded
        staff_case(ctx, cid, "rectification", {"corrections": {"email": "not-an-address", "name": "Ann New"}})
    assert [i.field for i in err.value.issues] == ["details.corrections.email"]
    assert customers.get_customer(ctx, SYSTEM, cid)["name"] == "Ann Example"
    assert requests.list_requests(ctx, SYSTEM, cid)["requests"] == []

    rid = staff_case(ctx, cid, "rectification", {"corrections": {"email": "ann.new@example.org",
                                                                  "postcode": "ls2 7hx", "phone": "0113 496 0001"}})
    done = requests.fulfil(ctx, SYSTEM, rid)
    assert done["outcome"]["corrected"] == ["email", "phone", "postcode"]
    recipients = done["outcome"]["recipients_to_tell"]
    assert "payment_provider" in {r["recipient_kind"] for r in recipients}
    view = customers.get_customer(ctx, SYSTEM, cid)
    assert (view["email"], view["postcode"], view["phone"]) == ("ann.new@example.org", "LS2 7HX", "0113 496 0001")
    with pytest.raises(ValidationFailed) as unknown:
        staff_case(ctx, cid, "rectification", {"corrections": {"premium": "0"}})
    assert unknown.value.issues[0].field == "details.corrections.premium"


def test_prv3_death_directive_is_recorded_and_other_kinds_have_their_own_step(db_ctx: AppContext) -> None:
    """PRV-3 (S2): a directive about data after death is recorded (a transfer names the trusted person);
    access, portability and erasure are not fulfilled here (409 naming kind)."""
    ctx = db_ctx
    cid = new_customer(ctx)
    with pytest.raises(ValidationFailed) as who:
        staff_case(ctx, cid, "death_directive", {"directive": "transfer"})
    assert who.value.issues[0].field == "details.trusted_person"
    rid = staff_case(ctx, cid, "death_directive", {"directive": "transfer", "trusted_person": "Jo Example"})
    done = requests.fulfil(ctx, SYSTEM, rid)
    assert done["outcome"]["directive_recorded"] == "transfer" and done["details"]["trusted_person"] == "Jo Example"
    access = staff_case(ctx, cid, "access")
    with pytest.raises(Conflict) as own_step:
        requests.fulfil(ctx, SYSTEM, access)
    assert own_step.value.issues[0].field == "kind"
    with pytest.raises(Conflict, match="completed"):
        requests.fulfil(ctx, SYSTEM, rid)
    with pytest.raises(Forbidden):
        requests.fulfil(ctx, customer_principal(ctx, cid), access)


def test_prv3_case_timestamps_are_aware_utc(db_ctx: AppContext) -> None:
    """PRV-3: stored datetimes come back aware (UTC) on both databases."""
    ctx = db_ctx
    rid = staff_case(ctx, new_customer(ctx), "access")
    with ctx.uow(read_only=True) as uow:
        q = uow.requests.get(rid)
    assert q is not None
    for value in (q.created_at, q.identity_verified_at):
        assert isinstance(value, datetime) and value.utcoffset() == timedelta(0)
