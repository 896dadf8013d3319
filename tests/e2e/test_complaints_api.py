"""Complaints over HTTP (CMP-1..5, DOC-2): record, acknowledge, summary resolution, final response,
withdraw, alternative formats, letters as HTML and text, the report as JSON and CSV, and the eight-week
letter. Problem documents name the field; never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from covernote.complaints.usecases import complaints
from covernote.identity.usecases import SYSTEM
from covernote.kernel.clock import LONDON
from tests.e2e.conftest import field_names


def body(**over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {"kind": "claim", "description": "Nobody returns my calls about my claim",
                         "name": "Carol Customer", "address": "2 Low Road, Leeds", "postcode": "LS2 7HX",
                         "phone": "0113 496 0101", "received_via": "phone"}
    b.update(over)
    return b


def uk(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def test_cmp1_post_complaints_routes_by_kind_and_starts_three_clocks(api):
    r = api.post("/complaints", body())
    assert r.status_code == 201, r.json()
    c = r.json()
    assert c["team"] == "complaints_claims" and c["status"] == "received" and c["warnings"] == []
    assert {d["rule"] for d in c["clocks"]} == {"complaint.acknowledgement", "complaint.summary_resolution",
                                                "complaint.final_response"}
    sales = api.post("/complaints", body(kind="sales_service")).json()
    assert sales["team"] == "complaints_sales_service"
    listed = api.get("/complaints?team=complaints_sales_service").json()["complaints"]
    assert [x["id"] for x in listed] == [sales["id"]]
    assert listed[0]["clocks"]["complaint.acknowledgement"] == "open"
    shown = api.get(f"/complaints/{c['id']}").json()
    assert shown["id"] == c["id"] and shown["complainant"]["phone"] == "0113 496 0101"


def test_cmp1_bad_complaints_are_422_naming_each_field(api):
    r = api.post("/complaints", body(kind="pricing", name="", received_via="pigeon", postcode="ZZZ",
                                     received_at="2099-01-01T10:00:00Z", alternative_format="smoke", email="x"))
    assert r.status_code == 422
    assert field_names(r) == {"kind", "name", "received_via", "postcode", "received_at", "alternative_format", "email"}
    r = api.post("/complaints", {"kind": "claim"})
    assert r.status_code == 422 and {"description", "name", "address"} <= field_names(r)
    assert api.post("/complaints", body(extra="x")).status_code == 422
    assert api.get("/complaints?status=lost").status_code == 422
    r = api.get("/complaints/cmp_nope")
    assert r.status_code == 404 and field_names(r) == {"complaint_id"}


def test_cmp1_a_customer_complains_through_the_web_and_sees_only_their_own(api):
    mine = api.post("/complaints", body(kind="sales_service"), token=api.customer)
    assert mine.status_code == 201
    m = mine.json()
    assert m["customer_id"] == api.customer_id and m["received_via"] == "web"
    other = api.post("/complaints", body()).json()
    assert [x["id"] for x in api.get("/complaints", token=api.customer).json()["complaints"]] == [m["id"]]
    assert api.get(f"/complaints/{other['id']}", token=api.customer).status_code == 404
    assert api.get(f"/complaints/{m['id']}", token=api.customer).status_code == 200
    assert "history" not in api.get(f"/complaints/{m['id']}", token=api.customer).json()
    assert api.post(f"/complaints/{m['id']}/acknowledge", token=api.customer).status_code == 403
    assert api.get("/complaints/report", token=api.customer).status_code == 403


def test_cmp2_doc2_acknowledgement_letter_as_html_and_text_meets_the_clock(api):
    c = api.post("/complaints", body()).json()
    r = api.post(f"/complaints/{c['id']}/acknowledge")
    assert r.status_code == 200, r.json()
    done = r.json()
    letter = done["letters"][0]
    ack = next(d for d in done["clocks"] if d["rule"] == "complaint.acknowledgement")
    assert ack["state"] == "met_on_time" and ack["met_at"] == letter["sent_at"]
    html = api.get(f"/complaints/{c['id']}/letters/{letter['id']}?format=html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<h1>Acknowledgement of your complaint</h1>" in html.text and "font-size:11pt" in html.text
    text = api.get(f"/complaints/{c['id']}/letters/{letter['id']}?format=text")
    assert text.headers["content-type"].startswith("text/plain") and "Dear Carol Customer," in text.text
    record = api.get(f"/complaints/{c['id']}/letters/{letter['id']}").json()
    assert record["kind"] == "acknowledgement" and record["body"] == text.text
    assert api.get(f"/complaints/{c['id']}/letters").json()["letters"][0]["id"] == letter["id"]
    r = api.get(f"/complaints/{c['id']}/letters/cml_nope")
    assert r.status_code == 404 and field_names(r) == {"letter_id"}
    assert api.get(f"/complaints/{c['id']}/letters/{letter['id']}?format=pdf").status_code == 422
    assert api.post(f"/complaints/{c['id']}/acknowledge").status_code == 409


def test_cmp3_summary_resolution_and_final_response_over_http(api):
    c = api.post("/complaints", body()).json()
    bad = api.post(f"/complaints/{c['id']}/summary-resolution", {"resolution": "", "root_cause": "nope"})
    assert bad.status_code == 422 and field_names(bad) == {"resolution", "root_cause"}
    ok = api.post(f"/complaints/{c['id']}/summary-resolution",
                  {"resolution": "We called you back and booked the repair.", "root_cause": "communication"})
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
    letter = ok.json()["letters"][0]
    text = api.get(f"/complaints/{c['id']}/letters/{letter['id']}?format=text").text
    assert "Financial Ombudsman Service" in text and "considers" not in text

    d = api.post("/complaints", body(kind="sales_service")).json()
    bad = api.post(f"/complaints/{d['id']}/final-response",
                   {"outcome": "won", "explanation": "x", "root_cause": "fees_and_charges", "redress": "1.001"})
    assert bad.status_code == 422 and field_names(bad) == {"outcome", "redress"}
    bad = api.post(f"/complaints/{d['id']}/final-response",
                   {"outcome": "upheld", "explanation": "x", "root_cause": "fees_and_charges", "redress": "ten"})
    assert bad.status_code == 422 and field_names(bad) == {"redress"}
    ok = api.post(f"/complaints/{d['id']}/final-response",
                  {"outcome": "upheld", "explanation": "The fee should not have been charged.",
                   "root_cause": "fees_and_charges", "redress": "35.00"})
    assert ok.status_code == 200 and ok.json()["redress"] == "35.00"
    letter = ok.json()["letters"][0]
    text = api.get(f"/complaints/{d['id']}/letters/{letter['id']}?format=text").text
    assert "within six months of the date of this letter" in text and "£35.00" in text


def test_cmp3_no_summary_resolution_after_the_window_problem_names_complaint_id(api):
    api.ctx.clock.set(uk(date(2026, 12, 4)))
    c = api.post("/complaints", body()).json()
    api.ctx.clock.set(uk(date(2026, 12, 10)))
    r = api.post(f"/complaints/{c['id']}/summary-resolution", {"resolution": "Done", "root_cause": "communication"})
    assert r.status_code == 422 and field_names(r) == {"complaint_id"}


def test_cmp4_alternative_format_over_http(api):
    c = api.post("/complaints", body(alternative_format="large_print")).json()
    r = api.post(f"/complaints/{c['id']}/acknowledge", {"format": "standard"})
    assert r.status_code == 422 and field_names(r) == {"format"}
    letter = api.post(f"/complaints/{c['id']}/acknowledge").json()["letters"][0]
    assert letter["format"] == "large_print"
    assert "font-size:18pt" in api.get(f"/complaints/{c['id']}/letters/{letter['id']}?format=html").text
    r = api.post(f"/complaints/{c['id']}/format", {"format": "audio"})
    assert r.status_code == 200 and r.json()["alternative_format"] == "audio"
    assert field_names(api.post(f"/complaints/{c['id']}/format", {"format": "vinyl"})) == {"alternative_format"}


def test_cmp2_withdraw_stops_the_clocks_over_http(api):
    c = api.post("/complaints", body()).json()
    assert field_names(api.post(f"/complaints/{c['id']}/withdraw", {"reason": ""})) == {"reason"}
    r = api.post(f"/complaints/{c['id']}/withdraw", {"reason": "Resolved on the phone"})
    assert r.status_code == 200 and {d["state"] for d in r.json()["clocks"]} == {"stopped"}
    assert api.post(f"/complaints/{c['id']}/withdraw", {"reason": "again"}).status_code == 409


def test_cmp3_report_json_and_csv_and_the_eight_week_letter(api):
    api.ctx.clock.set(uk(date(2026, 10, 1)))
    c = api.post("/complaints", body()).json()
    api.ctx.clock.set(uk(date(2026, 11, 27)))
    sent = complaints.send_eight_week_letters(api.ctx, SYSTEM)["sent"]
    assert [s["complaint_id"] for s in sent] == [c["id"]]
    shown = api.get(f"/complaints/{c['id']}").json()
    assert shown["eight_week_letter_at"] is not None and shown["letters"][0]["kind"] == "eight_week"
    r = api.get("/complaints/report?from=2026-10-01&to=2026-10-02")
    assert r.status_code == 200
    t = r.json()["total"]
    assert t["complaints"] == 1 and t["eight_week_letters"] == 1
    assert t["acknowledgement"]["breached"] == 1 and t["final_response"]["breached"] == 1
    csv_r = api.get("/complaints/report?from=2026-10-01&to=2026-10-02&format=csv")
    assert csv_r.headers["content-type"].startswith("text/csv")
    assert csv_r.text.splitlines()[-1].startswith("total,all,1,1,0,0,0,0,1,0.00,0,1,0,0,0,1,0,0")
    bad = api.get("/complaints/report?from=2026-10-02&to=2026-10-01")
    assert bad.status_code == 422 and field_names(bad) == {"to"}
    assert field_names(api.get("/complaints/report?from=yesterday")) == {"from"}
    codes = api.get("/complaints/codes").json()
    assert {k["code"]: k["team"] for k in codes["kinds"]} == {"claim": "complaints_claims",
                                                               "sales_service": "complaints_sales_service"}
