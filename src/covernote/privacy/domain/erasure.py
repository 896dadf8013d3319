"""What erasure may erase (PRV-4): in scope - legal holds - still required, explained per field.

Each reason to keep data says which purposes it keeps data for. A field is kept when one of its
declared purposes is among them; the person is told the reason and, where there is one, until when.
A legal hold keeps everything in its scope.

* a live contract (a policy in force or about to start) keeps all that its administration needs, the
  person's login included: every purpose but marketing;
* an open claim keeps what claims, fraud prevention, payments, accounts and regulators need;
* a fraud record keeps what fraud prevention needs (S1 section 10; DPA 2018 Sch. 2 para 2);
* legal retention after a policy has ended keeps what the accounts, claims defence, fraud prevention
  and regulators need until the product's retention period ends (S1 section 12: up to seven years;
  S2: billing ten years);
* a person's restriction or objection is remembered so that it is obeyed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from covernote.kernel.clock import london_date
from covernote.kernel.declarations import PURPOSES, PersonalData
from covernote.kernel.retention import COMPLAINT_RECORDS

ALL_PURPOSES = frozenset(PURPOSES)
CONTRACT_PURPOSES = ALL_PURPOSES - {"marketing"}
CLAIM_PURPOSES = frozenset({"claims", "fraud_prevention", "payments", "accounting", "regulatory_reporting",
                            "policy_administration"})
FRAUD_PURPOSES = frozenset({"fraud_prevention"})
RETENTION_PURPOSES = frozenset({"accounting", "payments", "claims", "fraud_prevention", "regulatory_reporting",
                                "policy_administration"})


@dataclass(frozen=True)
class KeepReason:
    code: str  # legal_hold, live_contract, open_claim, fraud_record, legal_retention, obey_objection
    explanation: str
    purposes: frozenset[str]
    until: date | None = None

    def covers(self, declaration: PersonalData) -> bool:
        return any(p in self.purposes for p in declaration.purposes)

    def describe(self) -> str:
        return self.explanation + (f" (until {self.until.isoformat()})" if self.until else "")


def legal_hold(reason: str, review_on: date) -> KeepReason:
    return KeepReason("legal_hold", f"a legal hold applies: {reason}; it is reviewed on {review_on.isoformat()}",
                      ALL_PURPOSES)


def live_contract(policy_number: str, ends_on: date) -> KeepReason:
    return KeepReason("live_contract",
                      f"policy {policy_number} is live: this is needed to provide the cover until it ends or is "
                      "cancelled; erasing it would end the cover",
                      CONTRACT_PURPOSES, ends_on)


def open_claim(policy_number: str, reference: str) -> KeepReason:
    return KeepReason("open_claim", f"claim {reference} on policy {policy_number} is open", CLAIM_PURPOSES)


def fraud_record() -> KeepReason:
    # The reason given to the person does not reveal the marker's content (crime-prevention exemption).
    return KeepReason("fraud_record", "kept to prevent and detect fraud, as our privacy notice explains",
                      FRAUD_PURPOSES)


def legal_retention(policy_number: str, until: date, rule: str) -> KeepReason:
    return KeepReason("legal_retention", f"policy {policy_number} ended; the law and our retention schedule "
                      f"require its records to be kept ({rule})", RETENTION_PURPOSES, until)


def obey_objection() -> KeepReason:
    return KeepReason("obey_objection", "your restriction or objection is remembered so that we keep obeying it",
                      ALL_PURPOSES)


def first_reason(declaration: PersonalData, reasons: list[KeepReason]) -> KeepReason | None:
    """The reason that keeps this field, if any: a legal hold first, then in the order given."""
    ordered = sorted(reasons, key=lambda r: r.code != "legal_hold")
    for reason in ordered:
        if reason.covers(declaration):
            return reason
    return None


def complaint_keep_reason(complaint_id: str, closed_at: datetime | None, today: date) -> KeepReason | None:
    """Why a complaint's records are kept now, if they are: it is open, or it closed less than three years
    ago (the complaint-handling records the FCA requires, DISP 1.9: the house rule COMPLAINT_RECORDS that
    the retention sweep applies too)."""
    if closed_at is None:
        return KeepReason("open_complaint", f"your complaint {complaint_id} is still being handled",
                          frozenset({"complaints"}))
    until = COMPLAINT_RECORDS.retain_until(london_date(closed_at))
    if today <= until:
        return KeepReason("complaint_record", f"the record of your complaint {complaint_id} and how we "
                          "handled it must be kept for three years after it closed (FCA DISP 1.9)",
                          frozenset({"complaints"}), until)
    return None
