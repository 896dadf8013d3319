"""Demonstration data: customers and policies in several states, made through the real use cases on a
clock moved back and forth, so every figure is one the system itself computed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from covernote.billing.usecases import notices as payment_notices
from covernote.claims import usecases as claims
from covernote.claims.domain import Notification, Party
from covernote.identity.ports import User
from covernote.identity.usecases import SYSTEM, TOKEN_PREFIX_LENGTH, create_user, hash_token
from covernote.identity.usecases import web as portal
from covernote.kernel.clock import LONDON, FixedClock
from covernote.kernel.errors import Conflict, FieldIssue
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import adjustments, cancellations, policies, quotes, renewals
from covernote.ncd import usecases as ncd
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers
from covernote.privacy.usecases import consent, requests
from covernote.regulatory.usecases import cue, mid

DEMO_TOKENS = {"admin": "cn_demo_admin_token", "staff": "cn_demo_staff_token", "customer": "cn_demo_customer_token",
               "dpo": "cn_demo_dpo_token", "underwriter": "cn_demo_underwriter_token"}
# The portal's demonstration sign-ins (issue 14), public like the tokens: role -> (user name, password).
DEMO_SIGN_INS = {"customer": ("ann@example.org", "ann-demo-password"),
                 "staff": ("demo.staff", "staff-demo-password")}


def _car(reg: str, make: str, model: str, year: int, value: str, group: int, co2: int) -> Vehicle:
    return Vehicle(reg, make, model, year, Money.of(value), abi_group=group, fuel="petrol", engine_cc=1400,
                   co2_gkm=co2, mileage=25000)


class DemoAlreadyLoaded(Conflict):
    """The database holds the demonstration data and nothing else of users: loading again would change
    nothing (issue 13, item 9)."""


def _demo_users(uow: UnitOfWork) -> tuple[list[User], int]:
    """The demonstration users (known by their public tokens' hashes), and how many users there are."""
    demo = [u for u in (uow.users.by_token_hash(hash_token(t)) for t in DEMO_TOKENS.values()) if u is not None]
    return demo, uow.users.count()


def load_demo(ctx: AppContext) -> dict[str, Any]:
    """Load the demonstration set into an empty database (issue 13, item 9): its tokens are public, so it
    refuses a database with users or customers of its own. A database holding only a previous demonstration
    load answers DemoAlreadyLoaded (see `renew_demo_tokens`)."""
    with ctx.uow(read_only=True) as uow:
        demo, users = _demo_users(uow)
        if demo and users == len(demo):
            raise DemoAlreadyLoaded("the demonstration data is already loaded in this database")
        if users:
            raise Conflict(f"the database already has {users} user(s) of its own; demonstration data, whose tokens "
                           "are public, goes only into an empty database (set COVERNOTE_DATABASE_URL to a new one)",
                           [FieldIssue("database", "has users")])
        if uow.customers.page(1, 0):
            raise Conflict("the database already has customers; demonstration data goes into an empty one",
                           [FieldIssue("database", "has customers")])
    today = ctx.today()
    clock = FixedClock(ctx.clock.now())
    at = replace(ctx, clock=clock)

    def on(day: date) -> None:
        # What the nightly jobs would have done by then: send the MID updates and CUE reports (REG-1, REG-2),
        # take or pay the continuous payment authority's notices due (PAY-3).
        mid.send_pending(at, SYSTEM)
        cue.send_pending(at, SYSTEM)
        payment_notices.run_notices(at)
        clock.set_date(day, hour=10)

    def customer(name: str, email: str, address: str, postcode: str) -> str:
        return customers.create_customer(at, SYSTEM, name=name, email=email, address=address, postcode=postcode)["id"]

    def bind(cid: str, product: str, risk: Risk, start: date, term: Any = None,
             extras: tuple[str, ...] = (), proof: ncd.ProofInput | None = None) -> dict[str, Any]:
        on(start)
        q = quotes.create_quote(at, SYSTEM, quotes.QuoteRequest(product, start, risk, cid, term, extras))
        if proof is not None:
            ncd.add_quote_proof(at, SYSTEM, q["id"], proof)
        return quotes.bind_quote(at, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("demo"))

    made: dict[str, Any] = {}
    ann = customer("Ann Example", "ann@example.org", "1 Park Row, Leeds", "LS1 5HD")
    ann_risk = Risk(_car("LS19ECO", "Toyota", "Yaris Hybrid", 2019, "11000", 14, 92),
                    (Driver("ann", "Ann Example", date(1984, 3, 4), date(2003, 6, 1)),), "LS1 5HD",
                    make_answers({"annual_mileage": 8000, "ncd_years": 5, "voluntary_excess": "250"}))
    ann_start = today - timedelta(days=200)
    p = bind(ann, "ECO", ann_risk, ann_start, extras=("breakdown", "ncd_protection"),
             proof=ncd.ProofInput("renewal_notice", "Previous Motor Insurer plc", ncd_years=5,
                                  ended_on=ann_start, registration="LS19ECO", country="United Kingdom",
                                  issued_on=ann_start - timedelta(days=30), previous_policy_number="PMI-4471"))
    on(today - timedelta(days=100))
    q = adjustments.quote_adjustment(at, SYSTEM, p["id"], adjustments.AdjustmentRequest(
        today - timedelta(days=100), (Change("add_driver", driver=Driver("tom", "Tom Example", date(1983, 8, 9),
                                                                          date(2002, 1, 5), "spouse")),),
        reason="add spouse as named driver"))
    adjustments.confirm_adjustment(at, SYSTEM, p["id"], q["id"], new_id("demo"))
    made["live ECO policy with proven NCD, breakdown cover and NCD protection, and an adjustment"] = p["number"]

    ben = customer("Ben Young", "ben@example.org", "22 Deansgate, Manchester", "M3 2BW")
    ben_risk = Risk(_car("MA68YDI", "Ford", "Fiesta", 2018, "7000", 7, 120),
                    (Driver("ben", "Ben Young", date(2006, 2, 14), date(2024, 4, 1)),), "M3 2BW",
                    make_answers({"annual_mileage": 6000, "ncd_years": 0}))
    p = bind(ben, "YOUNG_DRIVER", ben_risk, today - timedelta(days=20))
    on(today - timedelta(days=12))
    q = cancellations.quote_cancellation(at, SYSTEM, p["id"], cancellations.CancelInput(
        today - timedelta(days=12), "changed my mind within cooling-off"))
    cancellations.confirm_cancellation(at, SYSTEM, p["id"], q["id"], new_id("demo"))
    on(today - timedelta(days=5))
    cancellations.record_box_return(at, SYSTEM, p["id"], today - timedelta(days=5), new_id("demo"))
    made["young-driver policy cancelled in cooling-off, box returned"] = p["number"]

    cara = customer("Cara Void", "cara@example.org", "5 Broad St, Birmingham", "B1 2HF")
    p = bind(cara, "ECO", replace(ann_risk, vehicle=_car("BI20VDD", "VW", "Golf", 2020, "15000", 20, 120),
                                  drivers=(Driver("cara", "Cara Void", date(1990, 1, 1), date(2010, 1, 1)),),
                                  postcode="B1 2HF"), today - timedelta(days=60))
    on(today - timedelta(days=30))
    policies.void_policy(at, SYSTEM, p["id"], reason="undisclosed convictions found (fraud)", idempotency_key=new_id("demo"))
    made["void policy (premium kept)"] = p["number"]

    dan = customer("Dan Renew", "dan@example.org", "9 Queen St, Edinburgh", "EH2 1JX")
    dan_risk = replace(ann_risk, vehicle=_car("SN17REN", "Skoda", "Octavia", 2017, "8000", 16, 110),
                       drivers=(Driver("dan", "Dan Renew", date(1970, 5, 5), date(1989, 5, 5)),), postcode="EH2 1JX")
    p = bind(dan, "ECO", dan_risk, today - timedelta(days=345))
    on(today)
    renewals.invite_renewal(at, SYSTEM, p["id"])
    made["ECO policy ending in 20 days with a renewal invitation"] = p["number"]

    eve = customer("Eve Warranty", "eve@example.org", "3 Corn St, Bristol", "BS1 1HT")
    p = bind(eve, "WARRANTY", Risk(_car("BS18WAR", "Honda", "Civic", 2018, "9500", 15, 130), (), "BS1 1HT",
                                   make_answers({"plan": "gold", "claim_limit": "2500"})), today - timedelta(days=30),
             quotes.Term("months", 24))
    made["24-month warranty"] = p["number"]

    fay = customer("Fay Drive", "fay@example.org", "7 High St, Exeter", "EX1 1BA")
    fay_risk = Risk(_car("EX24NEW", "Kia", "Picanto", 2024, "12500", 6, 105),
                    (Driver("fay", "Fay Drive", date(1995, 9, 9), date(2014, 9, 9)),), "EX1 1BA", ())
    p = bind(fay, "FULLCOVER", fay_risk, today - timedelta(days=2))
    made["FullCover drive-away, live"] = p["number"]
    p = bind(fay, "FULLCOVER", replace(fay_risk, vehicle=replace(fay_risk.vehicle, registration="EX23OLD")),
             today - timedelta(days=40))
    made["FullCover drive-away, expired"] = p["number"]

    gus = customer("Gus Claim", "gus@example.org", "2 Castle St, Leeds", "LS2 7HX")
    p = bind(gus, "ECO", replace(ann_risk, vehicle=_car("LS16CLM", "Nissan", "Leaf", 2016, "6000", 10, 0),
                                 drivers=(Driver("gus", "Gus Claim", date(1979, 7, 7), date(1999, 7, 7)),)),
             today - timedelta(days=90))
    on(today - timedelta(days=10))
    claim = claims.notify(at, SYSTEM, p["id"], Notification(
        "accident", datetime.combine(today - timedelta(days=11), time(17, 30), tzinfo=LONDON),
        "rear bumper and tailgate", "hit from behind while queueing at traffic lights", False,
        location="Kirkstall Road, Leeds",
        parties=(Party("third_party", "Terry Tailgate", "8 Wharf St, Leeds LS2 7EQ", "0113 496 0456", "YK15TTG",
                       "Other Motor Mutual", "OMM-998877"),)))
    claims.set_reserve(at, SYSTEM, claim["id"], Money.of("1850.00"), "repairer's estimate")
    on(today - timedelta(days=3))
    claims.add_correspondence(at, SYSTEM, claim["id"], direction="in", channel="email",
                              summary="asks when the car will be collected for repair")
    made["ECO policy with a claim (a cancellation would refund nothing, FEE-1)"] = p["number"]
    made["its claim, with an e-mail awaiting a reply within 5 working days (CLM-2): GET /claims/{id}"] = claim["id"]

    # Privacy: a marketing consent, a postal access request waiting for proof of identity, and a person
    # with only a quote who asked by e-mail to be erased (identity checked): the plan can be shown.
    on(today - timedelta(days=30))
    consent.record_decision(at, SYSTEM, ann, channel="email", purpose="marketing", granted=True,
                            wording="Send me offers by e-mail", source="phone")
    on(today - timedelta(days=3))
    requests.start(at, SYSTEM, ben, kind="access", channel="post", received_on=today - timedelta(days=10))
    hal = customer("Hal Erase", "hal@example.org", "4 Mill Lane, York", "YO1 7HH")
    on(today - timedelta(days=20))
    quotes.create_quote(at, SYSTEM, quotes.QuoteRequest("ECO", today - timedelta(days=19), replace(
        ann_risk, vehicle=_car("YO15HAL", "Mazda", "2", 2015, "4000", 9, 110),
        drivers=(Driver("hal", "Hal Erase", date(1988, 2, 2), date(2008, 2, 2)),), postcode="YO1 7HH"), hal, None))
    on(today)
    erasure = requests.start(at, SYSTEM, hal, kind="erasure", channel="email", received_on=today,
                             identity_method="reply from the e-mail address on record")
    made["erasure request (quote only): GET /privacy/requests/{id}/erasure-plan"] = erasure["id"]

    # A claims complaint from Gus about his claim, acknowledged; its final response is due in eight weeks
    # (CMP-1, CMP-2: docs/complaints.md).
    from covernote.complaints.domain import NewComplaint
    from covernote.complaints.usecases import complaints as complaints_app  # the demo's one complaint

    on(today - timedelta(days=2))
    complaint = complaints_app.record(at, SYSTEM, NewComplaint(
        "claim", "Nobody has called me back about my claim for a week", "Gus Claim", "2 Castle St, Leeds", "phone",
        postcode="LS2 7HX", phone="0113 496 0123", policy_number=made[
            "ECO policy with a claim (a cancellation would refund nothing, FEE-1)"]))
    on(today - timedelta(days=1))
    complaints_app.acknowledge(at, SYSTEM, complaint["id"])
    made["claims complaint, acknowledged: GET /complaints/{id}"] = complaint["id"]

    on(today)
    for role, token in DEMO_TOKENS.items():
        create_user(ctx, f"Demo {role}", role, ann if role == "customer" else None, token=token)
    demo_sign_ins(ctx)
    return {"policies": made, "tokens": DEMO_TOKENS, "customer_token_is_for": "Ann Example"}


def demo_sign_ins(ctx: AppContext) -> dict[str, str]:
    """Give the demonstration customer and staff member their portal sign-ins (DEMO_SIGN_INS) where they have
    none yet (a database loaded before the portal existed); one changed by an administrator is left as it is.
    Returns each role's state."""
    with ctx.uow(read_only=True) as uow:
        by_hash = {u.token_hash: u for u in _demo_users(uow)[0]}
    states: dict[str, str] = {}
    for role, (login, password) in DEMO_SIGN_INS.items():
        user = by_hash.get(hash_token(DEMO_TOKENS[role]))
        if user is None or not user.active:
            states[role] = "missing"
            continue
        if user.login is None:
            portal.set_password(ctx, SYSTEM, user.user_id, login, password)
            states[role] = "set"
        else:
            states[role] = "set" if user.login == login else f"changed by an administrator (now {user.login})"
    return states


def renew_demo_tokens(ctx: AppContext) -> dict[str, str]:
    """For a database holding only the demonstration data: each demonstration token works for another
    `ctx.token_lifetime_days` from now, unless an administrator revoked it. Returns each role's state."""
    now = ctx.clock.now()
    expires = now + timedelta(days=ctx.token_lifetime_days)
    states: dict[str, str] = {}
    with ctx.uow() as uow:
        demo, users = _demo_users(uow)
        if not demo or users != len(demo):
            raise Conflict("the database holds more than the demonstration data; its tokens are not renewed")
        by_hash = {u.token_hash: u for u in demo}
        for role, token in DEMO_TOKENS.items():
            user = by_hash.get(hash_token(token))
            if user is None:
                states[role] = "missing"
            elif user.token_revoked_at is not None or not user.active:
                states[role] = "revoked"
            else:
                uow.users.set_token(user.user_id, user.token_hash, token[:TOKEN_PREFIX_LENGTH], now, expires)
                states[role] = f"works until {expires.date().isoformat()}"
        uow.commit()
    return states
