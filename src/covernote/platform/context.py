"""What every use case is given: the unit of work factory, the clock, the product catalogue and the
outside systems. Built once by bootstrap.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from covernote.kernel.clock import Clock, london_date
from covernote.platform.events import DispatchingFactory, Handlers
from covernote.platform.uow import UnitOfWorkFactory

if TYPE_CHECKING:  # the contexts' ports, for typing only: the contexts sit above the platform
    from covernote.billing.ports import BacsBureau, FinanceProvider
    from covernote.ledger.ports import PaymentGateway
    from covernote.privacy.ports import DataInventory, Keyring
    from covernote.products.domain.catalogue import Catalogue
    from covernote.regulatory.ports import CueGateway, FraudCheckGateway, MidGateway


@dataclass
class AppContext:
    uow: UnitOfWorkFactory
    clock: Clock
    catalogue: Catalogue
    payments: PaymentGateway
    inventory: DataInventory | None = None
    keyring: Keyring | None = None
    # REG-1..3: the Motor Insurance Database, the claims exchange and the fraud agency (bootstrap wires the
    # simulators; None: not configured, see regulatory/usecases/mid.py, regulatory/usecases/cue.py, regulatory/usecases/fraud.py)
    mid: MidGateway | None = None
    cue: CueGateway | None = None
    fraud: FraudCheckGateway | None = None
    # PAY-1: the premium-finance provider (bootstrap wires the simulator; None: monthly payment not offered)
    finance: FinanceProvider | None = None
    # PAY-6: the Bacs bureau that takes direct debit submissions and gives back the reports (bootstrap wires the
    # simulator; None: not configured, see billing/usecases/direct_debit.py)
    bacs: BacsBureau | None = None
    # Issue 16: the telematics context's stores (photos, positions, the Traccar secret, and what scoring reads):
    # telematics/usecases/devices.TelematicsStores, set by bootstrap; None: telematics not configured (503)
    telematics: Any = None
    pending_quote_days: int = 7
    token_cache_seconds: int = 30
    # How long a new API token works (issue 13, item 9): COVERNOTE_TOKEN_LIFETIME_DAYS, default 90.
    token_lifetime_days: int = 90
    token_cache: dict[str, tuple[Any, datetime]] = field(default_factory=dict)
    # Processes the renewal-invitation batch runs in when a command or job runs it (issue 12):
    # Settings.workers_for_batches, always 1 on SQLite. A REST request runs it in the server's process only.
    batch_workers: int = 1
    # Who acts on which domain event: covernote.bootstrap.EVENT_HANDLERS, the one registry.
    handlers: Handlers = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Units of work opened through this context run its event handlers before they commit; a copy
        # made with dataclasses.replace (another clock, say) handles events with its own settings.
        inner = self.uow.inner if isinstance(self.uow, DispatchingFactory) else self.uow
        self.uow = DispatchingFactory(inner, self)

    def today(self) -> date:
        return london_date(self.clock.now())
