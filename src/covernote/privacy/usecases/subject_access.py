"""The access package (PRV-3: a copy of all personal data and how it is used) and the portability
export (only what the person provided, machine-readable).

The package holds every stored record about the person, found through the links every table declares
(privacy/store/subject_data.py), with what the data map says of each field: purposes and lawful bases, who
provided it, the recipients from the disclosure register, and how long it is kept. Two registers are
left out under the exemptions the law gives: fraud markers (DPA 2018 Sch. 2 para 2, crime prevention)
and legal holds (Sch. 2 para 19, legal professional privilege); the data keys and the cached copies
of API answers hold nothing the person does not otherwise receive. Disclosures withheld under Sch. 2
para 2 are left out of the records and the recipients, and every package says, in the same words
whether or not any is withheld, that such disclosures may be left out.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from functools import cache
from typing import Any

from covernote.documents.domain import Letter, Owner
from covernote.documents.results import DocumentView
from covernote.documents.usecases import documents
from covernote.identity.usecases import Principal, require_privacy_officer
from covernote.kernel import csv_cells
from covernote.kernel.declarations import PURPOSES, DeclaredField, PersonalData, ProvidedBy, iter_declared
from covernote.kernel.errors import Conflict, FieldIssue, NotFound, ServiceUnavailable
from covernote.kernel.retention import SEED_RETENTION
from covernote.platform import templating
from covernote.platform.context import AppContext
from covernote.platform.uow import UnitOfWork
from covernote.privacy.domain.requests import RequestKind, RequestStatus, SubjectRequest
from covernote.privacy.usecases.requests import load_request, request_view
from covernote.privacy.usecases.results import (
    AccessPackage,
    AccessPackageAnswer,
    DataUse,
    NoticeRights,
    NotIncluded,
    PackageRecords,
    ProductRetention,
)
from covernote.privacy.usecases.sensitive import subject_access_view
from covernote.products.domain.notices import PrivacyNotice

WITHHELD = {
    "fraud_markers": "withheld: crime prevention exemption (DPA 2018 Sch. 2 para 2)",
    "fraud_checks": "withheld: the fraud prevention agency's answers, crime prevention exemption (DPA 2018 Sch. 2 para 2)",
    "legal_holds": "withheld: legal professional privilege (DPA 2018 Sch. 2 para 19)",
    "subject_keys": "not included: encryption keys, which protect your data and are not about you",
    "idempotency_keys": "not included: cached copies of answers already given to you, repeated elsewhere here",
}
# Always in the package, word for word, whether or not any disclosure is withheld: a statement made only when
# one is would tell the person that one exists, which the exemption is there to prevent.
MAY_BE_WITHHELD: NotIncluded = {
    "register": "disclosures",
    "why": "some disclosures may be left out: a disclosure to the police, another law enforcement or tax "
           "authority, a fraud prevention agency or a regulator is not listed where telling you about it would be "
           "likely to prejudice the prevention or detection of crime (DPA 2018 Sch. 2 para 2)",
}
# Credentials are not the person's data to hand over: whoever holds one can act as them (the API token's
# hash lets a guessed or leaked token be checked offline). Left out of the records, and said so.
CREDENTIALS: dict[str, tuple[str, ...]] = {"users": ("token_hash", "password_hash"),
                                            "web_sessions": ("id_hash", "csrf_token")}
NOT_HANDED_OVER: NotIncluded = {
    "register": "users.token_hash",
    "why": "not included: the fingerprint of your access token, a credential that could be used to act as you",
}
# Issue 14: the portal password's hash and the portal sessions' keys are credentials too.
NOT_HANDED_OVER_WEB: NotIncluded = {
    "register": "users.password_hash",
    "why": "not included: the hash of your portal password and the keys of your portal sessions, credentials "
           "that could be used to act as you",
}
# Issue 14: an access package issued as a document is a copy of the person's data; a later package lists it (its
# record and digests) without its bytes, which would repeat everything else in the package again.
EARLIER_PACKAGES: NotIncluded = {
    "register": "document_renditions.content",
    "why": "not repeated: the contents of the access packages we gave you before, copies of the data in this one "
           "(each is listed, with its digest)",
}
# Columns of the disclosure register that are about withholding: always false and empty in what the
# person is shown, so they are not shown at all.
_WITHHOLDING_COLUMNS = ("withheld_from_subject", "withheld_reason")


def notice_rights(ctx: AppContext, refs: list[str]) -> list[NoticeRights]:
    """The rights each of the person's privacy notices gives, word for word, with its contact and the
    regulator's contacts (PRV-3: product data). One entry per distinct notice, naming the person's products
    it covers; a person with no quote at all gets every notice of the products on sale, since any may apply."""
    if not refs:
        refs = [p.ref for p in ctx.catalogue.current(ctx.today())]
    grouped: dict[PrivacyNotice, list[str]] = {}
    for ref in refs:
        notice = ctx.catalogue.notice_for(ref)
        if notice is not None:
            codes = grouped.setdefault(notice, [])
            code = ref.partition("@")[0]
            if code not in codes:
                codes.append(code)
    return [{"notice": n.notice, "products": codes,
             "rights": [{"right": r.code, "text": r.text} for r in n.rights], "contact": n.contact,
             "regulator": {"name": n.regulator.name, "website": n.regulator.website,
                           "phones": list(n.regulator.phones), "address": n.regulator.address}}
            for n, codes in grouped.items()]


def _index(fields: list[DeclaredField]) -> dict[str, dict[str, PersonalData]]:
    """table -> column (or column:path pattern) -> declaration, for personal fields."""
    out: dict[str, dict[str, PersonalData]] = {}
    for f in fields:
        if isinstance(f.declaration, PersonalData):
            table, _, rest = f.location.partition(".")
            out.setdefault(table, {})[rest] = f.declaration
    return out


def _fields(ctx: AppContext) -> list[DeclaredField]:
    if ctx.inventory is None:
        raise ServiceUnavailable("no data inventory is configured")
    return ctx.inventory.fields()


def _describe(decl: PersonalData) -> DataUse:
    return {"category": decl.category.value, "about": decl.subject.value, "provided_by": decl.provided_by.value,
            "purposes": [{"purpose": p, "why": PURPOSES[p].description, "lawful_basis": PURPOSES[p].basis.value}
                         for p in decl.purposes]}


def _held_fields(rows: dict[str, list[dict[str, Any]]], index: dict[str, dict[str, PersonalData]]
                 ) -> dict[str, PersonalData]:
    """The personal fields (table.column or table.column:path) that hold a value about the person."""
    held: dict[str, PersonalData] = {}
    for table, records in rows.items():
        declared = index.get(table, {})
        for record in records:
            for column, value in record.items():
                if value is None:
                    continue
                if column in declared:
                    held[f"{table}.{column}"] = declared[column]
                    continue
                inside = {k.split(":", 1)[1]: d for k, d in declared.items() if k.startswith(column + ":")}
                if inside and isinstance(value, dict | list):
                    for _path, pattern, decl, _v in iter_declared(value, inside):
                        held[f"{table}.{column}:{pattern}"] = decl
    return held


def _shown_to_subject(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The person's rows without the disclosures withheld from them (DPA 2018 Sch. 2 para 2), and without
    the withholding columns of the others."""
    out = dict(rows)
    if "document_renditions" in out:
        out["document_renditions"] = [{**r, "content": None} if r.get("owner_kind") == "data_request" else r
                                      for r in out["document_renditions"]]
    if "disclosures" in out:
        out["disclosures"] = [{k: v for k, v in r.items() if k not in _WITHHOLDING_COLUMNS}
                              for r in out["disclosures"] if not r.get("withheld_from_subject")]
    return out


