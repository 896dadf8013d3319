"""REST resources: Legal holds, fraud markers, the disclosure register and the breach register (PRV-6, PRV-8)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["privacy"])
