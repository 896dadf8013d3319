"""Complaints through the use cases, on SQLite and PostgreSQL (CMP-1..5, DOC-2): routing by kind, the
three clocks started on receipt, each letter recorded with the time it was sent and meeting its clock, the
summary resolution window, the final response, the eight-week letter, alternative formats, withdrawal and
the report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from covernote.complaints.domain import NewComplaint
from covernote.complaints.usecases import complaints
from covernote.identity.usecases import Principal
from covernote.kernel.clock import LONDON
from covernote.kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from covernote.platform.context import AppContext
from tests.support import bind, motor_risk, new_customer, warranty_risk, young_risk

STAFF = Principal("usr_staff", "staff")


def fields(exc: pytest.ExceptionInfo[DomainError]) -> set[str]:
    return {i.field for i in exc.value.issues}


def add(ctx: AppContext, principal: Principal = STAFF, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(kind="sales_service", description="I was charged a fee I was not told about",
                                  name="Ann Example", address="1 High Street, Leeds", received_via="letter",
                                  postcode="LS1 4AB", phone="0113 496 0000")
    values.update(over)
    return complaints.record(ctx, principal, NewComplaint(**values))


def deadline(view: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(d for d in view["clocks"] if d["rule"] == f"complaint.{rule}")


def uk(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def letter_text(ctx: AppContext, view: dict[str, Any], kind: str) -> str:
    found = next(x for x in view["letters"] if x["kind"] == kind)
    return complaints.letter(ctx, STAFF, view["id"], found["id"]).body


# -- CMP-1: routing, linking, the clocks started ---------------------------------------------------------------


def test_cmp1_a_complaint_is_routed_by_kind_and_its_clocks_belong_to_that_team(db_ctx):
    claim = add(db_ctx, kind="claim", description="My claim has taken months")
    sales = add(db_ctx, kind="sales_service")
    assert (claim["team"], sales["team"]) == ("complaints_claims", "complaints_sales_service")
    assert {d["team"] for d in claim["clocks"]} == {"complaints_claims"}
    assert {d["team"] for d in sales["clocks"]} == {"complaints_sales_service"}
    assert sorted(d["rule"] for d in claim["clocks"]) == ["complaint.acknowledgement", "complaint.final_response",
                                                          "complaint.summary_resolution"]
    assert [c["id"] for c in complaints.list_complaints(db_ctx, STAFF, team="complaints_claims")["complaints"]] == \
        [claim["id"]]
    with pytest.raises(ValidationFailed) as exc:
        complaints.list_complaints(db_ctx, STAFF, team="underwriting")
    assert fields(exc) == {"team"}


def test_cmp1_cmp5_linked_to_the_policy_and_customer_and_counted_in_the_nation_of_the_postcode(db_ctx):
    pol = bind(db_ctx)
    c = add(db_ctx, policy_number=pol["number"], postcode="EH1 1YZ")
    assert (c["policy_id"], c["customer_id"], c["product_code"]) == (pol["id"], pol["customer_id"], "ECO")
    assert c["nation"] == "SCT" and {d["nation"] for d in c["clocks"]} == {"SCT"}
    stranger = add(db_ctx, policy_number="XX999", postcode=None)  # not a customer; the number is kept as given
    assert stranger["customer_id"] is None and stranger["policy_number"] == "XX999" and stranger["nation"] == "ENG"
    assert "no policy XX999 found" in stranger["warnings"][0]
    other = new_customer(db_ctx, "Bo Other")
    with pytest.raises(ValidationFailed) as exc:
        add(db_ctx, policy_number=pol["number"], customer_id=other)
    assert fields(exc) == {"policy_number"}
    with pytest.raises(NotFound) as nf:
        add(db_ctx, customer_id="cus_nobody")
    assert fields(nf) == {"customer_id"}


def test_cmp1_a_customer_records_their_own_complaint_and_sees_only_their_own(db_ctx):
    cid = new_customer(db_ctx)
    me = Principal("usr_c", "customer", cid)
    mine = add(db_ctx, me, received_via="letter", received_at=uk(date(2026, 11, 1)))
    assert mine["customer_id"] == cid and mine["received_via"] == "web"
    assert mine["received_at"] == db_ctx.clock.now().isoformat()  # received now, whatever was sent
    theirs = add(db_ctx)
    assert [c["id"] for c in complaints.list_complaints(db_ctx, me)["complaints"]] == [mine["id"]]
    with pytest.raises(NotFound):
        complaints.get(db_ctx, me, theirs["id"])
    with pytest.raises(Forbidden):
        complaints.acknowledge(db_ctx, me, mine["id"])


# -- CMP-2: the acknowledgement in five working days, across Christmas ---------------------------------------


def test_cmp2_acknowledgement_due_five_working_days_later_across_christmas_and_met_by_its_letter(db_ctx, clock):
    clock.set(uk(date(2026, 12, 22), 15))  # Tuesday; Christmas Friday 25, Boxing Day Saturday -> Monday 28
    c = add(db_ctx)
    ack = deadline(c, "acknowledgement")
    assert ack["due_on"] == "2026-12-31" and "2026-12-25, 2026-12-28" in ack["explanation"][0]
    assert ack["state"] == "open"
    clock.set(uk(date(2026, 12, 31), 23) - timedelta(minutes=1))  # 22:59 UK time on the due day
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    letter = done["letters"][0]
    assert letter["kind"] == "acknowledgement" and letter["sent_at"] == clock.now().isoformat()
    ack = deadline(done, "acknowledgement")
    assert ack["state"] == "met_on_time" and ack["met_at"] == letter["sent_at"] and not ack["breached"]
    assert done["status"] == "acknowledged"
    text = letter_text(db_ctx, done, "acknowledgement")
    assert "received on 22 December 2026" in text and "Financial Ombudsman Service" in text
    assert "Ann Example" in text and "1 High Street, Leeds" in text and c["id"] in text


def test_cmp2_an_acknowledgement_sent_late_is_a_breach(db_ctx, clock):
    clock.set(uk(date(2026, 12, 22)))
    c = add(db_ctx)
    clock.set(uk(date(2027, 1, 1), 9))  # past the end of 31 December
    overdue = complaints.get(db_ctx, STAFF, c["id"])
    assert deadline(overdue, "acknowledgement")["state"] == "overdue"
    late = complaints.acknowledge(db_ctx, STAFF, c["id"])
    ack = deadline(late, "acknowledgement")
    assert ack["state"] == "met_late" and ack["breached"]
    # The summary window closed days ago: it is stopped, not reported as a breach.
    summary = deadline(late, "summary_resolution")
    assert summary["state"] == "stopped" and "window" in summary["stop_reason"]
    with pytest.raises(Conflict):
        complaints.acknowledge(db_ctx, STAFF, c["id"])


def test_cmp2_progress_updates_are_recorded_and_may_be_written(db_ctx):
    c = add(db_ctx)
    quiet = complaints.progress(db_ctx, STAFF, c["id"], "We have asked the repairer for their notes")
    assert quiet["letters"] == [] and quiet["history"][-1]["kind"] == "progress_update"
    wrote = complaints.progress(db_ctx, STAFF, c["id"], "The repairer has replied", send_letter=True)
    assert [x["kind"] for x in wrote["letters"]] == ["progress_update"]
    assert "The repairer has replied" in letter_text(db_ctx, wrote, "progress_update")
    assert deadline(wrote, "acknowledgement")["state"] == "open"  # an update is not the acknowledgement
    with pytest.raises(ValidationFailed) as exc:
        complaints.progress(db_ctx, STAFF, c["id"], "  ")
    assert fields(exc) == {"note"}


# -- CMP-3: the summary resolution communication, the final response, the eight-week letter ------------------


def test_cmp3_summary_resolution_within_three_business_days_mentions_the_ombudsman(db_ctx, clock):
    clock.set(uk(date(2026, 12, 4), 16))  # Friday: three business days run to Wednesday 9 December
    c = add(db_ctx)
    assert deadline(c, "summary_resolution")["due_on"] == "2026-12-09"
    clock.set(uk(date(2026, 12, 9), 17))
    done = complaints.resolve_summary(db_ctx, STAFF, c["id"], "We refunded the fee of 25.00.", "fees_and_charges")
    assert done["status"] == "resolved" and done["fos_refer_by"] == "2027-06-09"
    states = {d["rule"]: d["state"] for d in done["clocks"]}
    assert states == {"complaint.acknowledgement": "met_on_time", "complaint.summary_resolution": "met_on_time",
                      "complaint.final_response": "met_on_time"}
    text = letter_text(db_ctx, done, "summary_resolution")
    assert "We now consider your complaint to have been resolved" in text
    assert "Financial Ombudsman Service" in text and "www.financial-ombudsman.org.uk" in text
    assert "within six months of the date of this letter, that is by 9 June 2027" in text


def test_cmp3_no_summary_resolution_after_the_third_business_day(db_ctx, clock):
    clock.set(uk(date(2026, 12, 4), 16))
    c = add(db_ctx)
    clock.set(uk(date(2026, 12, 10), 9))
    with pytest.raises(ValidationFailed) as exc:
        complaints.resolve_summary(db_ctx, STAFF, c["id"], "Sorted.", "communication")
    assert fields(exc) == {"complaint_id"} and "final response" in exc.value.issues[0].reason
    assert complaints.get(db_ctx, STAFF, c["id"])["letters"] == []  # nothing was sent


def test_cmp3_final_response_states_the_outcome_redress_and_six_month_right_and_meets_the_clock(db_ctx, clock):
    clock.set(uk(date(2026, 12, 1)))
    pol = bind(db_ctx)
    c = add(db_ctx, kind="claim", policy_number=pol["number"])
    complaints.acknowledge(db_ctx, STAFF, c["id"])
    clock.set(uk(date(2027, 1, 15), 11))
    done = complaints.final_response(db_ctx, STAFF, c["id"], "partly_upheld", "The repair took too long.",
                                     "claim_delay", redress="150.00", root_cause_note="repairer backlog")
    assert (done["status"], done["outcome"], done["redress"], done["root_cause"]) == (
        "final_response_sent", "partly_upheld", "150.00", "claim_delay")
    final = deadline(done, "final_response")
    assert final["state"] == "met_on_time" and final["met_at"] == done["letters"][-1]["sent_at"]
    assert deadline(done, "summary_resolution")["state"] == "stopped"
    text = letter_text(db_ctx, done, "final_response")
    assert "This is our final response" in text and "we have partly upheld your complaint" in text
    assert "To put things right we will pay you £150.00." in text
    assert "delay in handling a claim" in text and f"Policy number: {pol['number']}" in text
    assert "within six months of the date of this letter, that is by 15 July 2027" in text
    for detail in ("Exchange Tower, London E14 9SR", "0800 023 4567 or 0300 123 9123",
                   "complaint.info@financial-ombudsman.org.uk", "www.financial-ombudsman.org.uk"):
        assert detail in text
    # Issue 13 item 2: an eco policy's letter comes from the eco brand's claims contact point (S1).
    assert text.startswith("Co-op Ecoinsurance\nCo-op Insurance\nCIS Building\nMiller Street\nManchester M60 0AL\n"
                           "Telephone: 0345 999 8888\n")
    assert "PO Box 1172" not in text and "Young Driver" not in text
    with pytest.raises(Conflict):
        complaints.final_response(db_ctx, STAFF, c["id"], "upheld", "again", "claim_delay")


def test_cmp3_bad_final_response_names_each_field(db_ctx):
    c = add(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        complaints.final_response(db_ctx, STAFF, c["id"], "perhaps", "", "unknown")
    assert fields(exc) == {"outcome", "explanation", "root_cause"}
    with pytest.raises(ValidationFailed) as exc:
        complaints.final_response(db_ctx, STAFF, c["id"], "upheld", "Sorry", "communication", redress="lots")
    assert fields(exc) == {"redress"}


def test_cmp3_eight_week_job_sends_the_letter_once_on_the_last_day_of_the_eight_weeks(db_ctx, clock):
    """CMP-3 (S3; FCA DISP 1.6.2: by the end of eight weeks): not before the last day, once, and not for a
    complaint that had its final response."""
    clock.set(uk(date(2026, 10, 1)))
    late = add(db_ctx)
    answered = add(db_ctx)
    complaints.acknowledge(db_ctx, STAFF, late["id"])
    assert deadline(late, "final_response")["due_on"] == "2026-11-26"
    clock.set(uk(date(2026, 11, 20)))
    first = complaints.send_eight_week_letters(db_ctx, STAFF)
    assert first["sent"] == [] and first["summary_windows_closed"] == 2  # both windows closed in October
    assert deadline(complaints.get(db_ctx, STAFF, answered["id"]), "summary_resolution")["state"] == "stopped"
    complaints.final_response(db_ctx, STAFF, answered["id"], "not_upheld", "The fee was in your terms.",
                              "fees_and_charges")
    clock.set(uk(date(2026, 11, 25), 20))  # the day before the last day
    assert complaints.send_eight_week_letters(db_ctx, STAFF)["sent"] == []
    clock.set(uk(date(2026, 11, 26), 2))  # the last day of the eight weeks
    result = complaints.send_eight_week_letters(db_ctx, STAFF)
    assert [s["complaint_id"] for s in result["sent"]] == [late["id"]] and result["errors"] == []
    assert complaints.send_eight_week_letters(db_ctx, STAFF)["sent"] == []  # once
    view = complaints.get(db_ctx, STAFF, late["id"])
    assert view["eight_week_letter_at"] == clock.now().isoformat() and view["fos_referral_open"]
    assert [x["kind"] for x in view["letters"]] == ["acknowledgement", "eight_week"]
    text = letter_text(db_ctx, view, "eight_week")
    assert "you may now refer your complaint to the Financial" in text
    clock.set(uk(date(2026, 11, 27), 2))
    view = complaints.get(db_ctx, STAFF, late["id"])
    assert deadline(view, "final_response")["state"] == "overdue"  # the letter is not a final response
    # A final response still follows; the clock is then met late.
    done = complaints.final_response(db_ctx, STAFF, late["id"], "upheld", "Sorry.", "administration_error")
    assert deadline(done, "final_response")["state"] == "met_late"


def test_cmp3_the_final_response_clock_cannot_be_paused_and_the_eight_week_letter_goes_on_its_last_day(db_ctx, clock):
    """CMP-3, DISP 1.6.2: the eight weeks run whatever we wait for; the letter goes by the end of them."""
    from covernote.clocks import usecases as clocks

    clock.set(uk(date(2026, 10, 1)))
    c = add(db_ctx)
    final = deadline(c, "final_response")
    clock.set(uk(date(2026, 10, 5)))
    with pytest.raises(ValidationFailed) as exc:
        clocks.pause(db_ctx, STAFF, final["id"], "waiting for the customer's photographs")
    assert fields(exc) == {"deadline_id"}
    clock.set(uk(date(2026, 11, 25), 23))  # the day before the last day of the eight weeks
    assert complaints.send_eight_week_letters(db_ctx, STAFF)["sent"] == []
    clock.set(uk(date(2026, 11, 26), 2))  # 1 October + 56 days: the last day
    assert len(complaints.send_eight_week_letters(db_ctx, STAFF)["sent"]) == 1
    assert complaints.send_eight_week_letters(db_ctx, STAFF)["sent"] == []  # once


# -- CMP-4: alternative formats ---------------------------------------------------------------------------------


def test_cmp4_large_print_is_recorded_and_every_letter_is_produced_in_it(db_ctx):
    c = add(db_ctx, alternative_format="large_print")
    assert c["alternative_format"] == "large_print" and c["letter_format"] == "large_print"
    with pytest.raises(ValidationFailed) as exc:
        complaints.acknowledge(db_ctx, STAFF, c["id"], fmt="standard")
    assert fields(exc) == {"format"} and "large print" in exc.value.message
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    letter = done["letters"][0]
    assert letter["format"] == "large_print" and letter["production"] == "covernote"
    found = complaints.letter(db_ctx, STAFF, c["id"], letter["id"])
    assert "font-size:18pt" in found.body_html and found.body.startswith("[LARGE PRINT]")


def test_cmp4_braille_and_audio_are_recorded_for_the_provider_and_sent_by_post(db_ctx):
    c = add(db_ctx, email="ann@example.org", received_via="email")
    changed = complaints.set_format(db_ctx, STAFF, c["id"], "braille")
    assert changed["alternative_format"] == "braille" and changed["history"][-1]["kind"] == "format_requested"
    with pytest.raises(ValidationFailed) as exc:
        complaints.acknowledge(db_ctx, STAFF, c["id"], channel="email")
    assert fields(exc) == {"channel"}
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    letter = done["letters"][0]
    assert (letter["format"], letter["production"], letter["channel"]) == ("braille", "provider", "post")
    assert "transcription provider" in letter["production_note"]
    html = complaints.letter(db_ctx, STAFF, c["id"], letter["id"]).body_html
    assert "To be produced in Braille by the transcription provider" in html
    with pytest.raises(ValidationFailed) as exc:
        complaints.set_format(db_ctx, STAFF, c["id"], "smoke")
    assert fields(exc) == {"alternative_format"}


def test_doc2_a_letter_by_email_only_to_someone_who_gave_an_address(db_ctx):
    c = add(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        complaints.acknowledge(db_ctx, STAFF, c["id"], channel="email")
    assert fields(exc) == {"channel"}
    web = add(db_ctx, received_via="web", email="ann@example.org")
    assert complaints.acknowledge(db_ctx, STAFF, web["id"])["letters"][0]["channel"] == "email"


# -- withdrawal ---------------------------------------------------------------------------------------------------


def test_cmp2_withdrawal_stops_every_clock(db_ctx, clock):
    c = add(db_ctx)
    clock.advance(timedelta(days=1))
    done = complaints.withdraw(db_ctx, STAFF, c["id"], "The customer says it is sorted")
    assert done["status"] == "withdrawn" and done["closed_at"] == clock.now().isoformat()
    assert {d["state"] for d in done["clocks"]} == {"stopped"}
    clock.advance(timedelta(weeks=10))
    assert {d["state"] for d in complaints.get(db_ctx, STAFF, c["id"])["clocks"]} == {"stopped"}
    assert complaints.send_eight_week_letters(db_ctx, STAFF)["sent"] == []
    with pytest.raises(Conflict):
        complaints.acknowledge(db_ctx, STAFF, c["id"])
    with pytest.raises(ValidationFailed) as exc:
        complaints.withdraw(db_ctx, STAFF, add(db_ctx)["id"], "")
    assert fields(exc) == {"reason"}


# -- the report ---------------------------------------------------------------------------------------------------


def test_cmp3_report_per_product_kind_root_cause_and_outcome_with_clocks_met_and_breached(db_ctx, clock):
    clock.set(uk(date(2026, 12, 1)))
    pol = bind(db_ctx)
    on_time = add(db_ctx, kind="claim", policy_number=pol["number"])
    complaints.acknowledge(db_ctx, STAFF, on_time["id"])
    complaints.final_response(db_ctx, STAFF, on_time["id"], "upheld", "Sorry.", "claim_delay", redress="100.00")
    quick = add(db_ctx)
    complaints.resolve_summary(db_ctx, STAFF, quick["id"], "Explained the fee.", "fees_and_charges")
    slow = add(db_ctx)
    withdrawn = add(db_ctx)
    complaints.withdraw(db_ctx, STAFF, withdrawn["id"], "no longer wanted")
    clock.set(uk(date(2026, 12, 20)))
    complaints.acknowledge(db_ctx, STAFF, slow["id"])  # late: due 8 December
    outside = add(db_ctx)  # received after the period
    assert outside

    r = complaints.report(db_ctx, STAFF, date(2026, 12, 1), date(2026, 12, 2))
    t = r["total"]
    assert (t["complaints"], t["open"], t["closed"], t["withdrawn"], t["summary_resolutions"],
            t["final_responses"], t["redress_total"]) == (4, 1, 3, 1, 1, 1, "100.00")
    assert t["acknowledgement"] == {"met_on_time": 2, "breached": 1, "open": 0, "stopped": 1}
    assert t["final_response"] == {"met_on_time": 2, "breached": 0, "open": 1, "stopped": 1}
    by = {d: {row[d]: row for row in r[f"by_{d}"]} for d in ("product", "kind", "root_cause", "outcome")}
    assert by["product"]["ECO"]["complaints"] == 1 and by["product"]["none"]["complaints"] == 3
    assert by["kind"]["claim"]["complaints"] == 1 and by["kind"]["sales_service"]["complaints"] == 3
    assert by["root_cause"]["claim_delay"]["redress_total"] == "100.00"
    assert by["root_cause"]["fees_and_charges"]["summary_resolutions"] == 1
    assert set(by["outcome"]) == {"upheld", "summary_resolution", "withdrawn", "none"}
    assert by["kind"]["sales_service"]["acknowledgement"]["breached"] == 1
    csv_text = complaints.report_csv(r)
    lines = csv_text.splitlines()
    assert lines[0].startswith("dimension,value,complaints,open,closed")
    assert "kind,claim,1,0,1,0,0,1,0,100.00,1,0,0,0,1,0,0,0" in lines
    assert lines[-1].startswith("total,all,4,1,3,1,1,1,0,100.00,2,1,0,1,2,0,1,1")
    with pytest.raises(ValidationFailed) as exc:
        complaints.report(db_ctx, STAFF, date(2026, 12, 2), date(2026, 12, 1))
    assert fields(exc) == {"to"}
    with pytest.raises(Forbidden):
        complaints.report(db_ctx, Principal("usr_c", "customer", "cus_x"))


def test_doc2_every_letter_is_kept_as_sent_with_its_time(db_ctx, clock):
    c = add(db_ctx)
    first = complaints.acknowledge(db_ctx, STAFF, c["id"])["letters"][0]
    clock.advance(timedelta(days=2))
    later = complaints.final_response(db_ctx, STAFF, c["id"], "not_upheld", "The fee is in the terms.",
                                      "fees_and_charges")
    listed = complaints.letters(db_ctx, STAFF, c["id"])["letters"]
    assert [x["kind"] for x in listed] == ["acknowledgement", "final_response"]
    assert listed[0] == first and listed[1]["sent_at"] == clock.now().isoformat()
    assert later["letters"] == listed
    with pytest.raises(NotFound) as exc:
        complaints.letter(db_ctx, STAFF, c["id"], "cml_nope")
    assert fields(exc) == {"letter_id"}


@pytest.mark.parametrize(("product", "team_kind", "head"), [
    ("ECO", "sales_service", ["Co-op Ecoinsurance", "Co-op Insurance", "CIS Building", "Miller Street",
                              "Manchester M60 0AL", "Telephone: 03457 46 46 46"]),
    ("YOUNG_DRIVER", "sales_service", [
        "Co-op Young Driver Insurance", "The Quality Manager Customer Service Department",
        "Co-op Young Driver Insurance", "The Connect Centre", "Kingston Crescent Portsmouth", "PO2 8QL",
        "Telephone: 02394 000032 (9am 5pm Monday to Friday)"]),
    ("YOUNG_DRIVER", "claim", ["Co-op Young Driver Insurance", "Customer Relations", "PO Box 1172",
                               "Whitstable CT5 9DS", "Telephone: 0344 705 0633", "E-mail: complaints@markertsudy.com"]),
    ("WARRANTY", "sales_service", ["OPTEVEN", "Opteven Holdings UK Ltd.", "The Data Protection Officer",
                                   "Oxford House", "Oxford Road", "Thame", "Oxon", "OX9 2AH"]),
])
def test_issue13_item2_letters_carry_their_products_brand_address_line_and_hours(db_ctx, clock, product, team_kind,
                                                                                 head):
    """Issue 13 item 2, DOC-2: a complaint letter's letterhead (brand, addressee, address, telephone line with
    its opening hours, e-mail) is its product's, quoted from that product's source; a source that gives no
    telephone line (S2) prints none."""
    risk = {"ECO": motor_risk, "YOUNG_DRIVER": young_risk, "WARRANTY": warranty_risk}[product]()
    pol = bind(db_ctx, product, risk)
    c = add(db_ctx, kind=team_kind, policy_number=pol["number"])
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    text = letter_text(db_ctx, done, "acknowledgement")
    assert text.split("\n")[:len(head)] == head
    if product == "WARRANTY":
        assert "Telephone:" not in text.split("\n\n")[0]
    found = next(x for x in done["letters"] if x["kind"] == "acknowledgement")
    html = complaints.letter(db_ctx, STAFF, done["id"], found["id"]).body_html
    assert "\n".join(head) in html


def test_issue13_item2_a_complaint_naming_no_product_takes_the_default_products_contacts(db_ctx):
    """Issue 13 item 2: a complaint with no policy is answered under the product marked
    `default_for_complaints` (young driver, S3), not a hard-coded brand."""
    c = add(db_ctx)
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    assert letter_text(db_ctx, done, "acknowledgement").startswith(
        "Co-op Young Driver Insurance\nThe Quality Manager Customer Service Department\n")


def test_issue13_item2_a_complaint_about_a_product_without_a_policy_takes_that_products_contacts(db_ctx):
    """Issue 13 item 2: a complaint naming a product but no policy (say, about a quote) is answered under that
    product's brand; an unknown product, or one other than the linked policy's, is refused naming product_code."""
    c = add(db_ctx, product_code="warranty")
    assert c["product_code"] == "WARRANTY"
    done = complaints.acknowledge(db_ctx, STAFF, c["id"])
    assert letter_text(db_ctx, done, "acknowledgement").startswith("OPTEVEN\nOpteven Holdings UK Ltd.\n")
    with pytest.raises(ValidationFailed) as exc:
        add(db_ctx, product_code="NOPE")
    assert fields(exc) == {"product_code"}
    pol = bind(db_ctx)
    with pytest.raises(ValidationFailed) as exc:
        add(db_ctx, policy_number=pol["number"], product_code="WARRANTY")
    assert fields(exc) == {"product_code"}
