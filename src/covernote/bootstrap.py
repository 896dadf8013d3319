"""The one place that picks concrete adapters: the database, the clock, the product files and the
outside systems (the embedded default wires the simulators)."""

from __future__ import annotations

import os

from covernote.billing.adapters.bureau import SimulatedBacsBureau
from covernote.billing.adapters.finance_provider import SimulatedFinanceProvider
from covernote.billing.domain.events import PolicyCancellationDue
from covernote.carbon.usecases import handlers as carbon_handlers
from covernote.claims.domain import ClaimNotified
from covernote.kernel.clock import Clock, SystemClock, london_date
from covernote.ledger.adapters.payments import SimulatedCardProvider
from covernote.ledger.ports import PaymentGateway
from covernote.lifecycle.usecases import handlers as lifecycle_handlers
from covernote.platform.context import AppContext
from covernote.platform.events import Handler
from covernote.policy.domain.events import PolicyTransactionRecorded
from covernote.privacy.adapters.keyring import FileKeyring
from covernote.privacy.store.data_map import SqlDataInventory
from covernote.products.store.files import load_catalogue
from covernote.regulatory.adapters.cue import SimulatedCue
from covernote.regulatory.adapters.fraud import SimulatedFraudAgency
from covernote.regulatory.adapters.mid import SimulatedMid
from covernote.regulatory.usecases import handlers as regulatory_handlers
from covernote.settings import Settings
from covernote.store.db import make_engine, upgrade
from covernote.telematics.adapters.parquet_store import ParquetPositionStore
from covernote.telematics.adapters.photos import LocalPhotoStore
from covernote.telematics.api import scores as telematics_scores_api
from covernote.telematics.usecases import devices as telematics_devices
from covernote.telematics.usecases import scores as telematics_scores
from covernote.uow import SqlUnitOfWorkFactory

# The one registry of who acts on which domain event (kernel/events.py), in the order they run. A
# context subscribes by adding its handler here; the announcing context never imports it.
EVENT_HANDLERS: dict[type, list[Handler]] = {
    PolicyTransactionRecorded: [
        carbon_handlers.record_year_offset,  # ECO-1
        regulatory_handlers.update_mid,  # REG-1
        regulatory_handlers.report_recorded_incident,  # REG-2
    ],
    ClaimNotified: [
        regulatory_handlers.report_notified_claim,  # REG-2
        regulatory_handlers.check_claimant,  # REG-3
    ],
    PolicyCancellationDue: [
        lifecycle_handlers.cancel_for_billing,  # PAY-2 (non-payment), PAY-3 (payment authority withdrawn)
    ],
}


def build(settings: Settings | None = None, *, clock: Clock | None = None, payments: PaymentGateway | None = None,
          migrate: bool = False) -> AppContext:
    settings = settings or Settings.from_env()
    catalogue = load_catalogue(settings.products_dir)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(settings.database_url, engine=engine)
    clock = clock or SystemClock()
    return telematics_devices.attach(AppContext(
        uow=SqlUnitOfWorkFactory(engine),
        clock=clock,
        catalogue=catalogue,
        payments=payments or SimulatedCardProvider(settings.payment_simulator_path),
        inventory=SqlDataInventory(),
        keyring=FileKeyring(settings.keyring_path),
        # REG-1..3 simulators (docs/regulatory.md): state in the data folder; an outage while <name>.outage exists
        mid=SimulatedMid(settings.data_dir / "mid-simulator.sqlite", settings.data_dir / "mid-simulator.outage"),
        cue=SimulatedCue(settings.data_dir / "cue-simulator.sqlite", settings.data_dir / "cue-simulator.outage"),
        fraud=SimulatedFraudAgency(outage_flag=settings.data_dir / "fraud-simulator.outage"),
        # PAY-1: the premium-finance provider simulator (billing/adapters/finance_provider.py), state in the data folder
        finance=SimulatedFinanceProvider(settings.data_dir / "finance-simulator.sqlite"),
        # PAY-6: the Bacs bureau simulator (docs/direct-debit.md), its state in the data folder, on the app's clock
        bacs=SimulatedBacsBureau(settings.data_dir / "bacs-simulator.sqlite", today=lambda: london_date(clock.now())),
        handlers=EVENT_HANDLERS,
        token_lifetime_days=settings.token_lifetime_days,
        batch_workers=settings.workers_for_batches(),
    ), telematics_stores(settings))


# TEL-3: what scoring reads, when a context is given none: the positions the boxes sent (the context's store), the
# map the settings name (default: the shipped Ashcombe network) and the device registry.
telematics_scores.use_default_sources(telematics_scores_api.settings_sources)


def telematics_stores(settings: Settings) -> telematics_devices.TelematicsStores:
    """TEL-1, TEL-2: the installation photos and the positions (Parquet) under the data folder; the Traccar
    forwarding secret from COVERNOTE_TRACCAR_SECRET (unset: forwarding refused)."""
    return telematics_devices.TelematicsStores(
        photos=LocalPhotoStore(settings.data_dir / "telematics" / "photos"),
        positions=ParquetPositionStore(settings.data_dir / "telematics" / "positions"),
        traccar_secret=os.environ.get("COVERNOTE_TRACCAR_SECRET") or None)
