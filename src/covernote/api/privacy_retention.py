"""REST resources: Retention: the sweep, dealership settings and the record of processing (PRV-1, PRV-5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["privacy"])
