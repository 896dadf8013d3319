"""Sensitive fields encrypted at rest, readable only by the roles that need them, every read logged
(PRV-7, PRV-11, SEC-2).

Four fields per person (the policyholder, and each named driver the policyholder tells us about, PRV-9):
the driving licence number, health (conditions notifiable to the DVLA), convictions and bank details.
Each value is stored as JSON text encrypted with the customer's own data key; that key is stored wrapped
by a master key kept outside the database (the keyring). So:

* reading needs the database AND the keyring: a copy of the database alone reveals nothing;
* the master key can rotate (`rotate_keys`): only the small wrapped data keys are re-encrypted;
* deleting the customer's wrapped data key (`erase_keys`) makes every value unreadable for good
  (crypto-shredding: the declared `encrypt_then_drop_key` erasure strategy).

Decrypted values go only to underwriters and the data protection officer (SENSITIVE_READER_ROLES) and to
the customer themselves; each such read is written to the read log in the same unit of work and committed
before the values are returned, so no value is ever shown without its log row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from covernote.identity.usecases import (
    PRIVACY_OFFICER_ROLES,
    SENSITIVE_READER_ROLES,
    Principal,
    check_customer,
    require_admin,
    require_sensitive_reader,
)
from covernote.kernel.errors import (
    Conflict,
    FieldIssue,
    Forbidden,
    IssueCollector,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from covernote.kernel.ids import new_id
from covernote.platform.context import AppContext
from covernote.platform.paging import check_listing
from covernote.platform.uow import UnitOfWork
from covernote.privacy.ports import Keyring, SensitiveRead, SensitiveRecord, SubjectKey
from covernote.privacy.usecases.results import KeysErased
from covernote.privacy.usecases.results_sensitive import (
    KeyRotation,
    RewrapFailure,
    SensitivePerson,
    SensitiveReadEntry,
    SensitiveReading,
    SensitiveReadsLog,
    SensitiveRecorded,
    SensitiveSummary,
)

FIELDS: tuple[str, ...] = ("licence_number", "health", "convictions", "bank_details")
POLICYHOLDER = "policyholder"
OWN_DATA_PURPOSE = "own_data"
SUBJECT_ACCESS_PURPOSE = "subject_access_request"
ERASED: dict[str, bool] = {"erased": True}
# Labels that would clash with the API's own paths under /customers/{id}/sensitive/.
RESERVED_REFS = frozenset({"summary"})

_PERSON_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
_PURPOSE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:/-]{0,59}$")
# A DVLA driving licence number: surname (5, padded with 9), date of birth (6), initials (2), a digit,
# two check characters. The surname part is letters, then only 9s.
_LICENCE = re.compile(
    r"^(?P<surname>[A-Z]{5}|[A-Z]{4}9|[A-Z]{3}99|[A-Z]{2}999|[A-Z]9999)"
    r"(?P<birth>[0-9]{6})(?P<initials>[A-Z][A-Z9])(?P<digit>[0-9])(?P<check>[A-Z0-9]{2})$")
_CONVICTION_CODE = re.compile(r"^[A-Z]{2}[0-9]{2}$")
MAX_HEALTH_ITEMS = 30
MAX_CONVICTIONS = 50
MAX_CONDITION_LENGTH = 200
MAX_ACCOUNT_NAME_LENGTH = 70


# -- validation: each problem names its field --------------------------------------------------------


def _licence_birth_date_ok(digits: str) -> bool:
    """Characters 6-11: decade digit, month (plus 50 for women), day, year digit. The century is not
    encoded, so the day must exist in the month in 19xx or 20xx."""
    month = int(digits[1:3])
    if month > 50:
        month -= 50
    day = int(digits[3:5])
    yy = int(digits[0]) * 10 + int(digits[5])
    for year in (1900 + yy, 2000 + yy):
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def normalise_licence(value: Any, issues: IssueCollector, field: str = "licence_number") -> str | None:
    if not isinstance(value, str):
        issues.add(field, "must be text: the 16-character DVLA licence number")
        return None
    text = re.sub(r"\s+", "", value).upper()
    if len(text) != 16:
        issues.add(field, f"a DVLA licence number has 16 characters (without spaces), not {len(text)}")
        return None
    m = _LICENCE.match(text)
    if m is None:
        if not re.match(r"^([A-Z]{5}|[A-Z]{4}9|[A-Z]{3}99|[A-Z]{2}999|[A-Z]9999)", text):
            issues.add(field, "characters 1-5 must be the first five letters of the surname, padded with 9 "
                              "(e.g. MORGA or LEE99)")
        elif not text[5:11].isdigit():
            issues.add(field, "characters 6-11 must be the 6 digits of the date of birth")
        elif not re.match(r"^[A-Z][A-Z9]$", text[11:13]):
            issues.add(field, "characters 12-13 must be the initials (a letter, then a letter or 9)")
        elif not text[13].isdigit():
            issues.add(field, "character 14 must be a digit")
        else:
            issues.add(field, "characters 15-16 must be the two check characters (letters or digits)")
        return None
    if not _licence_birth_date_ok(m.group("birth")):
        issues.add(field, "characters 6-11 do not encode a date of birth (decade, month or month+50, day, year)")
        return None
    return text


def _text(value: Any, issues: IssueCollector, field: str, max_length: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        issues.add(field, "is required (text)")
        return None
    text = value.strip()
    if len(text) > max_length:
        issues.add(field, f"must be at most {max_length} characters")
        return None
    if any(ord(c) < 32 for c in text):
        issues.add(field, "must not contain control characters")
        return None
    return text


def _items(value: Any, issues: IssueCollector, field: str, limit: int) -> list[Any] | None:
    if not isinstance(value, list):
        issues.add(field, "must be a list (an empty list declares none)")
        return None
    if len(value) > limit:
        issues.add(field, f"at most {limit} entries")
        return None
    return value


def _object(value: Any, issues: IssueCollector, field: str, keys: Sequence[str]) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        issues.add(field, f"must be an object with {', '.join(keys)}")
        return None
    for extra in sorted(set(value) - set(keys)):
        issues.add(f"{field}.{extra}", f"unknown field; expected {', '.join(keys)}")
    return value


def normalise_health(value: Any, issues: IssueCollector) -> list[dict[str, Any]] | None:
    items = _items(value, issues, "health", MAX_HEALTH_ITEMS)
    if items is None:
        return None
    out: list[dict[str, Any]] = []
    before = len(issues.issues)
    for i, item in enumerate(items):
        field = f"health[{i}]"
        obj = _object(item, issues, field, ("condition", "notified_to_dvla"))
        if obj is None:
            continue
        condition = _text(obj.get("condition"), issues, f"{field}.condition", MAX_CONDITION_LENGTH)
        notified = obj.get("notified_to_dvla")
        if not isinstance(notified, bool):
            issues.add(f"{field}.notified_to_dvla", "is required: true or false")
        if condition is not None and isinstance(notified, bool):
            out.append({"condition": condition, "notified_to_dvla": notified})
    return out if len(issues.issues) == before else None


def normalise_convictions(value: Any, issues: IssueCollector, today: date) -> list[dict[str, Any]] | None:
    items = _items(value, issues, "convictions", MAX_CONVICTIONS)
    if items is None:
        return None
    out: list[dict[str, Any]] = []
    before = len(issues.issues)
    for i, item in enumerate(items):
        field = f"convictions[{i}]"
        obj = _object(item, issues, field, ("code", "date", "points"))
        if obj is None:
            continue
        code = obj.get("code")
        code_ok = isinstance(code, str) and bool(_CONVICTION_CODE.match(code.strip().upper()))
        if not code_ok:
            issues.add(f"{field}.code", "must be a DVLA endorsement code: 2 letters and 2 digits (e.g. SP30)")
        raw_date = obj.get("date")
        when: date | None = None
        if isinstance(raw_date, date) and not isinstance(raw_date, datetime):
            when = raw_date
        elif isinstance(raw_date, str):
            try:
                when = date.fromisoformat(raw_date.strip())
            except ValueError:
                when = None
        if when is None:
            issues.add(f"{field}.date", "must be a date as YYYY-MM-DD")
        elif when > today:
            issues.add(f"{field}.date", f"must not be in the future (today is {today.isoformat()})")
            when = None
        points = obj.get("points")
        points_ok = isinstance(points, int) and not isinstance(points, bool) and 0 <= points <= 11
        if not points_ok:
            issues.add(f"{field}.points", "must be a whole number of penalty points from 0 to 11")
        if code_ok and when is not None and points_ok:
            assert isinstance(code, str)
            out.append({"code": code.strip().upper(), "date": when.isoformat(), "points": points})
    return out if len(issues.issues) == before else None


def normalise_bank_details(value: Any, issues: IssueCollector) -> dict[str, str] | None:
    obj = _object(value, issues, "bank_details", ("sort_code", "account_number", "account_name"))
    if obj is None:
        return None
    before = len(issues.issues)
    sort_code = obj.get("sort_code")
    sort_digits = re.sub(r"[\s-]", "", sort_code) if isinstance(sort_code, str) else ""
    if not re.fullmatch(r"[0-9]{6}", sort_digits):
        issues.add("bank_details.sort_code", "must be 6 digits (e.g. 12-34-56)")
    account = obj.get("account_number")
    account_digits = re.sub(r"\s", "", account) if isinstance(account, str) else ""
    if not re.fullmatch(r"[0-9]{8}", account_digits):
        issues.add("bank_details.account_number", "must be 8 digits, as text")
    name = _text(obj.get("account_name"), issues, "bank_details.account_name", MAX_ACCOUNT_NAME_LENGTH)
    if len(issues.issues) != before or name is None:
        return None
    return {"sort_code": sort_digits, "account_number": account_digits, "account_name": name}


def normalise_fields(fields: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The given fields, checked and normalised; None stays None (it clears the field). Raises
    ValidationFailed naming every field at fault."""
    issues = IssueCollector()
    out: dict[str, Any] = {}
    for name in sorted(set(fields) - set(FIELDS)):
        issues.add(name, f"unknown field; the sensitive fields are {', '.join(FIELDS)}")
    if not fields:
        issues.add("body", f"give at least one of {', '.join(FIELDS)} (null clears a field)")
    for name in FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if value is None:
            out[name] = None
        elif name == "licence_number":
            out[name] = normalise_licence(value, issues)
        elif name == "health":
            out[name] = normalise_health(value, issues)
        elif name == "convictions":
            out[name] = normalise_convictions(value, issues, today)
        else:
            out[name] = normalise_bank_details(value, issues)
    issues.raise_if_any("the sensitive data is not valid")
    return out