def build_package(ctx: AppContext, uow: UnitOfWork, customer_id: str, reader: Principal) -> AccessPackage:
    """The complete access package for one person, as data. Reading their sensitive fields is logged.
    Disclosures withheld from the person are left out everywhere in it."""
    now = ctx.clock.now()
    rows = _shown_to_subject(uow.subject_data.rows(customer_id))
    index = _index(_fields(ctx))
    records: PackageRecords = {t: [{k: v for k, v in row.items() if k not in CREDENTIALS.get(t, ())} for row in r]
                               for t, r in rows.items() if t not in WITHHELD and t != "sensitive_data"}
    if ctx.keyring is not None:
        records["sensitive_data"] = subject_access_view(uow, ctx.keyring, customer_id, reader, now)
    held = _held_fields({t: r for t, r in rows.items() if t not in WITHHELD}, index)
    disclosures = uow.disclosures.for_customer(customer_id, include_withheld=False)
    refs = sorted({q["product_ref"] for q in rows["quotes"]})  # every policy was a quote first
    # Always the same list: naming only the registers that hold something would tell the person that a
    # fraud marker or a legal hold exists, which the exemptions relied on are there to prevent.
    not_included: list[NotIncluded] = [{"register": t, "why": why} for t, why in WITHHELD.items()]
    not_included.append({**MAY_BE_WITHHELD})
    not_included.append({**NOT_HANDED_OVER})
    not_included.append({**NOT_HANDED_OVER_WEB})
    not_included.append({**EARLIER_PACKAGES})
    retention: list[ProductRetention] = []
    for ref in refs:
        product = ctx.catalogue.by_ref(ref)
        retention.append({"product": product.code, "version": ref, "rules": [f"{r.category}: {r.describe()}"
                                                    for r in (product.retention.rules or SEED_RETENTION)]})
    return {
        "subject": {"customer_id": customer_id},
        "generated_at": now.isoformat(),
        "records": records,
        "how_your_data_is_used": [{"field": loc, **_describe(d)} for loc, d in sorted(held.items())],
        "sources": sorted({d.provided_by.value for d in held.values()}),
        "recipients": [{"recipient": d.recipient, "kind": d.recipient_kind, "purpose": d.purpose,
                        "lawful_basis": d.basis, "categories": list(d.categories),
                        "disclosed_at": d.disclosed_at.isoformat(), "reference": d.reference} for d in disclosures],
        "retention": retention,
        "not_included": not_included,
        "your_rights": notice_rights(ctx, refs),
    }


