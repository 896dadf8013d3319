"""A Claims and Underwriting Exchange simulator behind the CueGateway port (REG-2).

Like the MID simulator (regulatory/adapters/mid.py, whose store it shares): each report is answered once per
report id, and it accepts, rejects with a reason code, or does not answer.

  accepted                   any other report: answered with a reference CUE-<n>
  invalid_registration       the vehicle's registration starts "ZZ" or is not in a UK format
  invalid_record             no policy number, or no incident date
  duplicate_report           the same claim reference on the same policy already reported (another report id)
  no answer (outage)         while `outage` is set, or while the outage flag file exists (the embedded
                             default: <data dir>/cue-simulator.outage)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from covernote.policy.domain.risk import is_uk_registration, normalise_registration
from covernote.regulatory.adapters.mid import REJECTED_PREFIX, SimulatedBureau
from covernote.regulatory.ports import BureauReceipt, BureauUnavailable


class SimulatedCue(SimulatedBureau):
    name = "Claims and Underwriting Exchange (Motor Insurers' Bureau)"
    prefix = "CUE"

    def report(self, report_id: str, payload: Mapping[str, Any]) -> BureauReceipt:
        with self._lock:
            self.calls += 1
            if self.in_outage():
                raise BureauUnavailable("the Claims and Underwriting Exchange is not answering (outage)")
            replay = self._replay(report_id)
            if replay is not None:
                return replay
            reg = normalise_registration(str(payload.get("registration") or ""))
            if reg and (reg.startswith(REJECTED_PREFIX) or not is_uk_registration(reg)):
                raise self._reject(report_id, "invalid_registration", "the vehicle registration is not known")
            number = str(payload.get("policy_number") or "")
            if not number or not payload.get("incident_on"):
                raise self._reject(report_id, "invalid_record", "no policy number or no incident date")
            claim_ref = str(payload.get("claim_reference") or "")
            key = f"{number}#{claim_ref}" if claim_ref else f"{number}#{report_id}"
            if self._db.execute("SELECT 1 FROM held WHERE policy_number = ?", (key,)).fetchone():
                raise self._reject(report_id, "duplicate_report", "this claim is already on the exchange")
            receipt = self._accept(report_id)
            self._db.execute("INSERT INTO held VALUES (?, ?, ?)", (key, json.dumps(dict(payload), sort_keys=True),
                                                                   receipt.reference))
            return receipt
