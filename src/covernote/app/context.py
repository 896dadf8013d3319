"""What every use case is given: the unit of work factory, the clock, the product catalogue and the
outside systems. Built once by bootstrap.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from covernote.app.ports import DataInventory, Keyring, PaymentGateway, UnitOfWorkFactory
from covernote.app.regulatory_port import CueGateway, FraudCheckGateway, MidGateway
from covernote.domain.products.catalogue import Catalogue
from covernote.kernel.clock import Clock, london_date


@dataclass
class AppContext:
    uow: UnitOfWorkFactory
    clock: Clock
    catalogue: Catalogue
    payments: PaymentGateway
    inventory: DataInventory | None = None
    keyring: Keyring | None = None
    # REG-1..3: the Motor Insurance Database, the claims exchange and the fraud agency (bootstrap wires the
    # simulators; None: not configured, see app/mid.py, app/cue.py, app/fraud.py)
    mid: MidGateway | None = None
    cue: CueGateway | None = None
    fraud: FraudCheckGateway | None = None
    pending_quote_days: int = 7
    token_cache_seconds: int = 30
    token_cache: dict[str, tuple[Any, datetime]] = field(default_factory=dict)

    def today(self) -> date:
        return london_date(self.clock.now())