def _ready(uow: UnitOfWork, principal: Principal, request_id: str, kinds: tuple[RequestKind, ...]) -> SubjectRequest:
    q = load_request(uow, principal, request_id)
    if q.kind not in kinds:
        raise Conflict(f"request {request_id} is a {q.kind.value} request",
                       [FieldIssue("request_id", f"use a {' or '.join(k.value for k in kinds)} request")])
    if q.status not in (RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED):
        raise Conflict(f"the request is {q.status.value}: the data is released once identity is verified and "
                       "nothing is awaited from the person")
    return q


def _complete(uow: UnitOfWork, principal: Principal, q: SubjectRequest, outcome: dict[str, Any],
              ctx: AppContext) -> SubjectRequest:
    if q.status is RequestStatus.COMPLETED:
        return q
    done = q.complete(outcome, ctx.clock.now())
    return replace(done, version=uow.requests.save(done, principal.user_id, ctx.clock.now()))


def access_package(ctx: AppContext, principal: Principal, request_id: str) -> AccessPackageAnswer:
    """The package for an access request; producing it answers the request (the case is completed)."""
    with ctx.uow() as uow:
        q = _ready(uow, principal, request_id, (RequestKind.ACCESS,))
        package = build_package(ctx, uow, q.customer_id, principal)
        counts = {t: len(r) for t, r in package["records"].items() if r}
        done = _complete(uow, principal, q, {"package": counts}, ctx)
        uow.commit()
    return {"request": request_view(done, ctx.today()), **package}


def package_for_customer(ctx: AppContext, principal: Principal, customer_id: str) -> AccessPackage:
    """An access package outside a case (the DPO's own check, the CLI)."""
    require_privacy_officer(principal, "export an access package outside a request")
    with ctx.uow() as uow:
        if uow.customers.get(customer_id) is None:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        package = build_package(ctx, uow, customer_id, principal)
        uow.commit()
    return package


def package_html(package: AccessPackage | AccessPackageAnswer) -> str:
    """The package as a document a person can read: each record as a table of its fields, with structured
    values (a risk, a rating, a transaction's details) as nested tables and lists rather than JSON
    (`privacy/templates/access_package.html`, autoescaped; issue 14)."""
    return templating.render("covernote.privacy", "access_package.html", **package,
                             may_be_withheld=MAY_BE_WITHHELD["why"])


# -- the access package as an issued document (issue 14; DOC-1, PRV-3) ---------------------------------------

PACKAGE_KIND = "access_package"  # the documents' kind; its owner and subject are the access request
PACKAGE_TITLE = "Your personal data (access request)"


@cache
def package_template_version() -> str:
    """A SHA-256 of the access package's template source: the wording a package issued now was written in."""
    source = templating.source("covernote.privacy", "access_package.html")
    return hashlib.sha256(b"access_package.html\0" + source.encode("utf-8") + b"\0").hexdigest()


def _printable(package: AccessPackageAnswer) -> AccessPackageAnswer:
    """The package for people to read and print: each document's bytes (base64 in the records) said in words
    instead (its size and SHA-256; the document itself is downloadable on its own). The JSON keeps them."""
    rows = package["records"].get("document_renditions")
    if not rows:
        return package
    said = [{**r, "content": f"{r.get('size')} bytes with SHA-256 {r.get('sha256')}: the document itself, which "
                             "you can download on its own" if r.get("content") else r.get("content")} for r in rows]
    return {**package, "records": {**package["records"], "document_renditions": said}}


