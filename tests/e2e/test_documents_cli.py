"""Issue 14 (DOC-1, CMP-4) from the command line, on SQLite and PostgreSQL: `covernote documents list`
issues and lists a policy's documents, `documents get DOC --format pdf --out FILE` writes the stored bytes
(the same bytes every time), paper copies go through `paper-copy`, `print-queue` and `mark`, and the daily
job `jobs documents-issue` issues what nobody listed; bad input names the option and exits 2."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pypdf

Cli = Callable[..., str]


def _policy(cli: Cli, tmp_path: Path) -> dict[str, str]:
    customer = json.loads(cli("customers", "create", "--name", "Dee Driver", "--email", "dee@example.org",
                              "--address", "4 Lane, Leeds", "--postcode", "LS2 7HX", "--json"))
    vehicle = {"registration": "LS19ABC", "make": "Ford", "model": "Fiesta", "year": 2019, "value": "9000",
               "abi_group": 12, "fuel": "petrol", "engine_cc": 1500, "co2_gkm": 110}
    risk = tmp_path / "risk.json"
    risk.write_text(json.dumps({"vehicle": vehicle,
                                "drivers": [{"name": "Dee Driver", "date_of_birth": "1980-01-01",
                                             "licence_held_since": "2000-01-01"}],
                                "postcode": "LS2 7HX", "answers": {"annual_mileage": 8000, "ncd_years": 3}}))
    quote = json.loads(cli("quote", "create", "--product", "ECO", "--customer", customer["id"],
                           "--risk-file", str(risk), "--json"))
    policy = json.loads(cli("policy", "bind", quote["id"], "--token", "tok_visa", "--idempotency-key",
                            "cli-documents-1", "--json"))
    return {"id": policy["id"], "number": policy["number"]}


def test_doc1_list_and_get_the_certificate_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    out = cli("documents", "list", p["number"])
    assert f"Documents of policy {p['number']} (4, 4 issued now)" in out and "Certificate of motor insurance" in out
    listed = json.loads(cli("documents", "list", p["id"], "--json"))
    assert listed["issued_now"] == 0
    cert = listed["documents"][0]
    sha = {f["format"]: f["sha256"] for f in cert["formats"]}
    first, second = tmp_path / "one.pdf", tmp_path / "two.pdf"
    assert "wrote" in cli("documents", "get", cert["id"], "--format", "pdf", "--out", str(first))
    cli("documents", "get", cert["id"], "--out", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert hashlib.sha256(first.read_bytes()).hexdigest() == sha["pdf"]
    text = " ".join(pypdf.PdfReader(io.BytesIO(first.read_bytes())).pages[0].extract_text().split())
    assert "Registration mark of vehicle LS19ABC" in text and "Name of policyholder Dee Driver" in text
    assert "Authorised Insurers" in text
    txt = cli("documents", "get", cert["id"], "--format", "txt")
    assert hashlib.sha256(txt.encode("utf-8")).hexdigest() == sha["txt"]
    large = tmp_path / "large.pdf"
    cli("documents", "get", cert["id"], "--format", "pdf", "--large-print", "--out", str(large))
    assert large.read_bytes().startswith(b"%PDF-") and large.read_bytes() != first.read_bytes()


def test_doc1_bad_input_names_the_option_and_exits_2(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    cert = json.loads(cli("documents", "list", p["id"], "--json"))["documents"][0]
    assert "--out" in cli("documents", "get", cert["id"], "--format", "pdf", code=2)
    assert "format" in cli("documents", "get", cert["id"], "--format", "docx", "--out", str(tmp_path / "x"), code=2)
    assert "large_print" in cli("documents", "get", cert["id"], "--format", "txt", "--large-print", code=2)
    assert "document_id" in cli("documents", "get", "doc_nonesuch", "--format", "txt", code=2)
    assert "status" in cli("documents", "mark", "prt_x", "shredded", code=2)


def test_doc1_paper_copies_and_the_daily_issue_job_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    p = _policy(cli, tmp_path)
    assert "issued 4 documents for 1 policies" in cli("jobs", "documents-issue")
    assert "issued 0 documents" in cli("documents", "issue")
    cert = json.loads(cli("documents", "list", p["id"], "--json"))["documents"][0]
    asked = json.loads(cli("documents", "paper-copy", cert["id"], "--large-print", "--json"))
    assert asked["status"] == "requested" and asked["large_print"] is True
    queue = cli("documents", "print-queue")
    assert asked["id"] in queue and "(large print)" in queue and "Dee Driver, 4 Lane, Leeds, LS2 7HX" in queue
    assert "printed" in cli("documents", "mark", asked["id"], "printed")
    assert "posted" in cli("documents", "mark", asked["id"], "posted")
    assert "already posted" in cli("documents", "mark", asked["id"], "posted", code=2)
    assert cli("documents", "print-queue").strip() == "no paper copies waiting"
