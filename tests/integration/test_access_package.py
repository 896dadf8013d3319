"""The access package and the portability export (PRV-3), on SQLite and PostgreSQL.

Two customers are seeded through the use cases with values found nowhere else (bind, mid-term change,
consent, requests, sensitive fields). The package of one holds every value seeded about them and none
of the other's; fraud markers and legal holds are left out without revealing they exist; reading the
sensitive fields is logged; the HTML is escaped. The portability export holds only what the person
provided themselves, the same in JSON and CSV."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from covernote.identity.usecases import SYSTEM, Principal, create_user
from covernote.kernel.clock import FixedClock
from covernote.kernel.errors import Conflict, Forbidden, NotFound
from covernote.kernel.ids import new_id
from covernote.kernel.money import Money
from covernote.lifecycle.usecases import adjustments, quotes
from covernote.platform.context import AppContext
from covernote.policy.domain.risk import Change, Driver, Risk, Vehicle, make_answers
from covernote.policy.usecases import customers
from covernote.privacy.usecases import consent, disclosures, registers, requests, sensitive, subject_access
from tests.support import warranty_risk

ICO_NAME = "Information Commissioner\u2019s Office"  # S1 writes it with a typographic apostrophe

# What a person provides, as record.field (list indices removed).
PROVIDED = re.compile(
    r"customers\.(name|email|phone|date_of_birth|address|postcode)|users\.name"
    r"|(quotes\.|policy_transactions\.details\.(versions\[\]\.)?|pending_quotes\.result\.(versions_after\[\]\.)?)"
    r"risk\.(vehicle\.[a-z_0-9]+|postcode|answers\.[a-z_0-9]+)"
    r"|policy_transactions\.reason|pending_quotes\.request\.changes\[\]\.(vehicle\.[a-z_0-9]+|postcode|value)"
    r"|consent_decisions\.granted|subject_requests\.details|processing_flags\.flag"
    r"|sensitive_data\.(licence_number|health|convictions|bank_details)")


@dataclass
class Seeded:
    customer_id: str
    user_id: str
    principal: Principal
    policy: dict[str, Any]
    quote_id: str
    request_id: str
    # values the person gave us, and values about them we generated or received: all in their package
    provided: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)
    about_others: list[str] = field(default_factory=list)


def seed(ctx: AppContext, *, name: str, email: str, phone: str, address: str, postcode: str, reg: str,
         make: str, model: str, driver: str, licence: str, condition: str, account: str, account_name: str,
         named_driver: str) -> Seeded:
    cid = customers.create_customer(ctx, SYSTEM, name=name, email=email, address=address, postcode=postcode,
                                    phone=phone, date_of_birth=date(1979, 8, 23))["id"]
    user, _ = create_user(ctx, name.split()[0], "customer", cid)
    me = Principal(user.user_id, "customer", cid)
    risk = Risk(Vehicle(reg, make, model, 2019, Money.of("9000"), abi_group=12, fuel="petrol", engine_cc=1500,
                        co2_gkm=110, mileage=30000),
                (Driver("d1", driver, date(1979, 8, 23), date(1999, 6, 1)),), postcode,
                make_answers({"annual_mileage": 7000, "ncd_years": 4}))
    q = quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("ECO", ctx.today(), risk, cid))
    policy = quotes.bind_quote(ctx, SYSTEM, q["id"], payment_token="tok_visa", idempotency_key=new_id("key"))
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(timedelta(days=3))
    change = Change("add_driver", driver=Driver("d2", named_driver, date(1981, 1, 9), date(2001, 3, 1)))
    pending = adjustments.quote_adjustment(ctx, SYSTEM, policy["id"], adjustments.AdjustmentRequest(
        ctx.today(), (change,), None, None, "adding my partner"))
    adjustments.confirm_adjustment(ctx, SYSTEM, policy["id"], pending["id"], new_id("key"))
    consent.record_decision(ctx, SYSTEM, cid, channel="email", purpose="marketing", granted=True,
                            wording=f"Yes please, e-mail {email} about offers", source="web")
    rectification = requests.start(ctx, SYSTEM, cid, kind="rectification", channel="post",
                                   details={"corrections": {"phone": phone},
                                            "description": f"{name} wrote in about the phone number"})
    access = requests.start(ctx, me, cid, kind="access", details={"description": "everything please"})
    sensitive.record(ctx, me, cid, "policyholder", licence_number=licence,
                     health=[{"condition": condition, "notified_to_dvla": True}],
                     bank_details={"sort_code": "20-00-00", "account_number": account, "account_name": account_name})
    with ctx.uow(read_only=True) as uow:
        number = uow.policies.get(policy["id"]).number  # type: ignore[union-attr]
    return Seeded(cid, user.user_id, me, policy, q["id"], access["id"],
                  provided=[name, email, phone, address, postcode, reg, make, model, licence, condition, account,
                            account_name],
                  generated=[cid, user.user_id, policy["id"], number, q["id"], access["id"], rectification["id"]],
                  about_others=[named_driver])


@pytest.fixture
def two(db_ctx: AppContext) -> tuple[AppContext, Seeded, Seeded]:
    ctx = db_ctx
    aurelia = seed(ctx, name="Aurelia Quillfeather", email="aurelia.q@example.org", phone="07700 900123",
                   address="12 Lantern Walk, York", postcode="YO1 7HH", reg="AQ19ZZP", make="Skoda",
                   model="Fabia", driver="Aurelia Quillfeather", licence="QUILL708239AB1XY",
                   condition="controlled epilepsy", account="87654321", account_name="A Quillfeather",
                   named_driver="Bartholomew Quillfeather")
    bertrand = seed(ctx, name="Bertrand Zoltanovic", email="bertrand.z@example.net", phone="07700 900777",
                    address="3 Marsh Lane, Hull", postcode="HU1 2AA", reg="BZ20QQQ", make="Kia", model="Picanto",
                    driver="Bertrand Zoltanovic", licence="ZOLTA801165BZ2QQ", condition="sleep apnoea",
                    account="11223344", account_name="B Zoltanovic", named_driver="Wilhelmina Zoltanovic")
    return ctx, aurelia, bertrand


def test_prv3_access_package_holds_everything_about_the_person_and_nothing_else(
        two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3: every value seeded about the person appears in their package; no value of the other
    customer does (names, e-mails, registrations, ids, policy numbers, sensitive fields)."""
    ctx, a, b = two
    package = subject_access.access_package(ctx, a.principal, a.request_id)
    text = json.dumps(package, default=str)
    for value in a.provided + a.generated + a.about_others:
        assert value in text, value
    for value in b.provided + b.generated + b.about_others:
        assert value not in text, value
    assert package["request"]["status"] == "completed"
    assert package["request"]["version"] == requests.get(ctx, SYSTEM, a.request_id)["version"] == 2
    records = package["records"]
    assert {r["id"] for r in records["customers"]} == {a.customer_id}
    assert {r["customer_id"] for r in records["policies"]} == {a.customer_id}
    assert [t["kind"] for t in records["policy_transactions"]] == ["new_business", "mta"]
    assert len(records["consent_decisions"]) == 1 and len(records["subject_requests"]) == 2
    assert records["postings"] and records["journal_entries"]
    people = records["sensitive_data"]
    assert [p["person_ref"] for p in people] == ["policyholder"]
    assert people[0]["health"] == [{"condition": "controlled epilepsy", "notified_to_dvla": True}]
    # how each field is used, on what basis, where it came from, who received it and how long it is kept
    used = {u["field"]: u for u in package["how_your_data_is_used"]}
    assert used["customers.email"]["provided_by"] == "data_subject"
    assert {p["purpose"] for p in used["customers.email"]["purposes"]} == {"policy_administration", "marketing"}
    assert all(p["lawful_basis"] for u in used.values() for p in u["purposes"])
    assert "quotes.risk:drivers[].name" in used and used["quotes.risk:drivers[].name"]["about"] == "named_driver"
    assert {"data_subject", "policyholder", "generated", "third_party"} <= set(package["sources"])
    assert package["recipients"] and all(r["disclosed_at"] for r in package["recipients"])
    assert package["retention"] and package["retention"][0]["product"] == "ECO"
    (notice,) = package["your_rights"]  # one product, one notice (S1's)
    assert notice["products"] == ["ECO"] and notice["regulator"]["name"] == ICO_NAME