def check_person_ref(person_ref: str) -> str:
    if person_ref == POLICYHOLDER:
        return person_ref
    if person_ref in RESERVED_REFS or not _PERSON_REF.match(person_ref):
        raise ValidationFailed("not a person on the customer's record", [FieldIssue(
            "person_ref", "use 'policyholder' or the named driver's label from the risk (letters, digits, "
                          "'_', '-' or '.', up to 60 characters; not 'summary')")])
    return person_ref


def _subject(person_ref: str) -> str:
    return "customer" if person_ref == POLICYHOLDER else "named_driver"


def _provided_by(subject: str) -> str:
    # PRV-9: a named driver's data is given to us by the policyholder, not by the driver.
    return "data_subject" if subject == "customer" else "policyholder"


def _check_purpose(principal: Principal, purpose: str | None) -> str:
    if purpose is None or not purpose.strip():
        if principal.role == "customer":
            return OWN_DATA_PURPOSE
        raise ValidationFailed("say why the sensitive data is read", [FieldIssue(
            "purpose", "is required for staff: a short code such as underwriting, claim, complaint")])
    text = purpose.strip()
    if not _PURPOSE.match(text):
        raise ValidationFailed("the purpose is not valid", [FieldIssue(
            "purpose", "at most 60 characters: letters, digits, spaces and _ - . : /")])
    return text


