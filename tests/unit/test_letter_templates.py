"""Issue 14 part 1 (DOC-1, DOC-2, CMP-4): today's letters (complaints, the NCD proof letter, the carbon
statement, the access package's page) are rendered from Jinja2 templates through the one shared environment
(`platform/templating.py`), autoescaped, as the documents context's are; none is built by hand."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from covernote.carbon.usecases import offsets as carbon
from covernote.complaints.domain import Complaint
from covernote.complaints.usecases.letters import compose
from covernote.documents.usecases import render as documents_render
from covernote.kernel.money import Money
from covernote.ncd import usecases as ncd
from covernote.platform import templating
from covernote.privacy.usecases import subject_access
from covernote.products.store.files import load_catalogue

SRC = Path(__file__).resolve().parents[2] / "src" / "covernote"
ROOT = Path(__file__).resolve().parents[2]
LETTER_MODULES = ("complaints/usecases/letters.py", "ncd/usecases.py", "carbon/usecases/offsets.py",
                  "privacy/usecases/subject_access.py")


@pytest.mark.parametrize("module", LETTER_MODULES)
def test_issue14_letters_are_not_built_by_hand(module: str) -> None:
    """Issue 14: the modules that made letters by hand import neither `html` (hand escaping) nor
    `string.Template`, and render through platform.templating."""
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert "html" not in imported and "string.Template" not in imported, module
    assert "covernote.platform.templating" in imported, module


def test_issue14_documents_use_the_shared_environment() -> None:
    """Issue 14: the documents context renders in the same environment as every other context."""
    assert documents_render.environment() is templating.environment("covernote.documents")
    assert documents_render.environment().filters["long_date"] is templating.long_date


def test_issue14_shared_environment_escapes_html_only_and_refuses_an_undefined_name() -> None:
    env = templating.environment("covernote.complaints")
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"  # strings: as HTML
    assert "<script>" not in env.get_template("letter.html").render(
        letterhead="", sent_on="", name="<script>", address="", reference="R", title="T", team_name="T",
        policy_number=None, format="standard", paragraphs=[], font_size="11pt", width="42em", production_note=None)
    text = env.get_template("fos.txt").render(fos_website="<w>", fos_address="a", fos_phones="p", fos_email="e")
    assert "<w>" in text  # plain text is not escaped
    with pytest.raises(UndefinedError):
        env.get_template("fos.txt").render(fos_website="w")


def _complaint(fmt: str, name: str = "Ann <O'Neil>") -> Complaint:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    return Complaint("CMP-1", "claim", "claims", "It is <late>\nand slow", name, "1 High St\nLeeds", "LS1 1AA", None,
                     None, "POL-1", None, None, "ECO", "letter", now, "england", fmt, "open", now, "staff",
                     outcome="upheld", redress=Money(Decimal("12.50")), resolution="We fixed it.")


@pytest.mark.parametrize("fmt", ["standard", "large_print", "braille"])
def test_issue14_cmp4_complaint_letter_from_templates_in_each_format(fmt: str) -> None:
    """Issue 14, DOC-2, CMP-4: the final response from the templates: the brand's letterhead from the product
    file's contacts, the words of the letter in text and in HTML (escaped), large print in 18pt, a provider's
    format marked on both."""
    contacts = load_catalogue(ROOT / "products").contacts_for("ECO", date(2026, 12, 7))
    letter = compose("final_response", _complaint(fmt), contacts=contacts, fmt=fmt,
                     sent_at=datetime(2026, 12, 7, 12, tzinfo=UTC), final_due=date(2027, 1, 30))
    assert letter.text.startswith(("[LARGE PRINT]\n" if fmt == "large_print" else "[BRAILLE]\n" if fmt == "braille"
                                   else "") + "Co-op Ecoinsurance\n")
    assert "Policy number: POL-1\n\nFinal response to your complaint\n\nDear Ann <O'Neil>," in letter.text
    assert "To put things right we will pay you £12.50." in letter.text and letter.text.endswith("Claims handling team\n")
    assert "Ann &lt;O&#39;Neil&gt;" in letter.html and "<O'Neil>" not in letter.html
    assert "<p>This is our final response to your complaint, which we received on 7 December 2026 by letter, about: " \
           "It is &lt;late&gt;<br>and slow</p>" in letter.html
    assert ("font-size:18pt" in letter.html) is (fmt == "large_print")
    assert ('<p class="note">To be produced in Braille' in letter.html) is (fmt == "braille")


def _ncd_letter(years: int, provisional: bool) -> Any:
    return {"title": "Proof of no-claims discount", "issued_on": "2026-12-07", "insurer": "Insurer <plc>",
            "policyholder": None, "policy_number": "CN-1", "registration": "AB12CDE", "ncd_years": years,
            "ended_on": "2027-01-01", "ended_how": "expired", "provisional": provisional, "insured_from": "2025-01-01",
            "claims": [{"occurred_on": "2025-06-01", "claim_type": "glass", "affects_ncd": False,
                        "claim_type_label": "Windscreen"}],
            "ncd_protected": False, "accepted_as_proof_until": "2029-01-01",
            "condition": "Provided no claim that affects NCD is made before 2027-01-01." if provisional else None,
            "explanation": ["One year earned."]}


def test_issue14_ncd1_proof_letter_from_templates() -> None:
    """Issue 14, NCD-1: the proof letter's text lines up its facts as before; its page escapes them."""
    text = ncd.letter_text(_ncd_letter(1, True))
    assert text.startswith("Insurer <plc>\n\nPROOF OF NO-CLAIMS DISCOUNT\n\nIssued on:          2026-12-07\n"
                           "Policyholder:       -\n")
    assert "Policy ends on:    2027-01-01\nNo-claims discount: 1 year\n" in text
    assert "\n\nProvided no claim that affects NCD is made before 2027-01-01.\n\nProtected no-claims discount: no\n" \
           "Claims since 2025-01-01: \n  - 2025-06-01: Windscreen (does not affect NCD)\n\n" \
           "How the years were worked out:\n  - One year earned.\n\n" in text
    assert text.endswith("until 2029-01-01.\n")
    ended = ncd.letter_text(_ncd_letter(3, False))
    assert "Policy ended on:    2027-01-01 (expired)\nNo-claims discount: 3 years\n" in ended and "Provided" not in ended
    page = ncd.letter_html(_ncd_letter(3, False))
    assert page.startswith("<!doctype html>") and "<p>Insurer &lt;plc&gt;</p>" in page
    assert "<tr><th>Claims since 2025-01-01</th><td>2025-06-01 Windscreen (does not affect NCD)</td></tr>" in page


