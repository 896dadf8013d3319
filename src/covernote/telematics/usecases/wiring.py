"""How the telematics use cases find each other's answers (issue 16): the device registry (TEL-1) tells scoring which
policy a box served on a day, within the data-use window (TEL-8); the stored scores (TEL-3) give the 90-day review
its period scores (TEL-4). Each is the port one use case declares, answered from another's tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from covernote.identity.usecases import SYSTEM
from covernote.platform.context import AppContext
from covernote.telematics.domain.devices import data_use_window
from covernote.telematics.ports.rerating import PeriodScoreValue
from covernote.telematics.ports.scores import Assignment
from covernote.telematics.usecases import scores


class RegistryAssignments:
    """`ports.scores.DeviceAssignments` from the device registry: the box whose IMEI sent the positions, on the
    policy it was fitted to, for a day inside the data-use window (TEL-8: from the cover's first day to 14 days
    after it ends; outside it nothing is scored)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def assignment(self, device_id: str, day: date) -> Assignment | None:
        with self.ctx.uow(read_only=True) as uow:
            device = uow.telematics_devices.by_imei(device_id)
            policy = uow.policies.get(device.policy_id) if device is not None else None
        if device is None or policy is None:
            return None
        first, first_outside = data_use_window(device.cover_from, device.cover_until)
        if day < first or (first_outside is not None and day >= first_outside):
            return None
        terms = [t for t in policy.terms() if t.period.start <= day] or policy.terms()[:1]
        return Assignment(policy.policy_id, policy.customer_id, terms[-1].product_ref)


class StoredPeriodScores:
    """`ports.rerating.PeriodScores` from the stored day scores: the period's journeys weighted by driving time
    (`scores.period_view`); None when no journey was scored in it (the box not reporting: no change is made)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def period(self, policy_id: str, start: date, end: date) -> PeriodScoreValue | None:
        view = scores.period_view(self.ctx, SYSTEM, policy_id, start, end)
        if view["score"] is None or not view["journeys"]:
            return None
        return PeriodScoreValue(Decimal(str(view["score"])), int(view["journeys"]))