def test_prv3_package_leaves_out_fraud_markers_and_legal_holds_without_revealing_them(
        two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3, PRV-6: fraud markers (crime prevention exemption) and legal holds (privilege) are not in
    the package, and a package with them reads the same as one without: nothing tips the person off."""
    ctx, a, b = two
    registers.record_marker(ctx, SYSTEM, a.customer_id, reason="Ghost broking suspicion kestrel-44")
    registers.set_hold(ctx, SYSTEM, scope="customer", scope_id=a.customer_id, reason="Matter osprey-9 pending",
                       review_on=ctx.today() + timedelta(days=60))
    package = subject_access.access_package(ctx, a.principal, a.request_id)
    text = json.dumps(package, default=str)
    assert "kestrel-44" not in text and "osprey-9" not in text
    assert not {"fraud_markers", "legal_holds", "subject_keys", "idempotency_keys"} & set(package["records"])
    other = subject_access.access_package(ctx, b.principal, b.request_id)
    assert package["not_included"] == other["not_included"]
    assert set(package) == set(other)


def test_prv3_package_leaves_out_disclosures_withheld_under_dpa_sch2_para2_and_always_says_some_may_be(
        two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3, PRV-6 (DPA 2018 Sch. 2 para 2): a disclosure withheld from the person is in neither the records
    nor the recipients of their package (JSON or HTML); the statement that such disclosures may be left out
    is in every package, word for word, so a package with one reads the same as a package without."""
    ctx, a, b = two
    disclosures.record_manual_disclosure(
        ctx, SYSTEM, a.customer_id, recipient="Humber Police heron-31", recipient_kind="police",
        purpose="fraud_prevention", categories=["identity"], reference="HP-heron-31", withhold=True,
        withheld_reason="Operation heron-31: suspect not to be alerted")
    shown = disclosures.record_manual_disclosure(
        ctx, SYSTEM, a.customer_id, recipient="Reinsurer plc", recipient_kind="reinsurer",
        purpose="policy_administration", categories=["contract"], reference="BDX-77")
    package = subject_access.access_package(ctx, a.principal, a.request_id)
    other = subject_access.access_package(ctx, b.principal, b.request_id)
    text = json.dumps(package, default=str)
    page = subject_access.package_html(package)
    assert "heron-31" not in text and "heron-31" not in page
    assert "withheld_from_subject" not in text and "withheld_reason" not in text
    rows = package["records"]["disclosures"]
    assert shown["id"] in {r["id"] for r in rows}
    assert {r["recipient_kind"] for r in rows} == {"payment_provider", "reinsurer", "fraud_agency"}
    assert {r["kind"] for r in package["recipients"]} == {"payment_provider", "reinsurer", "fraud_agency"}
    assert set(rows[0]) == set(other["records"]["disclosures"][0])
    statement = subject_access.MAY_BE_WITHHELD
    assert statement in package["not_included"] and package["not_included"] == other["not_included"]
    assert "Sch. 2 para 2" in statement["why"] and "prevention or detection of crime" in statement["why"]
    assert html.escape(statement["why"]) in page
    assert html.escape(statement["why"]) in subject_access.package_html(other)
    assert set(package) == set(other)
    # the DPO's own package outside a case leaves it out too
    assert "heron-31" not in json.dumps(subject_access.package_for_customer(ctx, SYSTEM, a.customer_id), default=str)


def test_prv3_package_logs_the_sensitive_read(two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3, SEC-2: decrypting the sensitive fields for the package is logged (who, which fields, why)."""
    ctx, a, b = two
    staff = create_user(ctx, "Stan Staff", "staff")[0]
    who = Principal(staff.user_id, "staff")
    subject_access.access_package(ctx, who, a.request_id)
    dpo = Principal(create_user(ctx, "Dee Pio", "dpo")[0].user_id, "dpo")
    log = sensitive.reads_log(ctx, dpo, a.customer_id)["reads"]
    sar = [r for r in log if r["purpose"] == "subject_access_request"]
    assert len(sar) == 1
    assert sar[0]["user_id"] == staff.user_id and sar[0]["person_ref"] == "policyholder"
    assert set(sar[0]["fields"]) == {"licence_number", "health", "bank_details"}
    assert not [r for r in sensitive.reads_log(ctx, dpo, b.customer_id)["reads"]
                if r["purpose"] == "subject_access_request"]


def test_prv3_package_needs_a_verified_access_case_of_ones_own(two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3: nothing is released before identity is verified; a customer cannot read another's case;
    a package outside a case is for the DPO or an administrator only."""
    ctx, a, b = two
    postal = requests.start(ctx, SYSTEM, a.customer_id, kind="access", channel="post")
    with pytest.raises(Conflict, match="awaiting_identity"):
        subject_access.access_package(ctx, SYSTEM, postal["id"])
    with pytest.raises(NotFound):
        subject_access.access_package(ctx, b.principal, a.request_id)
    erasure_case = requests.start(ctx, a.principal, a.customer_id, kind="erasure")
    with pytest.raises(Conflict) as wrong_kind:
        subject_access.access_package(ctx, a.principal, erasure_case["id"])
    assert wrong_kind.value.issues[0].field == "request_id"
    with pytest.raises(Forbidden):
        subject_access.package_for_customer(ctx, Principal("u", "staff"), a.customer_id)
    with pytest.raises(NotFound):
        subject_access.package_for_customer(ctx, SYSTEM, "cus_nobody")
    own = subject_access.package_for_customer(ctx, SYSTEM, a.customer_id)
    assert a.customer_id in json.dumps(own) and b.customer_id not in json.dumps(own)


def test_prv3_html_package_is_escaped(db_ctx: AppContext) -> None:
    """PRV-3: the readable package escapes what people typed: a name with a script tag is shown as text."""
    ctx = db_ctx
    cid = customers.create_customer(ctx, SYSTEM, name="<script>alert('x')</script> Smith", email="s@example.org",
                                    address="1 <b>Bold</b> Street & Co", postcode="LS1 4AB")["id"]
    q = requests.start(ctx, SYSTEM, cid, kind="access", channel="email", identity_method="video call")
    page = subject_access.package_html(subject_access.access_package(ctx, SYSTEM, q["id"]))
    assert "<script>" not in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Smith" in page  # Jinja2's escape spells ' as &#39;
    assert "1 &lt;b&gt;Bold&lt;/b&gt; Street &amp; Co" in page
    assert page.startswith("<!doctype html>") and "Your rights" in page


def test_issue13_item4_package_gives_each_notices_rights_and_regulator_word_for_word(
        two: tuple[AppContext, Seeded, Seeded]) -> None:
    """Issue 13 item 4, PRV-3: a customer with an eco policy (S1's notice) and a warranty quote (S2's) gets
    each notice's rights as the notice words them, its contact and the regulator's: both of S1's ICO
    telephone numbers and its postal address, and S2's right to give directives about data after death."""
    ctx, a, _ = two
    quotes.create_quote(ctx, SYSTEM, quotes.QuoteRequest("WARRANTY", ctx.today(), warranty_risk(), a.customer_id))
    package = subject_access.package_for_customer(ctx, SYSTEM, a.customer_id)
    by_products = {tuple(n["products"]): n for n in package["your_rights"]}
    assert set(by_products) == {("ECO",), ("WARRANTY",)}
    s1, s2 = by_products[("ECO",)], by_products[("WARRANTY",)]
    assert s1["regulator"] == {"name": ICO_NAME, "website": "www.ico.org.uk",
                               "phones": ["0303 123 1113", "01625 545 745"],
                               "address": "Information Commissioner's Office, Wycliffe House, Water Lane, "
                                          "Wilmslow, Cheshire SK9 5AF"}
    s1_rights = {r["right"]: r["text"] for r in s1["rights"]}
    assert s1_rights["access"] == ("Right to access your personal information: you may request access to a copy "
                                   "of your personal information. Please send all requests for access in writing.")
    assert "post_mortem_directives" not in s1_rights
    assert "Manchester M60 0AL" in s1["contact"]
    s2_rights = {r["right"]: r["text"] for r in s2["rights"]}
    assert s2_rights["post_mortem_directives"] == (
        "Right to define the fate of your post-mortem data: you can define directives relating to the fate of "
        "your personal data after your death (concerning their conservation, their erasure, and, where "
        "applicable, their communication).")
    assert "Thame, Oxon, OX9 2AH" in s2["contact"]
    page = subject_access.package_html(package)
    for text in ("0303 123 1113 or 01625 545 745", "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
                 "Right to define the fate of your post-mortem data"):
        assert text in html.unescape(page), text


def _is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict | list)
    except ValueError:
        return False


def test_issue13_item22_html_package_shows_structured_values_as_tables_and_leaves_out_the_token_hash(
        two: tuple[AppContext, Seeded, Seeded]) -> None:
    """Issue 13 item 22 (HTML part): no cell of the readable package holds raw JSON (a risk, a rating, a
    transaction's details are nested tables and lists), and the customer's API token hash, a credential,
    is in neither the package nor its page (the package says it is not included)."""
    ctx, a, _ = two
    with ctx.uow(read_only=True) as uow:
        token_hash = uow.subject_data.rows(a.customer_id)["users"][0]["token_hash"]
    package = subject_access.access_package(ctx, a.principal, a.request_id)
    assert token_hash and token_hash not in json.dumps(package, default=str)
    assert all("token_hash" not in row for row in package["records"]["users"])
    assert any(x["register"] == "users.token_hash" for x in package["not_included"])
    page = subject_access.package_html(package)
    assert token_hash not in page
    cells = re.findall(r"<td>(.*?)</td>", page, flags=re.S)
    raw = [c for c in cells if _is_json(html.unescape(c)) or '{"' in html.unescape(c) or '["' in html.unescape(c)]
    assert not raw, raw[:3]
    assert "<th>Vehicle</th><td><table>" in page  # the risk's vehicle as a table of its fields
    assert "Skoda" in page and "AQ19ZZP" in page


# -- portability ----------------------------------------------------------------------------------------


def test_prv3_portability_exports_only_what_the_person_provided(two: tuple[AppContext, Seeded, Seeded]) -> None:
    """PRV-3 (UK GDPR art. 20): the export holds what the person gave us (their details, vehicle, answers,
    their own sensitive fields); nothing we generated (ids as values, prices, policy numbers, tokens,
    rating), nothing provided by others (payment tokens) or about other people (named drivers)."""
    ctx, a, b = two
    case = requests.start(ctx, a.principal, a.customer_id, kind="portability")
    data = json.loads(subject_access.portability_export(ctx, a.principal, case["id"], "json"))
    values = data["provided_by_you"]
    text = json.dumps(values)
    for value in ("Aurelia Quillfeather", "aurelia.q@example.org", "07700 900123", "12 Lantern Walk, York",
                  "YO1 7HH", "AQ19ZZP", "Skoda", "Fabia", "QUILL708239AB1XY", "controlled epilepsy", "87654321"):
        assert value in text, value
    fields = {(v["record"], v["field"]) for v in values}
    assert {("customers", "name"), ("customers", "email"), ("customers", "date_of_birth"),
            ("quotes", "risk.vehicle.registration"), ("quotes", "risk.answers.annual_mileage"),
            ("sensitive_data", "health")} <= fields
    # nothing generated (ids, prices, policy numbers, tokens, rating inputs, events), nothing received from
    # others (the payment token) and nothing about the named driver: every field exported is one of these
    with ctx.uow(read_only=True) as uow:
        policy = uow.policies.get(a.policy["id"])
    assert policy is not None
    for value in (policy.number, a.policy["id"], a.quote_id, "tok_visa", "Bartholomew", a.user_id):
        assert value not in text, value
    for v in values:
        where = v["record"] + "." + re.sub(r"\[\d+\]", "[]", v["field"])
        assert PROVIDED.fullmatch(where), where
    assert {v["record"] for v in values} >= {"customers", "users", "quotes", "policy_transactions",
                                             "consent_decisions", "subject_requests", "sensitive_data"}
    for value in b.provided + b.generated:
        assert value not in json.dumps(data), value

    # the CSV says the same
    rows = list(csv.reader(io.StringIO(subject_access.portability_export(ctx, a.principal, case["id"], "csv"))))
    assert rows[0] == ["record", "id", "field", "value"]

    def cell(v: Any) -> str:
        return json.dumps(v) if isinstance(v, dict | list) else str(v)

    assert [tuple(r) for r in rows[1:]] == [(v["record"], v["id"], v["field"], cell(v["value"])) for v in values]
    with pytest.raises(Conflict) as bad:
        subject_access.portability_export(ctx, a.principal, case["id"], "xml")
    assert bad.value.issues[0].field == "format"
    with ctx.uow(read_only=True) as uow:
        done = uow.requests.get(case["id"])
    assert done is not None and done.status.value == "completed"
    assert done.outcome == {"exported_values": len(values)}
