"""Settings from the environment (COVERNOTE_*), with embedded defaults that need nothing installed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    database_url: str
    products_dir: Path
    payment_simulator_path: str
    data_dir: Path
    keyring_path: Path

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("COVERNOTE_DATA_DIR", PROJECT_ROOT / "var"))
        return cls(
            database_url=os.environ.get("COVERNOTE_DATABASE_URL", f"sqlite:///{data_dir / 'covernote.db'}"),
            products_dir=Path(os.environ.get("COVERNOTE_PRODUCTS_DIR", PROJECT_ROOT / "products")),
            payment_simulator_path=os.environ.get("COVERNOTE_PAYMENT_SIMULATOR",
                                                  str(data_dir / "payment-simulator.sqlite")),
            data_dir=data_dir,
            keyring_path=Path(os.environ.get("COVERNOTE_KEYRING", data_dir / "keyring.json")),
        )