def package_document(ctx: AppContext, principal: Principal, request_id: str) -> DocumentView:
    """The access request's package as an issued document (issue 14): the first time, the package is produced
    (which answers the request, as `access_package` does) and stored once by the documents context as HTML (the
    page people read, with each document's bytes described rather than repeated), PDF (made from that HTML) and
    plain text (the package's JSON, for their own software), with each one's SHA-256; afterwards the same
    document, byte for byte. The person it concerns, or staff; another customer's request answers as unknown."""
    with ctx.uow(read_only=True) as uow:
        q = _ready(uow, principal, request_id, (RequestKind.ACCESS,))
    owner = Owner("data_request", q.request_id, q.customer_id)
    issued = [d for d in documents.owned_documents(ctx, principal, owner) if d["kind"] == PACKAGE_KIND]
    if issued:
        return issued[0]
    package = access_package(ctx, principal, request_id)
    letter = Letter(PACKAGE_KIND, q.request_id, PACKAGE_TITLE, "privacy/access_package", package_template_version(),
                    None, None, package_html(_printable(package)),
                    json.dumps(package, indent=2, ensure_ascii=False, default=str) + "\n")
    return documents.issue_owned_letter(ctx, principal, owner, letter)


def request_documents(ctx: AppContext, principal: Principal, request_id: str) -> list[DocumentView]:
    """The documents issued for a data subject request (its access package, once issued), issuing nothing: the
    person it concerns, or staff."""
    with ctx.uow(read_only=True) as uow:
        q = load_request(uow, principal, request_id)
    return documents.owned_documents(ctx, principal, Owner("data_request", q.request_id, q.customer_id))


# -- portability ----------------------------------------------------------------------------------------


def provided_data(ctx: AppContext, uow: UnitOfWork, customer_id: str, reader: Principal) -> list[dict[str, Any]]:
    """Every value the person gave us themselves (provided_by data_subject), as (record, id, field, value)
    rows. Data they gave about other people (named drivers, PRV-9) is theirs to port only where it is
    about them, so it is left out; what we generated or received from others is not portable."""
    rows = _shown_to_subject(uow.subject_data.rows(customer_id))
    index = _index(_fields(ctx))
    out: list[dict[str, Any]] = []
    for table, records in rows.items():
        if table in WITHHELD or table == "sensitive_data":
            continue
        declared = index.get(table, {})
        for position, record in enumerate(records, start=1):
            # Fields of one record share a number; our own identifiers are generated, so they are not ported.
            record_id = str(position)
            for column, value in record.items():
                if value is None:
                    continue
                decl = declared.get(column)
                if decl is not None:
                    if decl.provided_by is ProvidedBy.DATA_SUBJECT:
                        out.append({"record": table, "id": record_id, "field": column, "value": value})
                    continue
                inside = {k.split(":", 1)[1]: d for k, d in declared.items() if k.startswith(column + ":")}
                if inside and isinstance(value, dict | list):
                    for path, _pattern, d, v in iter_declared(value, inside):
                        if d.provided_by is ProvidedBy.DATA_SUBJECT and v is not None:
                            out.append({"record": table, "id": record_id, "field": f"{column}.{path}", "value": v})
    if ctx.keyring is not None:
        for person in subject_access_view(uow, ctx.keyring, customer_id, reader, ctx.clock.now()):
            if person.get("person_ref") != "policyholder":
                continue
            for key, value in person.items():
                if key in ("licence_number", "health", "convictions", "bank_details") and value is not None:
                    out.append({"record": "sensitive_data", "id": "policyholder", "field": key, "value": value})
    return out


def portability_export(ctx: AppContext, principal: Principal, request_id: str, fmt: str = "json") -> str:
    """The portability export for a portability request, as JSON or CSV; producing it answers the request."""
    if fmt not in ("json", "csv"):
        raise Conflict("unknown format", [FieldIssue("format", "use json or csv")])
    with ctx.uow() as uow:
        q = _ready(uow, principal, request_id, (RequestKind.PORTABILITY,))
        data = provided_data(ctx, uow, q.customer_id, principal)
        _complete(uow, principal, q, {"exported_values": len(data)}, ctx)
        uow.commit()
    if fmt == "json":
        return json.dumps({"customer_id": q.customer_id, "generated_at": ctx.clock.now().isoformat(),
                           "provided_by_you": data}, indent=2, default=str)
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(("record", "id", "field", "value"))
    for item in data:
        value = item["value"]
        writer.writerow((item["record"], item["id"], item["field"],
                         json.dumps(value, default=str) if isinstance(value, dict | list) else value))
    return out.getvalue()