# -- keys --------------------------------------------------------------------------------------------


def _keyring(ctx: AppContext) -> Keyring:
    if ctx.keyring is None:
        raise ServiceUnavailable("no keyring is configured, so sensitive data can be neither stored nor read")
    return ctx.keyring


def _unwrap(keyring: Keyring, key: SubjectKey) -> bytes:
    try:
        return keyring.unwrap(key.master_key_id, key.wrapped_key)
    except KeyError as exc:
        raise ServiceUnavailable(
            f"the master key {key.master_key_id} that protects this customer's data key is not in the keyring; "
            "restore the keyring file (COVERNOTE_KEYRING)") from exc
    except Exception as exc:  # the cipher's own "invalid token": the key or the wrap was tampered with
        raise ServiceUnavailable(f"the data key of customer {key.customer_id} does not open with master key "
                                 f"{key.master_key_id}; the keyring does not match the database") from exc


def _encrypt(keyring: Keyring, data_key: bytes, value: Any) -> str:
    return keyring.encrypt(data_key, json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def _decrypt(keyring: Keyring, data_key: bytes, token: str, customer_id: str, field: str) -> Any:
    try:
        return json.loads(keyring.decrypt(data_key, token))
    except Exception as exc:  # the cipher's "invalid token" (tampered ciphertext), or not our JSON
        raise ServiceUnavailable(f"the stored {field} of customer {customer_id} cannot be decrypted with "
                                 "their data key; it was altered outside Covernote") from exc


def _present(record: SensitiveRecord) -> list[str]:
    return [name for name in FIELDS if record.values.get(name) is not None]


def _open(uow: UnitOfWork, keyring: Keyring, customer_id: str, records: Sequence[SensitiveRecord],
          reader: Principal, purpose: str, now: datetime) -> tuple[list[SensitivePerson], list[SensitiveRead]]:
    """Decrypt the records, and the read-log rows that must be written with them (one per person with
    any value decrypted). A customer whose data key is gone (erased) gets {"erased": true} per value."""
    if not records:
        return [], []
    key = uow.sensitive.get_key(customer_id)
    data_key = None if key is None else _unwrap(keyring, key)
    people: list[SensitivePerson] = []
    reads: list[SensitiveRead] = []
    for record in records:
        values: dict[str, Any] = {}  # field name -> the decrypted value, {"erased": true} or None
        opened: list[str] = []
        for name in FIELDS:
            token = record.values.get(name)
            if token is None:
                values[name] = None
            elif data_key is None:
                values[name] = dict(ERASED)
            else:
                values[name] = _decrypt(keyring, data_key, token, customer_id, name)
                opened.append(name)
        person: SensitivePerson = {
            "person_ref": record.person_ref, "subject": record.subject, "provided_by": _provided_by(record.subject),
            "erased": data_key is None, "licence_number": values["licence_number"], "health": values["health"],
            "convictions": values["convictions"], "bank_details": values["bank_details"],
            "updated_at": record.updated_at.isoformat(), "updated_by": record.updated_by}
        people.append(person)
        if opened:
            reads.append(SensitiveRead(new_id("srd"), now, reader.user_id, reader.role, customer_id,
                                       record.person_ref, tuple(opened), purpose))
    return people, reads


def _data_key_for_writing(uow: UnitOfWork, keyring: Keyring, customer_id: str, now: datetime) -> bytes:
    """The customer's data key, made (and wrapped with the primary master key) the first time it is needed;
    refused once it was destroyed by an erasure."""
    key = uow.sensitive.get_key(customer_id)
    if key is not None:
        return _unwrap(keyring, key)
    if uow.sensitive.count_records(customer_id):
        raise Conflict("the customer's sensitive data was erased (their data key was destroyed); "
                       "nothing new is recorded about them")
    data_key = keyring.new_data_key()
    master_key_id, wrapped = keyring.wrap(data_key)
    uow.sensitive.add_key(SubjectKey(customer_id, master_key_id, wrapped, now))
    return data_key


def seal(ctx: AppContext, uow: UnitOfWork, customer_id: str, value: Any) -> str:
    """Encrypt one sensitive value held elsewhere than `sensitive_data` (a claim's injury details, say) with
    the customer's data key, in the caller's unit of work (PRV-11). Erasing the customer destroys the key,
    and with it every sealed value."""
    return _encrypt(_keyring(ctx), _data_key_for_writing(uow, _keyring(ctx), customer_id, ctx.clock.now()), value)


def unseal(ctx: AppContext, uow: UnitOfWork, reader: Principal, customer_id: str, token: str, person_ref: str,
           field: str, purpose: str) -> Any:
    """Decrypt a sealed value and log the read in the caller's unit of work (PRV-11, SEC-2); the caller
    checks who may read it. {"erased": true} once the customer's data key was destroyed."""
    keyring = _keyring(ctx)
    key = uow.sensitive.get_key(customer_id)
    if key is None:
        return dict(ERASED)
    value = _decrypt(keyring, _unwrap(keyring, key), token, customer_id, field)
    uow.sensitive.add_reads([SensitiveRead(new_id("srd"), ctx.clock.now(), reader.user_id, reader.role, customer_id,
                                           person_ref, (field,), purpose)])
    return value


def unseal_many(ctx: AppContext, uow: UnitOfWork, reader: Principal, items: Sequence[tuple[str, str, Mapping[str, str | None]]],
                purpose: str) -> list[dict[str, Any] | None]:
    """Decrypt sealed values of many customers in one go (a batch job's read, e.g. the Bacs collection file):
    for each (customer id, person ref, {field: token or None}), its fields decrypted, or None once the customer's
    data key was destroyed. Each customer's key is fetched and unwrapped once; each item's read is logged, one
    row naming its fields, in one insert (PRV-11, SEC-2). The caller checks who may read them."""
    keyring = _keyring(ctx)
    keys = uow.sensitive.get_keys([customer_id for customer_id, _, _ in items])
    unwrapped: dict[str, bytes] = {}
    out: list[dict[str, Any] | None] = []
    reads: list[SensitiveRead] = []
    now = ctx.clock.now()
    for customer_id, person_ref, tokens in items:
        key = keys.get(customer_id)
        if key is None:
            out.append(None)
            continue
        data_key = unwrapped.get(customer_id)
        if data_key is None:
            data_key = unwrapped[customer_id] = _unwrap(keyring, key)
        out.append({name: None if token is None else _decrypt(keyring, data_key, token, customer_id, name)
                    for name, token in tokens.items()})
        reads.append(SensitiveRead(new_id("srd"), now, reader.user_id, reader.role, customer_id, person_ref,
                                   tuple(tokens), purpose))
    uow.sensitive.add_reads(reads)
    return out


# -- use cases ---------------------------------------------------------------------------------------


def record(ctx: AppContext, principal: Principal, customer_id: str, person_ref: str, **fields: Any) -> SensitiveRecorded:
    """Store sensitive fields for the policyholder or a named driver, PUT-style per field: the given
    fields replace what was there, omitted fields stay, an explicit None clears a field. The customer
    records their own (and their named drivers'); staff record what a customer told them. The answer
    says which fields are held, never their values."""
    check_customer(principal, customer_id, "customer")
    if principal.role != "customer" and not principal.is_staff:  # pragma: no cover - every role is one
        raise Forbidden("only the customer or staff may record sensitive data")
    person_ref = check_person_ref(person_ref)
    clean = normalise_fields(fields, ctx.today())
    keyring = _keyring(ctx)
    now = ctx.clock.now()
    subject = _subject(person_ref)
    with ctx.uow() as uow:
        exists, erased_at = uow.sensitive.customer_erased_at(customer_id)
        if not exists:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        if erased_at is not None:
            raise Conflict(f"the customer's personal data was erased on {erased_at.date().isoformat()}; "
                           "nothing new is recorded about them")
        data_key = _data_key_for_writing(uow, keyring, customer_id, now)
        encrypted = {name: None if value is None else _encrypt(keyring, data_key, value)
                     for name, value in clean.items()}
        existing = uow.sensitive.records(customer_id, person_ref)
        if existing:
            current = existing[0]
            uow.sensitive.update_record(current.record_id, encrypted, now, principal.user_id)
            values = {**current.values, **encrypted}
        else:
            values = {name: encrypted.get(name) for name in FIELDS}
            uow.sensitive.add_record(SensitiveRecord(new_id("sen"), customer_id, person_ref, subject, values, now,
                                                     principal.user_id))
        uow.commit()
    return {"customer_id": customer_id, "person_ref": person_ref, "subject": subject,
            "provided_by": _provided_by(subject),
            "fields_present": [name for name in FIELDS if values.get(name) is not None],
            "updated": sorted(name for name, value in clean.items() if value is not None),
            "cleared": sorted(name for name, value in clean.items() if value is None),
            "updated_at": now.isoformat(), "updated_by": principal.user_id}


def _require_reader(principal: Principal, customer_id: str) -> None:
    if principal.role == "customer":
        check_customer(principal, customer_id, "customer")
        return
    require_sensitive_reader(principal, "sensitive_fields")


def read(ctx: AppContext, principal: Principal, customer_id: str, person_ref: str | None = None,
         purpose: str | None = None) -> SensitiveReading:
    """The decrypted fields of the customer's people (or of one), for an underwriter, the DPO or the
    customer themselves. Every read is logged, with its purpose, and the log is committed before the
    values are returned (SEC-2). Nothing is logged when access is refused."""
    _require_reader(principal, customer_id)
    why = _check_purpose(principal, purpose)
    if person_ref is not None:
        person_ref = check_person_ref(person_ref)
    keyring = _keyring(ctx)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        exists, _ = uow.sensitive.customer_erased_at(customer_id)
        if not exists:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        records = uow.sensitive.records(customer_id, person_ref)
        if person_ref is not None and not records:
            raise NotFound("no sensitive data is held for that person",
                           [FieldIssue("person_ref", f"nothing recorded for {person_ref}")])
        people, reads = _open(uow, keyring, customer_id, records, principal, why, now)
        uow.sensitive.add_reads(reads)
        uow.commit()
    return {"customer_id": customer_id, "purpose": why, "read_at": now.isoformat(), "read_by": principal.user_id,
            "logged_reads": len(reads), "people": people}


def summary(ctx: AppContext, principal: Principal, customer_id: str) -> SensitiveSummary:
    """Which sensitive fields are held for each person, without their values (no key is used, so this
    is not a read of sensitive data and is not logged). For any staff role and the customer."""
    check_customer(principal, customer_id, "customer")
    if principal.role != "customer" and not principal.is_staff:  # pragma: no cover - every role is one
        raise Forbidden("only staff or the customer may see this")
    with ctx.uow(read_only=True) as uow:
        exists, erased_at = uow.sensitive.customer_erased_at(customer_id)
        if not exists:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        records = uow.sensitive.records(customer_id)
        key = uow.sensitive.get_key(customer_id) if records else None
    return {"customer_id": customer_id,
            "customer_erased_at": None if erased_at is None else erased_at.isoformat(),
            "readable_by": [*sorted(SENSITIVE_READER_ROLES), "the customer"],
            "people": [{"person_ref": r.person_ref, "subject": r.subject, "provided_by": _provided_by(r.subject),
                        "fields_present": _present(r), "erased": key is None,
                        "updated_at": r.updated_at.isoformat(), "updated_by": r.updated_by} for r in records]}


def _read_view(r: SensitiveRead) -> SensitiveReadEntry:
    return {"id": r.read_id, "at": r.at.isoformat(), "user_id": r.user_id, "role": r.role,
            "customer_id": r.customer_id, "person_ref": r.person_ref, "fields": list(r.fields), "purpose": r.purpose}


def reads_log(ctx: AppContext, principal: Principal, customer_id: str, limit: int = 1000,
              offset: int = 0) -> SensitiveReadsLog:
    """Who read the customer's sensitive data, when, which fields and why (SEC-2): for the DPO, an
    administrator and the customer themselves."""
    check_listing(limit, offset)
    if principal.role == "customer":
        check_customer(principal, customer_id, "customer")
    elif principal.role not in PRIVACY_OFFICER_ROLES:
        raise Forbidden("only the data protection officer, an administrator or the customer may see who read "
                        "the sensitive data")
    issues = IssueCollector()
    if not 1 <= limit <= 1000:
        issues.add("limit", "must be from 1 to 1000")
    if offset < 0:
        issues.add("offset", "must be 0 or more")
    issues.raise_if_any("the page is not valid")
    with ctx.uow(read_only=True) as uow:
        exists, _ = uow.sensitive.customer_erased_at(customer_id)
        if not exists:
            raise NotFound("no such customer", [FieldIssue("customer_id", f"no customer {customer_id}")])
        reads = uow.sensitive.reads_for(customer_id, limit, offset)
    return {"customer_id": customer_id, "reads": [_read_view(r) for r in reads]}


# -- for the access package and erasure (called inside their own unit of work) ---------------------------


def subject_access_view(uow: UnitOfWork, keyring: Keyring, customer_id: str, reader: Principal,
                        now: datetime, *, purpose: str = SUBJECT_ACCESS_PURPOSE) -> list[SensitivePerson]:
    """Every person's decrypted fields for the customer's access package (PRV-3): one dict per person_ref
    with the fields, subject, provided_by and updated_at. The read is logged with the purpose
    "subject_access_request" (or the one given, e.g. for a portability export) in `uow` (the caller
    commits). Erased values read as {"erased": true}."""
    records = uow.sensitive.records(customer_id)
    people, reads = _open(uow, keyring, customer_id, records, reader, purpose, now)
    uow.sensitive.add_reads(reads)
    return people


def erase_keys(uow: UnitOfWork, customer_id: str) -> KeysErased:
    """Crypto-shredding (the `encrypt_then_drop_key` strategy): delete the customer's wrapped data key.
    The ciphertexts stay but can never be decrypted again (no copy of the data key exists anywhere).
    Idempotent; the caller commits."""
    deleted = uow.sensitive.delete_key(customer_id)
    return {"subject_keys_deleted": 1 if deleted else 0,
            "sensitive_rows_unreadable": uow.sensitive.count_records(customer_id)}


# -- key rotation --------------------------------------------------------------------------------------


def rotate_keys(ctx: AppContext, principal: Principal, retire_old: bool = False, batch: int = 500, *,
                new_key: bool = True) -> KeyRotation:
    """Rotate the master key (PRV-11): add a new primary master key to the keyring, then re-wrap every
    customer's data key that is under another master key, `batch` keys per unit of work. The values
    themselves are not re-encrypted (the data keys do not change), so this is fast and touches only
    subject_keys.

    Safe to kill and rerun: when data keys are still under an older master key (an earlier run stopped
    part-way), no further master key is made; the run finishes re-wrapping under the current primary,
    skipping the keys already there. `new_key=False` only finishes (a no-op when nothing is left).
    With `retire_old`, master keys that no data key uses any more are then removed from the keyring."""
    require_admin(principal, "rotate the encryption keys")
    if not 1 <= batch <= 10_000:
        raise ValidationFailed("the batch size is not valid", [FieldIssue("batch", "must be from 1 to 10000")])
    keyring = _keyring(ctx)
    started = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        unfinished = bool(uow.sensitive.keys_not_under(keyring.primary_key_id(), None, 1))
    created = keyring.rotate() if new_key and not unfinished else None
    primary = keyring.primary_key_id()
    rewrapped = changed_meanwhile = batches = 0
    failed: list[RewrapFailure] = []
    after: str | None = None
    while True:
        with ctx.uow() as uow:
            keys = uow.sensitive.keys_not_under(primary, after, batch)
            if not keys:
                break
            batches += 1
            for key in keys:
                after = key.customer_id
                try:
                    data_key = keyring.unwrap(key.master_key_id, key.wrapped_key)
                except KeyError:
                    failed.append({"customer_id": key.customer_id, "master_key_id": key.master_key_id,
                                   "reason": "that master key is not in the keyring"})
                    continue
                except Exception:  # the cipher's "invalid token"
                    failed.append({"customer_id": key.customer_id, "master_key_id": key.master_key_id,
                                   "reason": "the wrapped key does not open with that master key"})
                    continue
                master_key_id, wrapped = keyring.wrap(data_key)
                if uow.sensitive.rewrap_key(key.customer_id, key.master_key_id, master_key_id, wrapped,
                                            ctx.clock.now()):
                    rewrapped += 1
                else:  # erased or re-wrapped by another run since the batch was read
                    changed_meanwhile += 1
            uow.commit()
    with ctx.uow(read_only=True) as uow:
        counts = uow.sensitive.key_counts()
    retired: list[str] = []
    kept: dict[str, int] = {}
    for key_id in keyring.key_ids():
        if key_id == primary:
            continue
        in_use = counts.get(key_id, 0)
        if retire_old and in_use == 0:
            keyring.retire(key_id)
            retired.append(key_id)
        else:
            kept[key_id] = in_use
    return {"primary_master_key": primary, "new_master_key": created, "resumed": unfinished,
            "rewrapped": rewrapped, "changed_meanwhile": changed_meanwhile, "batches": batches,
            "failed": failed, "data_keys_by_master_key": dict(sorted(counts.items())),
            "retired": retired, "old_keys_kept": kept, "started_at": started.isoformat(),
            "finished_at": ctx.clock.now().isoformat()}