def test_issue14_eco1_carbon_statement_from_template() -> None:
    """Issue 14, ECO-1: the statement page from its template, values escaped, thousands separated."""
    stretch = {"from": "2026-01-01", "to": "2026-06-01", "vehicle": {"registration": "AB12CDE", "make": "Skoda",
               "model": "<Octavia>"}, "gkm": 180, "estimated": True, "annual_mileage": 12000,
               "estimated_annual_co2_tonnes": "2.1", "annual_offset_tonnes": "2.2", "days_on_cover": 151,
               "estimate_basis": "petrol, 1400 cc to under 2000 cc"}
    s: Any = {"number": "CN-1", "policy_year": 1, "from": "2026-01-01", "to": "2027-01-01", "prepared_on": "2026-12-07",
              "offset_tonnes": "2.317", "estimated": True, "cost": "£12.00", "formula": "tonnes a year x days / 365",
              "rounding": "up to the kg", "projects": [], "records": [], "notes": ["An estimate."],
              "figures": {"days_in_year": 365, "stretches": [stretch]}}
    page = carbon.statement_html(s)
    assert "<title>Carbon offset statement CN-1 year 1</title>" in page
    assert "180 <span class='estimate'>estimate</span>" in page and "<td class='n'>12,000</td>" in page
    assert "&lt;Octavia&gt;" in page and "<tr><td colspan='8'>petrol, 1400 cc to under 2000 cc</td></tr>" in page
    assert "<h2>How we worked it out</h2>" not in carbon.statement_html({**s, "figures": None})


def test_issue14_prv3_access_package_page_from_template() -> None:
    """Issue 14, PRV-3: the package's page from its template: nested values as tables and lists, yes/no,
    empty values left out, every text escaped."""
    package: Any = {
        "generated_at": "2026-12-07T10:00:00+00:00", "subject": {"customer_id": "C1"},
        "records": {"customers": [{"name": "<b>Ann</b>", "risk": {"vehicle": {"make": "Skoda"}, "drivers": [{"a": 1}],
                                                                   "tags": ("x",), "none": None, "empty": []},
                                   "marketing": False}], "claims": []},
        "how_your_data_is_used": [], "recipients": [], "retention": [], "sources": ["credit_agency"],
        "not_included": [], "your_rights": []}
    page = subject_access.package_html(package)
    assert "<h3>Customers (1)</h3>" in page and "Claims" not in page
    assert "<th>Risk</th><td><table><tr><th>Vehicle</th><td><table><tr><th>Make</th><td>Skoda</td></tr></table>" in page
    assert "<th>Drivers</th><td><ol><li><table><tr><th>A</th><td>1</td></tr></table></li></ol>" in page
    assert "<th>Tags</th><td><ul><li>x</li></ul>" in page and "<th>Marketing</th><td>no</td>" in page
    assert "None" not in page and "Empty" not in page and "&lt;b&gt;Ann&lt;/b&gt;" in page
    assert "<p>credit agency</p>" in page
    assert "We have no record to show you of sharing your data" in page
